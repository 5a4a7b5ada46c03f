"""The event log: every change to a ticket or counter is written here and published live.

Operations call :func:`record` while they work; the entries get their place in the site's
event sequence only when the transaction commits (:func:`_number_entries`). Taking the site
row's lock as the very last step of every transaction keeps lock order the same everywhere
(no deadlocks between two counters calling at once on PostgreSQL) and makes the sequence follow
commit order, so a client that sees a gap knows it missed something.

A ticket issued is logged without a place in the sequence (:data:`SEQUENCED_KINDS`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import psycopg
from sqlalchemy import event, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.recorder import client_address
from ..auth.access import Actor
from ..events import publish_after_commit
from ..sites.models import Counter, Site
from .models import QueueEvent, Ticket
from .presenters import iso, ticket_public

_PENDING = "journal_entries"

# The changes numbered in the site's sequence, and all that public screens (hall and counter
# displays, rating pads, phones) are sent. A ticket issued is neither. Numbering it would lock
# the site's row in every kiosk's transaction: a busy centre would take its numbers one at a
# time, and behind its officers' calls. Sending it to every screen would cost more than all the
# rest of the work. Screens show the waiting counts instead (``queue.stats``); staff are sent
# each ticket issued as a notice, with ``seq`` None, and take it without a gap check.
SEQUENCED_KINDS = frozenset(
    {
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.skipped",
        "ticket.reactivated",
        "ticket.transferred",
        "ticket.finished",
        "counter.changed",
    }
)


def record(
    session: Session,
    site: Site,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    data: dict | None = None,
    payload: dict | None = None,
) -> None:
    """Log one change; its live delta is published after commit.

    ``data`` is stored in the log; ``payload`` adds public fields to the live delta only. The
    delta shows the ticket as it is now, before any later change in the same transaction.
    """
    session.flush()
    entry = {
        "site_id": site.id,
        "kind": kind,
        "at": at,
        "ticket_id": ticket.id if ticket is not None else None,
        "counter_id": counter.id if counter is not None else None,
        "user_id": actor.user_id,
        "device_id": actor.device_id,
        "address": client_address(),
        "data": data or {},
    }
    delta = {"type": kind, "seq": None, "site": site.code, "at": iso(at)}
    if ticket is not None:
        delta["ticket"] = ticket_public(ticket)
    if counter is not None:
        delta["counter_id"] = counter.id
    delta.update(payload or {})
    session.info.setdefault(_PENDING, []).append((site, entry, delta))


@event.listens_for(Session, "before_commit")
def _number_entries(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    by_site: dict[int, list] = defaultdict(list)
    for site, entry, delta in pending:
        by_site[site.id].append((site, entry, delta))
    if session.get_bind().dialect.name == "postgresql":
        _number_and_commit(session, by_site)
        return
    for site_id, entries in by_site.items():
        sequenced = sum(1 for _, row, _ in entries if row["kind"] in SEQUENCED_KINDS)
        seq = None
        if sequenced:
            sites = Site.__table__
            last = (
                session.connection()
                .execute(
                    update(sites)
                    .where(sites.c.id == site_id)
                    .values(event_seq=sites.c.event_seq + sequenced)
                    .returning(sites.c.event_seq)
                )
                .scalar_one()
            )
            set_committed_value(entries[0][0], "event_seq", last)
            seq = last - sequenced
        rows = []
        for _, row, delta in entries:
            if row["kind"] in SEQUENCED_KINDS:
                seq += 1
                row["site_seq"] = delta["seq"] = seq
            else:
                row["site_seq"] = None
            rows.append(row)
            publish_after_commit(session, row["kind"], delta)
        # The log is append-only: plain inserts, no ORM bookkeeping.
        session.connection().execute(insert(QueueEvent.__table__), rows)


def _number_and_commit(session: Session, by_site: dict[int, list]) -> None:
    """PostgreSQL: log the entries, then number them and commit in one message to the server.

    The site's row is locked from the moment its sequence moves until the commit. Sent as
    separate statements, the lock stayed held while the worker got round to sending the next
    one; under load that is tens of milliseconds, and every call of the site queued behind it.
    So the entries are inserted first, unnumbered, and then a single simple query moves the
    sequence, numbers them and commits: the lock lasts as long as the server takes, no more.
    Everything it interpolates is an integer. SQLAlchemy's own commit that follows finds the
    transaction already committed and does nothing (psycopg skips COMMIT when idle).
    """
    numbering = []  # (site, [(event id, place among the site's sequenced entries, delta)])
    recorded = []  # (kind, delta), in the order recorded: published in that order
    for entries in by_site.values():
        rows = [{**row, "site_seq": None} for _, row, _ in entries]
        ids = (
            session.connection()
            .execute(
                insert(QueueEvent.__table__).returning(QueueEvent.id, sort_by_parameter_order=True), rows
            )
            .scalars()
            .all()
        )
        places = []
        for event_id, (_, row, delta) in zip(ids, entries, strict=True):
            if row["kind"] in SEQUENCED_KINDS:
                places.append((event_id, len(places) + 1, delta))
            recorded.append((row["kind"], delta))
        if places:
            numbering.append((entries[0][0], places))
    if numbering:
        statements = [
            "WITH bumped AS (UPDATE sites SET event_seq = event_seq + {n} WHERE id = {site}"
            " RETURNING event_seq)"
            " UPDATE queue_events SET site_seq = bumped.event_seq - {n} + v.place"
            " FROM bumped, (VALUES {values}) AS v(id, place) WHERE queue_events.id = v.id"
            " RETURNING queue_events.id, queue_events.site_seq".format(
                n=len(places),
                site=int(site.id),
                values=", ".join(f"({int(event_id)}, {int(place)})" for event_id, place, _ in places),
            )
            for site, places in numbering
        ]
        raw = session.connection().connection.driver_connection
        cursor = psycopg.ClientCursor(raw)  # the simple protocol: several statements, one message
        numbered: dict[int, int] = {}
        try:
            cursor.execute("; ".join([*statements, "COMMIT"]))
            for _ in numbering:
                numbered.update(cursor.fetchall())
                cursor.nextset()
        finally:
            cursor.close()
        for site, places in numbering:
            for event_id, _, delta in places:
                delta["seq"] = numbered[event_id]
            set_committed_value(site, "event_seq", max(delta["seq"] for _, _, delta in places))
    for kind, delta in recorded:
        publish_after_commit(session, kind, delta)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
