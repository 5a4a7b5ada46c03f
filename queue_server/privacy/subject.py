"""Everything held about one person, found by their ID number: the data subject's request.

The data subject may ask to see, and to be given, their personal data (Law 91/2025/QH15
Điều 4 [summary]); Nghị định 356/2025 has the controller answer a request within two working
days and carry it out within set periods [summary: secondary sources, the articles not seen].
An admin answers it with :func:`export_zip`: a ZIP holding ``summary.json`` and the scans still
kept. The export is itself recorded (:data:`~queue_server.audit.recorder.Event.SUBJECT_EXPORT`),
with the dossiers it covered and the number masked.

Where the number is found: the applicant's ID number of a dossier (the whole dossier: its
applicant, history, scans, the queue ticket it came with, the consent to be contacted, and
every recorded read of it), and the ID number of whoever collected or received a result for
someone else (only the lines of history that name them: the rest of that dossier is the
applicant's, not theirs), and the ID number given with an appointment (the booking: service,
day, slot, status, the ticket it became).

The notifications of their dossiers and bookings come with them: where the citizen asked to be
told (the subscriptions) and every message, with its address and full text. These are the
citizen's own data given back to them, as the dossier's applicant fields are (not masked as on
the staff's pages); once the retention purge has emptied them, the rows stay and say so.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, selectinload

from ..audit.reads import read_view, reads_of
from ..audit.recorder import Event, record_event
from ..booking.models import Booking
from ..booking.presenters import booking_public
from ..database import utcnow
from ..dossiers.models import Dossier, DossierEvent
from ..dossiers.presenters import applicant_view, attachment_view, consent_view, event_view
from ..errors import ApiError
from ..notify.models import Subscription
from ..notify.presenters import notification_view
from ..notify.queries import messages_about
from ..queueing.models import Ticket
from ..storage import Storage
from ..timefmt import iso

# Vietnamese identity papers: the citizen identity card (CCCD, 12 digits, the personal
# identification number), the old identity card (CMND, 9 digits), a passport (a letter and
# 7 or 8 digits).
ID_DOCUMENTS = {
    "cccd": re.compile(r"^\d{12}$"),
    "cmnd": re.compile(r"^\d{9}$"),
    "passport": re.compile(r"^[A-Z]\d{7,8}$"),
}
# A data subject's export may not fill the worker: beyond this many dossiers, narrow it down.
MAX_DOSSIERS = 500


class InvalidIdNumber(ApiError):
    status = 422


def normalise(value: str | None) -> str:
    """The number as stored (no spaces, dots or dashes; a passport's letter upper-case), or
    :class:`InvalidIdNumber`."""
    number = re.sub(r"[\s.\-]", "", value or "").upper()
    if not any(pattern.match(number) for pattern in ID_DOCUMENTS.values()):
        raise InvalidIdNumber(
            "invalid_id_number",
            "Give an ID number: 12 digits (citizen identity card), 9 digits (old identity card) "
            "or a passport number (a letter and 7 or 8 digits).",
            field="id_number",
        )
    return number


def masked(number: str) -> str:
    """What the audit trail keeps of the number: enough to tell two requests apart."""
    return "*" * (len(number) - 4) + number[-4:]


def _dossier_facts(dossier: Dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "handling_centre": dossier.site.name,
        "receiving_site": dossier.receiving_site.name,
        "channel": dossier.channel,
        "status": dossier.status,
        "received_at": iso(dossier.received_at),
        "finished_at": iso(dossier.finished_at),
        "returned_at": iso(dossier.returned_at),
    }


def _ticket(session: Session, ticket_id: int | None) -> dict | None:
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        return None
    return {
        "number": ticket.number,
        "date": ticket.business_date.isoformat(),
        "service": ticket.service.name,
        "issued_at": iso(ticket.issued_at),
        "finished_at": iso(ticket.finished_at),
    }


def _notifications(session: Session, *, dossier_id: int | None = None, booking_id: int | None = None) -> dict:
    """Where the citizen asked to be told about one dossier or booking, and what they were told."""
    subscriptions = session.scalars(
        select(Subscription)
        .where(Subscription.dossier_id == dossier_id, Subscription.booking_id == booking_id)
        .order_by(Subscription.id)
    )
    messages = messages_about(session, dossier_id=dossier_id, booking_id=booking_id)
    return {
        "subscriptions": [
            {
                "channel": row.channel,
                "address": row.address or None,
                "language": row.language,
                "via": row.via,
                "created_at": iso(row.created_at),
                "opted_out_at": iso(row.opted_out_at),
            }
            for row in subscriptions
        ],
        "messages": [
            {
                **notification_view(row),
                "recipient": row.recipient or None,
                "subject": row.subject,
                "text": row.body or None,
            }
            for row in messages
        ],
    }


def _bookings(session: Session, number: str) -> list[dict]:
    """The appointments booked with ``number``: a few at most, since their numbers are emptied
    ``RETENTION_BOOKING_DAYS`` after their day (:mod:`.retention`)."""
    bookings = session.scalars(select(Booking).where(Booking.id_number == number).order_by(Booking.starts_at))
    return [
        {
            **booking_public(booking, "vi"),
            "name": booking.name,
            "phone": booking.phone or None,
            "created_at": iso(booking.created_at),
            "cancelled_at": iso(booking.cancelled_at),
            "checked_in_at": iso(booking.checked_in_at),
            "ticket": _ticket(session, booking.ticket_id),
            **_notifications(session, booking_id=booking.id),
        }
        for booking in bookings
    ]


def _reads(session: Session, codes: list[str]) -> list[dict]:
    """Who read these dossiers' personal data, oldest first, each with the dossiers it showed."""
    return [
        {
            **read_view(entry),
            "dossiers": [c for c in codes if c in json.dumps(entry.details or {}, ensure_ascii=False)],
        }
        for entry in reversed(reads_of(session, codes))
    ]


def gather(session: Session, number: str) -> tuple[dict, list]:
    """(the summary, the scans to add as ``[(path in the ZIP, storage key)]``)."""
    own = session.scalars(
        select(Dossier)
        .where(Dossier.applicant_id_number == number)
        .order_by(Dossier.received_at)
        .limit(MAX_DOSSIERS + 1)
        .options(selectinload(Dossier.events), selectinload(Dossier.attachments))
    ).all()
    if len(own) > MAX_DOSSIERS:
        raise ApiError("too_many_dossiers", f"More than {MAX_DOSSIERS} dossiers hold this number.", 422)
    # A recipient's number sits in a history line's data; the text search narrows, the check decides.
    named = [
        event
        for event in session.scalars(
            select(DossierEvent)
            .where(cast(DossierEvent.data, String).like(f"%{number}%"))
            .order_by(DossierEvent.at)
            .limit(MAX_DOSSIERS)
        )
        if (event.data or {}).get("recipient_id_number") == number
    ]
    scans, dossiers = [], []
    for dossier in own:
        attachments = []
        for attachment in dossier.attachments:
            view = attachment_view(attachment)
            if attachment.purged_at is None:
                view["file"] = f"scans/{dossier.code}/{attachment.id}-{attachment.filename}"
                scans.append((view["file"], attachment.storage_key))
            attachments.append(view)
        dossiers.append(
            {
                **_dossier_facts(dossier),
                "applicant": applicant_view(dossier),
                "delivery": dossier.delivery,
                "delivery_address": dossier.delivery_address,
                "note": dossier.note,
                "contact_consent": consent_view(dossier),
                "personal_data_purged_at": iso(dossier.personal_data_purged_at),
                "ticket": _ticket(session, dossier.ticket_id),
                "history": [event_view(event) for event in dossier.events],
                "attachments": attachments,
                **_notifications(session, dossier_id=dossier.id),
            }
        )
    collected = [
        {**_dossier_facts(event.dossier), "history": [event_view(event)]}
        for event in named
        if event.dossier.applicant_id_number != number
    ]
    codes = [d["code"] for d in dossiers] + [d["code"] for d in collected]
    summary = {
        "id_number": number,
        "exported_at": iso(utcnow()),
        "as_applicant": dossiers,
        "as_recipient": collected,
        "bookings": _bookings(session, number),
        "reads": _reads(session, codes),
    }
    return summary, scans


def export_zip(session: Session, storage: Storage, number: str) -> tuple[bytes, list[str]]:
    """The ZIP for ``number`` (already :func:`normalise`-d) and the dossiers it covers; records
    the export (the caller commits)."""
    summary, scans = gather(session, number)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.json", json.dumps(summary, ensure_ascii=False, indent=2))
        for path, key in scans:
            try:
                with storage.open(key) as handle:
                    archive.writestr(path, handle.read())
            except FileNotFoundError:
                continue  # removed from disk meanwhile: the summary still lists it
    codes = [d["code"] for d in summary["as_applicant"] + summary["as_recipient"]]
    record_event(
        session,
        Event.SUBJECT_EXPORT,
        {"subject": masked(number), "dossiers": codes, "bookings": len(summary["bookings"])},
    )
    return buffer.getvalue(), codes


def filename(number: str, at: datetime) -> str:
    return f"du-lieu-ca-nhan-{masked(number).replace('*', 'x')}-{at:%Y%m%d}.zip"
