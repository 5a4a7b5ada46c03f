"""Searching the audit trail: the audit entries, the queue's event log and the dossiers'
history, merged newest first. Each source carries who, what, when and from which address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session, aliased

from ..audit.models import AuditEntry
from ..auth.models import DeviceToken, User
from ..dossiers.models import Dossier, DossierEvent
from ..notify.models import Notification
from ..notify.presenters import notification_view
from ..queueing.models import QueueEvent, Ticket
from ..sites.models import Counter
from ..timefmt import iso
from .presenters import scrub

SOURCES = ("audit", "queue", "dossier", "notify")


@dataclass
class Query:
    site_ids: list[int] | None  # None: every site, and entries of no site (admins)
    actor: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None
    limit: int = 100


def _window(statement, column, query: Query):
    if query.since is not None:
        statement = statement.where(column >= query.since)
    if query.until is not None:
        statement = statement.where(column < query.until)
    return statement.order_by(column.desc()).limit(query.limit)


def _subject(entry: AuditEntry) -> str:
    """What the entry concerns: the rows it changed, or for an event what the event names
    (the account of a login, the dossier whose personal data was read)."""
    if entry.event is not None:
        about = (entry.details or {}).get("subject")
        return f"{entry.event}: {about}" if about else entry.event
    return ", ".join(sorted({f"{c['table']} #{c.get('id')}" for c in entry.changes}))


def _audit_rows(session: Session, query: Query) -> list[dict]:
    statement = select(AuditEntry)
    if query.site_ids is not None:
        statement = statement.where(AuditEntry.site_id.in_(query.site_ids))
    if query.actor:
        statement = statement.where(AuditEntry.actor_name.ilike(f"%{query.actor}%"))
    if query.text:
        pattern = f"%{query.text}%"
        statement = statement.where(
            or_(
                AuditEntry.action.ilike(pattern),
                AuditEntry.event.ilike(pattern),
                cast(AuditEntry.changes, String).ilike(pattern),
                cast(AuditEntry.details, String).ilike(pattern),
            )
        )
    return [
        {
            "source": "audit",
            "at": entry.at,
            "actor": entry.actor_name,
            "address": entry.address,
            "action": entry.action,
            "subject": _subject(entry),
            "changes": entry.changes,
            "event": entry.event,
            "details": entry.details,
            "user_agent": entry.user_agent,
        }
        for entry in session.scalars(_window(statement, AuditEntry.at, query))
    ]


def _queue_rows(session: Session, query: Query) -> list[dict]:
    device = aliased(DeviceToken)
    statement = (
        select(QueueEvent, User.full_name, User.username, device.name, Ticket.number, Counter.number)
        .outerjoin(User, User.id == QueueEvent.user_id)
        .outerjoin(device, device.id == QueueEvent.device_id)
        .outerjoin(Ticket, Ticket.id == QueueEvent.ticket_id)
        .outerjoin(Counter, Counter.id == QueueEvent.counter_id)
    )
    if query.site_ids is not None:
        statement = statement.where(QueueEvent.site_id.in_(query.site_ids))
    if query.actor:
        pattern = f"%{query.actor}%"
        statement = statement.where(
            or_(User.full_name.ilike(pattern), User.username.ilike(pattern), device.name.ilike(pattern))
        )
    if query.text:
        pattern = f"%{query.text}%"
        statement = statement.where(or_(QueueEvent.kind.ilike(pattern), Ticket.number.ilike(pattern)))
    rows = session.execute(_window(statement, QueueEvent.at, query)).all()
    return [
        {
            "source": "queue",
            "at": event.at,
            "actor": full_name or username or device_name,
            "address": event.address,
            "action": event.kind,
            "subject": number or (f"counter #{event.counter_id}" if event.counter_id else ""),
            "counter": counter,
            "changes": event.data or {},
        }
        for event, full_name, username, device_name, number, counter in rows
    ]


def _dossier_rows(session: Session, query: Query) -> list[dict]:
    statement = select(DossierEvent, Dossier.code).join(Dossier, Dossier.id == DossierEvent.dossier_id)
    if query.site_ids is not None:
        statement = statement.where(
            or_(Dossier.site_id.in_(query.site_ids), Dossier.intake_site_id.in_(query.site_ids))
        )
    if query.actor:
        statement = statement.where(DossierEvent.actor_name.ilike(f"%{query.actor}%"))
    if query.text:
        pattern = f"%{query.text}%"
        statement = statement.where(or_(DossierEvent.action.ilike(pattern), Dossier.code.ilike(pattern)))
    return [
        {
            "source": "dossier",
            "at": event.at,
            "actor": event.actor_name,
            "address": event.address,
            "action": f"dossier.{event.action}",
            "subject": code,
            "changes": {
                "status": event.status,
                **{k: v for k, v in (event.data or {}).items() if k != "from_status"},
            },
        }
        for event, code in session.execute(_window(statement, DossierEvent.at, query))
    ]


def _notify_rows(session: Session, query: Query) -> list[dict]:
    """The messages sent to citizens, each under its ticket's number or dossier's code, with
    its outcome (the address masked): a ticket's or dossier's record shows what it was told."""
    if query.actor:  # written by the system, never by a person
        return []
    statement = (
        select(Notification, Ticket.number, Dossier.code)
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
        .outerjoin(Dossier, Dossier.id == Notification.dossier_id)
    )
    if query.site_ids is not None:
        statement = statement.where(Notification.site_id.in_(query.site_ids))
    if query.text:
        pattern = f"%{query.text}%"
        statement = statement.where(
            or_(Notification.event.ilike(pattern), Ticket.number.ilike(pattern), Dossier.code.ilike(pattern))
        )
    return [
        {
            "source": "notify",
            "at": row.created_at,
            "actor": None,
            "address": None,
            "action": row.event,
            "subject": number or code or "",
            "changes": {key: value for key, value in notification_view(row).items() if value is not None},
        }
        for row, number, code in session.execute(_window(statement, Notification.created_at, query))
    ]


def search(session: Session, query: Query) -> list[dict]:
    readers = {"audit": _audit_rows, "queue": _queue_rows, "dossier": _dossier_rows, "notify": _notify_rows}
    wanted = [query.source] if query.source else SOURCES
    rows = [row for source in wanted for row in readers[source](session, query)]
    rows.sort(key=lambda row: row["at"], reverse=True)
    # Tracking keys (a print job's link to the ticket's page...) never leave the trail.
    return [scrub({**row, "at": iso(row["at"])}) for row in rows[: query.limit]]


def window(date_from: date | None, date_to: date | None, tz) -> tuple[datetime | None, datetime | None]:
    """The instants from the start of ``date_from`` to the end of ``date_to`` (local dates)."""
    since = datetime.combine(date_from, time(0), tz) if date_from else None
    until = datetime.combine(date_to, time(0), tz) + timedelta(days=1) if date_to else None
    return since, until
