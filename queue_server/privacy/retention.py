"""How long personal data is kept, and its removal afterwards (``flask purge-personal-data``).

Personal data is deleted once the purpose of its processing is done or its legal retention
period has run out (Law 91/2025/QH15, the article on deleting and destroying personal data:
Điều 14 by one secondary source, another names a different article [summary; the number is
open]). A dossier's purpose ends with the dossier: returned, refused, stopped at the citizen's
request (a withdrawal), or turned away at intake (:data:`END_STATES`, from the moment its result
was handed back, or else it finished). How long a one-stop unit must keep its records after
that belongs to the archives' rules (Law 33/2024/QH15 and the lists of retention periods), which
were not found: each period is a setting (``RETENTION_*_DAYS``, reasons in ``config.py`` and
``docs/legal.md``), 0 meaning never.

Seven kinds, each with its own period counted from the dossier's end (from the entry's own
time for addresses, from the appointment's day for bookings, from the message's sending or
failure for messages, from the day the bank booked it for a statement's line):

- ``dossiers``: the applicant's name (NOT NULL: replaced by :data:`MARKER`), ID number, phone,
  address, e-mail, the delivery address and the free note (emptied), and in the history the
  name, ID number and authorisation of whoever collected or received the result;
- ``scans``: the files leave the disk (a file shared by a scan still kept stays); their rows
  stay, marked ``purged_at`` and renamed, so the dossier still shows a scan existed;
- ``addresses``: the client addresses and browsers of staff and devices in the audit trail and
  the dossiers' and tickets' logs (who acted stays; from where goes);
- ``bookings``: an appointment's name (replaced by :data:`MARKER`), phone (emptied) and ID
  number; its service, day, slot, status and ticket stay, which the reports count. A booking
  still active is first swept (a no-show, as the reports would count it): an active booking
  keeps its phone, which the one-per-phone rule and the check-in read;
- ``messages``: a notification's recipient, subject, text and parameters (emptied); its
  channel, event, status and times stay, which the reports count per channel;
- ``subscriptions``: the address (e-mail, phone, push endpoint) and the browser's keys of a
  ticket's subscription after the messages' period from the ticket's day (it exists for them);
  the subscription is ended, as an opt-out would, since it can reach no one;
- ``statements``: a bank statement line's payer (emptied) and the transfer's text (replaced by
  :data:`MARKER`); its reference, day, amount, outcome and dossier stay.

Messages and subscriptions of a dossier or a booking, and the statement lines that paid a
dossier's fee, follow it too (:data:`FOLLOWERS`): they carry its applicant's phone, e-mail or
name, so they are emptied in the run that
anonymises it (or later, if it was anonymised before), whatever their own period; a message of
theirs still waiting is cancelled.

What the statistics read stays as it was: the dossiers and their counts, dates, procedures,
channels, outcomes (early, on time, late) and fees, and every log line. Each batch commits on
its own, so an interrupted run loses nothing and the next one carries on; a second run finds
nothing left to do. A run that removed anything adds one audit event
(:data:`~queue_server.audit.recorder.Event.PERSONAL_DATA_PURGED`) with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased, selectinload

from ..audit.models import AuditEntry
from ..audit.recorder import Event, record_event
from ..booking.checkin import sweep
from ..booking.models import Booking
from ..database import utcnow
from ..dossiers.models import Attachment, Dossier, DossierEvent
from ..dossiers.rules import DossierStatus
from ..notify.models import Notification, NotificationStatus, Subscription
from ..payments.models import StatementLine
from ..queueing.models import QueueEvent, Ticket
from ..sites.models import Site
from ..storage import Storage

# A dossier's purpose is over: its result handed back, refused, stopped, or turned away.
END_STATES = (DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.INCOMPLETE)
# What replaces a personal field that may not be empty (the applicant's name, a recipient's).
MARKER = "[đã ẩn danh]"
SCAN_MARKER = "da-xoa-het-thoi-han-luu-tru"
# Who collected or received a result, in a history line's data.
EVENT_PERSONAL_KEYS = ("recipient_name", "recipient_id_number", "authorisation")
HANDOVER_TO_PERSON = ("return", "deliver")
BATCH = 200
KINDS = ("dossiers", "scans", "addresses", "bookings", "messages", "subscriptions", "statements")
# Kinds that also go with their dossier or booking, whatever their own period.
FOLLOWERS = ("messages", "subscriptions", "statements")
LOGS = (AuditEntry, DossierEvent, QueueEvent)


@dataclass(frozen=True)
class Periods:
    """The retention periods in days (0: kept for good)."""

    dossiers: int
    scans: int
    addresses: int
    bookings: int
    messages: int
    statements: int = 365

    @property
    def subscriptions(self) -> int:
        """A ticket's subscription exists for its messages: it is kept as long as they are."""
        return self.messages

    @classmethod
    def from_config(cls, config) -> Periods:
        return cls(
            dossiers=config["RETENTION_DOSSIER_DAYS"],
            scans=config["RETENTION_SCANS_DAYS"],
            addresses=config["RETENTION_CLIENT_DAYS"],
            bookings=config["RETENTION_BOOKING_DAYS"],
            messages=config["RETENTION_MESSAGE_DAYS"],
            statements=config["RETENTION_STATEMENT_DAYS"],
        )

    def cutoff(self, kind: str, now: datetime) -> datetime | None:
        days = getattr(self, kind)
        return now - timedelta(days=days) if days > 0 else None


