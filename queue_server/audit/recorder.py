"""Write the audit trail of every transaction, in that transaction.

Listeners on every session collect what the ORM changes (``before_flush`` sees each object
before and after) and, at ``before_commit``, add one :class:`AuditEntry` naming the actor, the
client's address and the request. It commits or rolls back with the change it describes:
no change without its entry, no entry for a change that did not happen.

Tickets, counters and dossiers keep their own logs (``queue_events``, ``dossier_events``),
which record the same actor and address (:func:`context`); they are not repeated here. Device
contact (heartbeats, last seen) is the device's health, not a change anyone made: not audited.
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click
from flask import has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..actors import client_address, known_actor, user_agent
from ..database import utcnow
from .models import AuditEntry

_CHANGES = "audit_changes"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Tables with a log of their own, or bookkeeping that changes on every request.
OWN_LOG = {
    "tickets",
    "ticket_sequences",
    "queue_events",
    "dossiers",
    "dossier_events",
    "dossier_sequences",
    "register_sequences",
    "sync_operations",
    "audit_entries",
    "user_sessions",  # logins, logouts and ended sessions are events of their own (auth/sessions.py)
    "signage_notices",  # the hall's notices and playlist: events of their own (sites/signage.py)
    "signage_media",
    # The citizens' addresses and the messages sent to them (notify/): personal data, and
    # their own record of who was told what and when.
    "notify_subscriptions",
    "notifications",
    # Appointments: the citizen's name, phone and ID number, booked by the citizen with no
    # account; the row keeps its own times (created, cancelled, checked in).
    "bookings",
    # A bank statement's lines (payments/): payers' names and descriptions, thousands per import,
    # each kept with its import (who, when), which the trail records.
    "statement_lines",
    # What the province was told (province/): one row per dossier move with its attempts and the
    # province's answer, shown on the reconciliation page.
    "province_messages",
}
# Columns never copied into the log: secrets, and the device's health.
HIDDEN = {"password_hash", "token_hash", "secret"}
IGNORED = {"last_seen_at", "health", "event_seq"}


class Event:
    """What an entry records when it is not a change of rows (``AuditEntry.event``)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"  # a login refused because of too many failures
    LOGOUT = "logout"
    SESSIONS_ENDED = "sessions_ended"  # every session of an account revoked
    PERSONAL_DATA_READ = "personal_data_read"  # a dossier's personal data seen or exported
    PERSONAL_DATA_PURGED = "personal_data_purged"
    SUBJECT_EXPORT = "subject_export"  # everything held about one ID number, exported
    # The hall screen's signage (sites/signage.py): what was shown, with its file's name and size.
    SIGNAGE_NOTICE_ADDED = "signage_notice_added"
    SIGNAGE_NOTICE_CHANGED = "signage_notice_changed"
    SIGNAGE_NOTICE_REMOVED = "signage_notice_removed"
    SIGNAGE_MEDIA_ADDED = "signage_media_added"
    SIGNAGE_MEDIA_CHANGED = "signage_media_changed"
    SIGNAGE_MEDIA_REMOVED = "signage_media_removed"
    SIGNAGE_REORDERED = "signage_reordered"


def record_event(
    session: Session,
    event: str,
    details: dict | None = None,
    *,
    site_id: int | None = None,
    user=None,
) -> AuditEntry:
    """Add an entry for ``event`` (see :class:`Event`) in the caller's transaction.

    Who, from where and with which browser come from the request, as for changes; ``user``
    names the account concerned when nobody is logged in yet (a login, a refused login).
    The caller commits: an entry for a refused login is committed even though the request fails.
    """
    who = context()
    if user is not None and who["user_id"] is None:
        who["user_id"] = user.id
        who["actor_name"] = user.full_name or user.username
    who["site_id"] = site_id if site_id is not None else who["site_id"]
    entry = AuditEntry(
        at=utcnow(), changes=[], event=event, details=_plain(details), user_agent=user_agent(), **who
    )
    session.add(entry)
    return entry


