"""Queueing print jobs for devices and recording what their printers did.

A job stays on the server until the device reports it printed. A job fetched but never
confirmed (the agent crashed, the network dropped) is handed out again after
``RESEND_AFTER``; a failure puts it back in the queue until ``MAX_ATTEMPTS`` or its expiry.
While the device says its printer has a fault (out of paper, cover open, offline:
``hardware.printers.FAULTS``), its jobs wait: none is handed out, and a failure the fault
caused counts no attempt. An agent polls every second, so five attempts used to burn away in
the seconds it takes to change a roll; now the job prints once the roll is in, if a ticket is
still within its ``TICKET_TTL`` (a receipt has none).
Queue tickets expire after ``TICKET_TTL``: a ticket printed minutes later helps nobody, and the
citizen was already shown the QR code on screen. So do a procedure's checklist, printed for
the citizen at the kiosk (its QR code is on the screen too).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hardware.printers import FAULTS

from ..auth.access import may_print_at
from ..auth.models import DeviceKind, DeviceToken
from ..database import utcnow
from ..errors import Forbidden
from ..queueing.models import Ticket
from ..sites.calendar import local_now
from ..timefmt import iso
from .models import JobStatus, PrintJob

# Devices whose agent prints: kiosks, post-office PCs and counter PCs.
PRINTING_KINDS = (DeviceKind.KIOSK, DeviceKind.POSTAL, DeviceKind.COUNTER)
RESEND_AFTER = timedelta(seconds=20)
TICKET_TTL = timedelta(seconds=90)
MAX_ATTEMPTS = 5
# Kinds printed for the citizen standing at the kiosk: printed later, they help nobody.
EXPIRING_KINDS = ("ticket", "checklist")


def ticket_payload(ticket: Ticket, standing: dict, track_url: str) -> dict:
    """What the ticket layout prints (see ``hardware.layouts.TicketPrint``)."""
    wait = standing.get("estimated_wait_s")
    return {
        "centre": ticket.site.name,
        "number": ticket.number,
        "service": ticket.service.name,
        "people_ahead": standing.get("people_ahead"),
        "wait_minutes": max(1, round(wait / 60)) if wait else None,
        "counters": ", ".join(str(n) for n in standing.get("counters", [])),
        "issued_at": local_now(ticket.site, ticket.issued_at).strftime("%H:%M %d/%m/%Y"),
        "track_url": track_url,
        "priority": ticket.priority is not None,
    }


def _new_job(
    session: Session, device_id: int, kind: str, ticket_id: int | None, payload: dict, now: datetime
) -> PrintJob:
    job = PrintJob(
        device_id=device_id,
        kind=kind,
        ticket_id=ticket_id,
        payload=payload,
        status=JobStatus.QUEUED,
        created_at=now,
        expires_at=now + TICKET_TTL if kind in EXPIRING_KINDS else None,
    )
    session.add(job)
    session.flush()
    return job


def enqueue_ticket(
    session: Session, device: DeviceToken, ticket: Ticket, payload: dict, now: datetime | None = None
) -> PrintJob:
    if not may_print_at(device, [ticket.site_id]):
        raise Forbidden("forbidden", "This device prints only tickets of its own site.")
    return _new_job(session, device.id, "ticket", ticket.id, payload, now or utcnow())


def enqueue_receipt(
    session: Session, device: DeviceToken, dossier, payload: dict, now: datetime | None = None
) -> PrintJob:
    """The citizen's 80 mm receipt of a dossier (Mẫu 01), on a printer where it was taken in."""
    if not may_print_at(device, [dossier.site_id, dossier.intake_site_id]):
        raise Forbidden("forbidden", "This device prints only receipts of its own site's dossiers.")
    if device.kind not in PRINTING_KINDS:
        raise Forbidden("not_a_printer", "This device has no printer.")
    return _new_job(session, device.id, "receipt", None, payload, now or utcnow())


