"""The event log: every change to a ticket or counter is written here and published live.

Operations call :func:`record` while they work; the entries get their place in the site's
event sequence only when the transaction commits (:func:`_number_entries`). Taking the site
row's lock as the very last step of every transaction keeps lock order the same everywhere
(no deadlocks between two counters calling at once on PostgreSQL) and makes the sequence follow
commit order, so a client that sees a gap knows it missed something.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

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

# What public screens (hall and counter displays, rating pads, phones) are sent: every change
# except a ticket issued, which only staff follow. A busy province issues hundreds a second;
# sending each to every screen would cost more than all the rest of the work. These events
# carry ``screen_seq`` as well as ``seq``, numbered among themselves, so that a screen still
# sees a gap when it misses one.
SCREEN_KINDS = frozenset(
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
    for site_id, entries in by_site.items():
        sites = Site.__table__
        for_screens = sum(1 for _, row, _ in entries if row["kind"] in SCREEN_KINDS)
        last, last_screen = (
            session.connection()
            .execute(
                update(sites)
                .where(sites.c.id == site_id)
                .values(
                    event_seq=sites.c.event_seq + len(entries),
                    screen_seq=sites.c.screen_seq + for_screens,
                )
                .returning(sites.c.event_seq, sites.c.screen_seq)
            )
            .one()
        )
        set_committed_value(entries[0][0], "event_seq", last)
        set_committed_value(entries[0][0], "screen_seq", last_screen)
        seq = last - len(entries)
        screen_seq = last_screen - for_screens
        rows = []
        for _, row, delta in entries:
            seq += 1
            row["site_seq"] = delta["seq"] = seq
            if row["kind"] in SCREEN_KINDS:
                screen_seq += 1
                delta["screen_seq"] = screen_seq
            rows.append(row)
            publish_after_commit(session, row["kind"], delta)
        # The log is append-only: plain inserts, no ORM bookkeeping.
        session.connection().execute(insert(QueueEvent.__table__), rows)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