def context() -> dict:
    """Who acts and from where, for any log: the request's actor and address, or the CLI."""
    actor = known_actor()
    user = getattr(actor, "user", None)
    device = getattr(actor, "device", None)
    if user is None and has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            user = current_user._get_current_object()
    if user is not None:
        name = user.full_name or user.username
    elif device is not None:
        name = device.name or f"{device.kind} #{device.id}"
    else:
        name = None
    if has_request_context():
        address = client_address()
        action = f"{request.method} {request.path}"
    else:
        command = click.get_current_context(silent=True)
        address, action = None, "cli " + (command.info_name if command and command.info_name else sys.argv[0])
    return {
        "user_id": user.id if user is not None else None,
        "device_id": device.id if device is not None else None,
        "actor_name": name,
        "address": address,
        "action": action[:200],
        "site_id": getattr(device, "site_id", None),
    }


def _plain(value):
    """A column's value as JSON can keep it: JSON columns stay structured, the rest become text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return str(value)


def _describe(obj, op: str) -> dict | None:
    """The change as ``[before, after]`` per column. An insert is read once flushed (so that
    its id and defaults are known): call again with ``op="inserted"``."""
    state = inspect(obj)
    table = getattr(obj, "__tablename__", None)
    if table is None or table in OWN_LOG:
        return None
    if op == "insert":
        return {"table": table, "object": obj, "op": op, "values": None, "site_id": None}
    values = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key in IGNORED:
            continue
        history = state.attrs[key].history
        if op == "update" and not history.has_changes():
            continue
        before = (
            history.deleted[0] if history.deleted else (history.unchanged[0] if history.unchanged else None)
        )
        after = history.added[0] if history.added else (history.unchanged[0] if history.unchanged else None)
        if op == "inserted":
            before = None
        if op == "delete":
            after = None
        if key in HIDDEN:
            before, after = ("…" if before is not None else None), ("…" if after is not None else None)
        values[key] = [_plain(before), _plain(after)]
    for relationship in state.mapper.relationships:
        if relationship.secondary is None:
            continue  # only many-to-many links (a user's sites) live outside the row's columns
        history = state.attrs[relationship.key].history
        if op == "update" and not history.has_changes():
            continue
        before = [*history.unchanged, *history.deleted]
        after = [*history.unchanged, *history.added]
        values[relationship.key] = [
            None if op == "inserted" else _names(before),
            None if op == "delete" else _names(after),
        ]
    if op == "update" and not values:
        return None
    return {
        "table": table,
        "object": obj,
        "op": op,
        "values": values,
        "site_id": _site_of(obj, table),
    }


def _names(objects) -> list:
    return sorted(str(getattr(obj, "code", None) or inspect(obj).identity[0]) for obj in objects)


# Where a change belongs when its row has no site_id of its own, so that the site's
# supervisors find it (a user working at several sites is filed under the first).
SITE_OF = {
    "sites": lambda site: site.id,
    "counter_schedules": lambda rule: rule.counter.site_id if rule.counter is not None else None,
    "duties": lambda duty: duty.counter.site_id if duty.counter is not None else None,
    "users": lambda user: min((site.id for site in user.sites), default=None),
}


def _site_of(obj, table: str) -> int | None:
    site_id = getattr(obj, "site_id", None)
    if site_id is None and table in SITE_OF:
        site_id = SITE_OF[table](obj)
    return site_id


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    found = session.info.setdefault(_CHANGES, [])
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if getattr(obj, "__tablename__", None) in OWN_LOG:
                continue
            if op == "update" and not session.is_modified(obj):
                continue
            change = _describe(obj, op)
            if change is not None:
                found.append(change)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    changes = session.info.pop(_CHANGES, None)
    session.flush()  # objects changed since the last flush are collected by this flush
    changes = (changes or []) + session.info.pop(_CHANGES, [])
    if not changes:
        return
    who = context()
    if has_request_context() and request.method not in MUTATING and who["user_id"] is None:
        return  # a page view that touched nothing anyone should answer for (e.g. a device's contact)
    rows = []
    for change in changes:
        obj = change.pop("object")
        if change["op"] == "insert":
            inserted = _describe(obj, "inserted")
            assert inserted is not None  # a table we log: it was described at its insert
            change["values"], change["site_id"] = inserted["values"], inserted["site_id"]
        identity = inspect(obj).identity
        change["id"] = (
            identity[0] if identity and len(identity) == 1 else (list(identity) if identity else None)
        )
        who["site_id"] = who["site_id"] or change.pop("site_id")
        change.pop("site_id", None)
        rows.append(change)
    session.add(AuditEntry(at=utcnow(), changes=rows, user_agent=user_agent(), **who))
    session.flush()
    session.info.pop(_CHANGES, None)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_CHANGES, None)