@dataclass(frozen=True)
class Due:
    """What one kind has past its period: how many, and the oldest moment they count from."""

    kind: str
    count: int
    oldest: date | None  # a moment, or an appointment's day


def _ended():
    return func.coalesce(Dossier.returned_at, Dossier.finished_at)


def _ended_before(cutoff: datetime):
    return Dossier.status.in_(END_STATES) & (_ended() < cutoff)


def _dossiers_due(cutoff: datetime):
    return _ended_before(cutoff) & Dossier.personal_data_purged_at.is_(None)


def _scans_due(cutoff: datetime):
    return _ended_before(cutoff) & Attachment.purged_at.is_(None)


def _address_kept(model):
    kept = model.address.is_not(None)
    if model is AuditEntry:
        kept = kept | AuditEntry.user_agent.is_not(None)
    return kept


def _bookings_due(cutoff: datetime):
    """Past its period, counted from its day. (One still marked booked is swept first, see
    :func:`_purge_bookings`: its grace is long over, and no active booking loses its phone.)"""
    return (Booking.day < cutoff.date()) & (Booking.name != MARKER)


def _gone(periods: Periods, now: datetime):
    """(the dossiers, the bookings) whose personal data is gone, or goes in this run."""
    dossiers = Dossier.personal_data_purged_at.is_not(None)
    if cutoff := periods.cutoff("dossiers", now):
        dossiers = dossiers | _dossiers_due(cutoff)
    bookings = Booking.name == MARKER
    if cutoff := periods.cutoff("bookings", now):
        bookings = bookings | _bookings_due(cutoff)
    return select(Dossier.id).where(dossiers), select(Booking.id).where(bookings)


def _settled():
    """When a message was done with: sent, failed, or else written (a cancelled one)."""
    return func.coalesce(Notification.failed_at, Notification.sent_at, Notification.created_at)


def _messages_due(periods: Periods, now: datetime):
    dossiers, bookings = _gone(periods, now)
    due = Notification.dossier_id.in_(dossiers) | Notification.booking_id.in_(bookings)
    if cutoff := periods.cutoff("messages", now):
        due = due | (Notification.status.not_in(NotificationStatus.OPEN) & (_settled() < cutoff))
    return due & (Notification.recipient != "")


def _subscriptions_due(periods: Periods, now: datetime):
    dossiers, bookings = _gone(periods, now)
    due = Subscription.dossier_id.in_(dossiers) | Subscription.booking_id.in_(bookings)
    if cutoff := periods.cutoff("subscriptions", now):
        due = due | Subscription.ticket_id.in_(select(Ticket.id).where(Ticket.business_date < cutoff.date()))
    return due & (Subscription.address != "")


