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


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