def enqueue_checklist(
    session: Session, device: DeviceToken, payload: dict, now: datetime | None = None
) -> PrintJob:
    """A procedure's checklist (public catalogue, see ``dossiers.guidance``), on the calling
    device's own printer: any procedure of the province, the device's own paper."""
    if device.kind not in PRINTING_KINDS:
        raise Forbidden("not_a_printer", "This device has no printer.")
    return _new_job(session, device.id, "checklist", None, payload, now or utcnow())


def reprint(session: Session, job: PrintJob, now: datetime | None = None) -> PrintJob:
    """A new job with the same content (the original keeps its history)."""
    return _new_job(session, job.device_id, job.kind, job.ticket_id, job.payload, now or utcnow())


def _expire(job: PrintJob, now: datetime) -> bool:
    if job.expires_at is not None and job.expires_at <= now and job.status in JobStatus.OPEN:
        job.status = JobStatus.FAILED
        job.last_error = job.last_error or "not printed in time"
        job.finished_at = now
        return True
    return False


def printer_state(device: DeviceToken) -> str | None:
    """What the device last said of its printer (heartbeat, or a job's result)."""
    return (device.health or {}).get("printer")


def printer_fault(device: DeviceToken) -> str | None:
    state = printer_state(device)
    return state if state in FAULTS else None


def printer_faults(session: Session, site_id: int) -> list[tuple[DeviceToken, str]]:
    """The site's devices (not revoked) whose printer last said it has a fault, with the fault:
    tickets and receipts wait at them until someone fixes it."""
    devices = session.scalars(
        select(DeviceToken)
        .where(DeviceToken.site_id == site_id, DeviceToken.revoked_at.is_(None))
        .order_by(DeviceToken.name, DeviceToken.id)
    )
    return [(device, fault) for device in devices if (fault := printer_fault(device))]


def record_printer_state(device: DeviceToken, state: str | None, agent_version: str | None = None) -> bool:
    """Keep what the device says of its printer; True when the state changed."""
    health = dict(device.health or {})
    before = health.get("printer")
    health.update(printer=state, at=iso(utcnow()))
    if agent_version is not None:
        health["agent_version"] = agent_version
    device.health = health
    return before != state


def jobs_to_print(session: Session, device: DeviceToken, now: datetime | None = None) -> list[PrintJob]:
    """Claim the device's jobs that are due: queued ones, and sent ones never confirmed; none
    while its printer has a fault (they wait; tickets still expire)."""
    now = now or utcnow()
    candidates = session.scalars(
        select(PrintJob)
        .where(
            PrintJob.device_id == device.id,
            or_(
                PrintJob.status == JobStatus.QUEUED,
                (PrintJob.status == JobStatus.SENT) & (PrintJob.sent_at < now - RESEND_AFTER),
            ),
        )
        .order_by(PrintJob.id)
        .with_for_update(skip_locked=True)
    ).all()
    due = []
    for job in candidates:
        if _expire(job, now) or printer_fault(device):
            continue
        job.status = JobStatus.SENT
        job.sent_at = now
        due.append(job)
    return due


def report(
    session: Session,
    job: PrintJob,
    printed: bool,
    error: str | None = None,
    now: datetime | None = None,
    printer: str | None = None,
) -> PrintJob:
    """Record the printer's answer for a job that was sent to the device. A failure while the
    printer has a fault (``printer``, as the agent read it after the failure) puts the job back
    without counting an attempt: it waits for the fault to clear."""
    now = now or utcnow()
    if job.status not in JobStatus.OPEN:
        return job  # a late or repeated report changes nothing
    if not printed and printer in FAULTS:
        job.last_error = (error or printer)[:300]
        if not _expire(job, now):
            job.status = JobStatus.QUEUED
        return job
    job.attempts += 1
    if printed:
        job.status = JobStatus.PRINTED
        job.finished_at = now
        job.last_error = None
        return job
    job.last_error = (error or "printer error")[:300]
    if job.attempts >= MAX_ATTEMPTS or _expire(job, now):
        job.status = JobStatus.FAILED
        job.finished_at = job.finished_at or now
    else:
        job.status = JobStatus.QUEUED
    return job