def _statement_lines_due(periods: Periods, now: datetime):
    dossiers, _ = _gone(periods, now)
    cutoff = periods.cutoff("statements", now)
    due = StatementLine.dossier_id.in_(dossiers)
    return (due | (StatementLine.booked_at < cutoff) if cutoff else due) & (
        StatementLine.description != MARKER
    )


def plan(session: Session, periods: Periods, now: datetime | None = None) -> list[Due]:
    """What a purge would remove now, per kind (``--dry-run``)."""
    now = now or utcnow()
    due = []
    cutoff = periods.cutoff("dossiers", now)
    count, oldest = (
        session.execute(select(func.count(), func.min(_ended())).where(_dossiers_due(cutoff))).one()
        if cutoff
        else (0, None)
    )
    due.append(Due("dossiers", count, oldest))
    cutoff = periods.cutoff("scans", now)
    count, oldest = (
        session.execute(
            select(func.count(), func.min(_ended()))
            .select_from(Attachment)
            .join(Dossier, Dossier.id == Attachment.dossier_id)
            .where(_scans_due(cutoff))
        ).one()
        if cutoff
        else (0, None)
    )
    due.append(Due("scans", count, oldest))
    cutoff = periods.cutoff("addresses", now)
    total, oldest = 0, None
    for model in LOGS if cutoff else ():
        count, first = session.execute(
            select(func.count(), func.min(model.at)).where(model.at < cutoff, _address_kept(model))
        ).one()
        total += count
        oldest = min(x for x in (oldest, first) if x is not None) if (oldest or first) else None
    due.append(Due("addresses", total, oldest))
    cutoff = periods.cutoff("bookings", now)
    count, oldest = (
        session.execute(select(func.count(), func.min(Booking.day)).where(_bookings_due(cutoff))).one()
        if cutoff
        else (0, None)
    )
    due.append(Due("bookings", count, oldest))
    count, oldest = session.execute(
        select(func.count(), func.min(_settled())).where(_messages_due(periods, now))
    ).one()
    due.append(Due("messages", count, oldest))
    count, oldest = session.execute(
        select(func.count(), func.min(Subscription.created_at)).where(_subscriptions_due(periods, now))
    ).one()
    due.append(Due("subscriptions", count, oldest))
    count, oldest = session.execute(
        select(func.count(), func.min(StatementLine.booked_at)).where(_statement_lines_due(periods, now))
    ).one()
    due.append(Due("statements", count, oldest))
    return due


def anonymise(dossier: Dossier, now: datetime) -> None:
    """Replace the dossier's personal fields (see the module's docstring)."""
    dossier.applicant_name = MARKER
    dossier.applicant_id_number = None
    dossier.applicant_phone = None
    dossier.applicant_address = None
    dossier.applicant_email = None
    dossier.delivery_address = None
    dossier.note = None
    dossier.personal_data_purged_at = now
    for event in dossier.events:
        data = dict(event.data or {})
        found = [key for key in EVENT_PERSONAL_KEYS if data.get(key)]
        for key in found:
            data[key] = MARKER if key == "recipient_name" else None
        if found:
            event.data = data
        if event.action in HANDOVER_TO_PERSON and event.to_party:
            event.to_party = MARKER


def _purge_dossiers(session: Session, cutoff: datetime, now: datetime) -> int:
    done = 0
    while True:
        batch = session.scalars(
            select(Dossier)
            .where(_dossiers_due(cutoff))
            .order_by(Dossier.id)
            .limit(BATCH)
            .options(selectinload(Dossier.events))
        ).all()
        if not batch:
            return done
        for dossier in batch:
            anonymise(dossier, now)
        session.commit()
        done += len(batch)


