"""Record each read of a dossier's personal data in the audit trail.

Law 91/2025/QH15 gives the data subject the right to know how their data is processed
(Điều 4 [summary]); Nghị định 356/2025 asks some controllers to keep a log of every processing
of personal data [summary; that sentence was seen for banking, whether it binds a one-stop unit
is open]. Reading is processing, so whoever sees an applicant's fields is recorded: who (user
or device), when, from which address and browser (:func:`~queue_server.audit.recorder.record_event`
takes them from the request), and what: ``details = {"subject": <dossier code>, "what": ...}``,
with ``"dossiers": [codes]`` when one read shows several (a search, the tracking book, a post
office's list of deliveries). The ID number itself is never written there: the dossier codes
lead to it.

A view that records commits: one small insert. Answers to a change (intake, an action) are not
recorded again: the dossier's history already names who made the change, when and from where.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from ..actors import Actor
from ..timefmt import iso
from ..web import N_
from .models import AuditEntry
from .recorder import Event, record_event

# How much of a long list the entry's subject spells out; the list itself is in "dossiers".
SUBJECT_CODES = 3


class What:
    """What was read (``details["what"]``)."""

    DETAIL = "detail"  # the dossier's staff view (API, the console's dossier page)
    SEARCH = "search"  # a list searched by name, ID number or phone
    RECEIPT_PRINT = "receipt print"  # the thermal receipt, with the applicant's name
    POSTAL_INBOX = "postal inbox"  # the results a post office is to deliver, with addresses
    ID_CARD = "ID card"  # a chip ID card's QR code decoded for a member of staff or a post office
    BOOKINGS = "bookings"  # a day's bookings with the citizens' names (the codes: "booking <id>")
    # A bank statement's lines with the payers' names and the transfers' descriptions (the
    # codes: the dossiers they name; payments/).
    BANK_STATEMENT = "bank statement"

    @staticmethod
    def form(label: str) -> str:
        return f"form {label}"

    @staticmethod
    def scan(attachment_id: int) -> str:
        return f"scan {attachment_id}"

    @staticmethod
    def tracking_book(first, last, fmt: str) -> str:
        return f"tracking book {first.isoformat()}..{last.isoformat()} ({fmt})"


# What a read is called on the pages, by the start of ``details["what"]`` (the rest, a form's
# number, a scan's id or the book's period, follows as it is).
WHAT_LABELS = {
    What.DETAIL: N_("Xem hồ sơ"),
    "form": N_("Biểu mẫu"),
    "scan": N_("Bản quét"),
    "tracking book": N_("Sổ theo dõi hồ sơ"),
    What.SEARCH: N_("Tìm kiếm"),
    What.RECEIPT_PRINT: N_("In biên nhận"),
    What.POSTAL_INBOX: N_("Danh sách phát của bưu điện"),
    What.ID_CARD: N_("Đọc mã QR trên CCCD"),
    What.BOOKINGS: N_("Danh sách lịch hẹn"),
    What.BANK_STATEMENT: N_("Sao kê ngân hàng"),
}


def record_read(
    session: Session, what: str, codes: str | Sequence[str], *, site_id: int | None = None
) -> AuditEntry:
    """Add a :data:`~queue_server.audit.recorder.Event.PERSONAL_DATA_READ` entry for the
    dossiers ``codes`` (one code, or several read at once). The caller commits."""
    if isinstance(codes, str):
        return record_event(
            session, Event.PERSONAL_DATA_READ, {"subject": codes, "what": what}, site_id=site_id
        )
    codes = list(codes)
    subject = ", ".join(codes[:SUBJECT_CODES])
    if len(codes) > SUBJECT_CODES:
        subject += f" (+{len(codes) - SUBJECT_CODES})"
    details = {"subject": subject, "what": what, "dossiers": codes}
    return record_event(session, Event.PERSONAL_DATA_READ, details, site_id=site_id)


def reads_of(session: Session, codes: Sequence[str], limit: int | None = None) -> list[AuditEntry]:
    """The recorded reads of these dossiers' personal data, newest first."""
    if not codes:
        return []
    statement = (
        select(AuditEntry)
        .where(
            AuditEntry.event == Event.PERSONAL_DATA_READ,
            or_(*(cast(AuditEntry.details, String).like(f'%"{code}"%') for code in codes)),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return list(session.scalars(statement.limit(limit) if limit else statement))


def read_view(entry: AuditEntry) -> dict:
    return {
        "at": iso(entry.at),
        "actor": entry.actor_name,
        "address": entry.address,
        "user_agent": entry.user_agent,
        "what": (entry.details or {}).get("what"),
    }


def record_changed_list(session: Session, what: str, codes: Sequence[str], actor: Actor) -> AuditEntry | None:
    """Record a list a device fetches again and again (a post office's deliveries, every sync
    round) only when it differs from the last one recorded for that device: one entry per
    change of what the device holds, not one per poll."""
    codes = sorted(codes)
    if not codes or actor.device is None:
        return None
    last = session.scalar(
        select(AuditEntry.details)
        .where(
            AuditEntry.event == Event.PERSONAL_DATA_READ,
            AuditEntry.device_id == actor.device.id,
            cast(AuditEntry.details, String).like(f'%"{what}"%'),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if last is not None and sorted(last.get("dossiers") or []) == codes:
        return None
    return record_read(session, what, codes, site_id=actor.device.site_id)


def record_id_card_read(session: Session, actor: Actor) -> AuditEntry:
    """A chip ID card's fields were decoded for ``actor``. No dossier exists yet, and the number
    is not written down: the entry says who read a card, when and where."""
    site_id: int | None
    if actor.device is not None:
        site_id = actor.device.site_id
    else:
        site_id = min((site.id for site in actor.user.sites), default=None) if actor.user else None
    return record_event(session, Event.PERSONAL_DATA_READ, {"what": What.ID_CARD}, site_id=site_id)
