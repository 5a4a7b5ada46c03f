"""Print jobs over HTTP: kiosks ask for a ticket to be printed; device agents fetch and confirm."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from ..auth.access import Action, current_actor, require, require_device
from ..auth.models import DeviceKind
from ..database import db, utcnow
from ..errors import NotFound
from ..events import publish_after_commit
from ..lookups import get_or_404
from ..queueing.estimates import ticket_standing
from ..queueing.operations import get_ticket
from ..queueing.presenters import track_url
from . import operations
from .models import PrintJob
from .presenters import job_body
from .schemas import DeviceSchema, HeartbeatSchema, PrintJobSchema, ResultSchema

blp = Blueprint("printing", __name__, url_prefix="/api/v1", description="Print jobs and device agents")

PRINTING_DEVICES = operations.PRINTING_KINDS


def _job_for_caller(job_id: int) -> PrintJob:
    job = get_or_404(
        db.session, PrintJob, job_id, code="unknown_print_job", message=f"No print job {job_id}."
    )
    actor = current_actor()
    if actor is not None and actor.device is not None and actor.device.id == job.device_id:
        return job
    require(Action.OPERATE_COUNTER, job.device.site_id)
    return job


@blp.route("/tickets/<int:ticket_id>/print", methods=["POST"])
@blp.response(202, PrintJobSchema)
def print_ticket(ticket_id):
    """Ask for the ticket to be printed on the calling kiosk's printer."""
    device = require_device(*PRINTING_DEVICES)
    ticket = get_ticket(db.session, ticket_id)
    payload = operations.ticket_payload(ticket, ticket_standing(db.session, ticket), track_url(ticket))
    job = operations.enqueue_ticket(db.session, device, ticket, payload)
    db.session.commit()
    return job_body(job)


@blp.route("/print-jobs/<int:job_id>", methods=["GET"])
@blp.response(200, PrintJobSchema)
def get_job(job_id):
    """A job's state, for the device that asked for it or the staff of its site."""
    return job_body(_job_for_caller(job_id))


@blp.route("/print-jobs/<int:job_id>/reprint", methods=["POST"])
@blp.response(202, PrintJobSchema)
def reprint(job_id):
    """Print the same document again (a new job)."""
    copy = operations.reprint(db.session, _job_for_caller(job_id))
    db.session.commit()
    return job_body(copy)


@blp.route("/devices/me/print-jobs", methods=["GET"])
@blp.response(200, PrintJobSchema(many=True))
def device_jobs():
    """For a device agent: the jobs to print now (each is marked sent until confirmed)."""
    device = require_device(*PRINTING_DEVICES)
    jobs = operations.jobs_to_print(db.session, device)
    bodies = [job_body(job, with_payload=True) for job in jobs]
    db.session.commit()
    return bodies


@blp.route("/print-jobs/<int:job_id>/result", methods=["POST"])
@blp.arguments(ResultSchema())
@blp.response(200, PrintJobSchema)
def job_result(data, job_id):
    """For a device agent: what the printer did with a job."""
    device = require_device(*PRINTING_DEVICES)
    job = db.session.get(PrintJob, job_id)
    if job is None or job.device_id != device.id:
        raise NotFound("unknown_print_job", f"No print job {job_id} for this device.")
    if data["printer"] is not None and operations.record_printer_state(device, data["printer"]):
        _printer_changed(device)
    operations.report(db.session, job, data["printed"], data["error"], printer=data["printer"])
    db.session.commit()
    return job_body(job)


@blp.route("/devices/me", methods=["GET"])
@blp.response(200, DeviceSchema)
def device_me():
    """For a device agent: who this token belongs to."""
    device = require_device(*DeviceKind.ALL)
    return {
        "id": device.id,
        "kind": device.kind,
        "site": device.site.code,
        "counter_id": device.counter_id,
        "name": device.name,
    }


@blp.route("/devices/me/heartbeat", methods=["POST"])
@blp.arguments(HeartbeatSchema())
@blp.response(204)
def heartbeat(data):
    """For a device agent: I am alive, and this is the state of my printer."""
    device = require_device(*DeviceKind.ALL)
    device.last_seen_at = utcnow()
    if operations.record_printer_state(device, data["printer"], data["agent_version"]):
        _printer_changed(device)
    db.session.commit()
    return Response(status=204)


def _printer_changed(device) -> None:
    """Tell the supervisors' screens (the device list) that a printer's state changed."""
    publish_after_commit(
        db.session(),
        "device.changed",
        {
            "site": device.site.code,
            "device_id": device.id,
            "kind": device.kind,
            "name": device.name,
            "printer": operations.printer_state(device),
        },
    )