def _purge_scans(session: Session, storage: Storage, cutoff: datetime, now: datetime) -> tuple[int, int]:
    """Mark the rows (committed per batch), then remove every file no kept scan shares. Rows
    are renamed with a bulk update so that the audit trail never copies the old file names."""
    marked = 0
    while True:
        ids = session.scalars(
            select(Attachment.id)
            .join(Dossier, Dossier.id == Attachment.dossier_id)
            .where(_scans_due(cutoff))
            .order_by(Attachment.id)
            .limit(BATCH)
        ).all()
        if not ids:
            break
        session.execute(
            update(Attachment)
            .where(Attachment.id.in_(ids))
            .values(purged_at=now, filename=SCAN_MARKER)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        marked += len(ids)
    # Every purged file still on disk, also those of an earlier run that was interrupted.
    kept = aliased(Attachment)
    keys = session.scalars(
        select(Attachment.storage_key)
        .where(Attachment.purged_at.is_not(None))
        .where(~exists().where(kept.storage_key == Attachment.storage_key, kept.purged_at.is_(None)))
        .distinct()
    ).all()
    removed = sum(1 for key in keys if storage.delete(key))
    return marked, removed


def _purge_addresses(session: Session, cutoff: datetime) -> int:
    done = 0
    for model in LOGS:
        values = {"address": None}
        if model is AuditEntry:
            values["user_agent"] = None
        result = cast(  # an UPDATE's result has a cursor
            CursorResult,
            session.execute(
                update(model)
                .where(model.at < cutoff, _address_kept(model))
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        )
        session.commit()
        done += result.rowcount
    return done


def _in_batches(session: Session, model, due, values: dict) -> int:
    """Update the rows ``due`` with ``values``, :data:`BATCH` at a time, each batch committed. A
    bulk update: the audit trail never copies what it removes."""
    done = 0
    while ids := session.scalars(select(model.id).where(due).order_by(model.id).limit(BATCH)).all():
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        done += len(ids)
    return done


def _purge_bookings(session: Session, cutoff: datetime) -> int:
    """First the sweep the reports would run (a booking never checked in is a no-show), so that
    no booking past its period is left active, then the personal fields."""
    for site in session.scalars(select(Site)).all():
        sweep(session, site)
    session.commit()
    return _in_batches(
        session, Booking, _bookings_due(cutoff), {"name": MARKER, "phone": "", "id_number": None}
    )


def _purge_messages(session: Session, periods: Periods, now: datetime) -> tuple[int, int]:
    """(messages, subscriptions) emptied; a message still waiting is cancelled, and a
    subscription ended: neither can reach anyone any more."""
    waiting = Notification.status.in_(NotificationStatus.OPEN)
    messages = _in_batches(
        session,
        Notification,
        _messages_due(periods, now),
        {
            "recipient": "",
            "subject": None,
            "body": "",
            "params": {},
            "status": case((waiting, NotificationStatus.CANCELLED), else_=Notification.status),
            "lease_until": None,
        },
    )
    subscriptions = _in_batches(
        session,
        Subscription,
        _subscriptions_due(periods, now),
        {"address": "", "keys": None, "opted_out_at": func.coalesce(Subscription.opted_out_at, now)},
    )
    return messages, subscriptions


def purge(session: Session, storage: Storage, periods: Periods, now: datetime | None = None) -> dict:
    """Remove what is past its period; returns the counts (``files``: removed from disk)."""
    now = now or utcnow()
    counts = dict.fromkeys(("files", *KINDS), 0)
    if cutoff := periods.cutoff("dossiers", now):
        counts["dossiers"] = _purge_dossiers(session, cutoff, now)
    if cutoff := periods.cutoff("scans", now):
        counts["scans"], counts["files"] = _purge_scans(session, storage, cutoff, now)
    if cutoff := periods.cutoff("addresses", now):
        counts["addresses"] = _purge_addresses(session, cutoff)
    if cutoff := periods.cutoff("bookings", now):
        counts["bookings"] = _purge_bookings(session, cutoff)
    # After the dossiers and bookings: their messages and subscriptions go with them.
    counts["messages"], counts["subscriptions"] = _purge_messages(session, periods, now)
    counts["statements"] = _in_batches(
        session, StatementLine, _statement_lines_due(periods, now), {"payer": "", "description": MARKER}
    )
    if any(counts.values()):
        periods_days = {kind: getattr(periods, kind) for kind in KINDS}
        record_event(
            session,
            Event.PERSONAL_DATA_PURGED,
            {"subject": "retention", "counts": counts, "days": periods_days},
        )
        session.commit()
    return counts
