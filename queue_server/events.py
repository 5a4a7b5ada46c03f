"""Domain events, delivered only after the transaction that caused them commits.

Operations call :func:`publish_after_commit` with the event's name and payload. Nothing leaves
the process until the session commits; a rollback discards the events. Subscribers (the live
Socket.IO publisher today, printing and audit later) connect to :data:`committed` and never
need to know which operation fired.
"""

from __future__ import annotations

import logging

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

signals = Namespace()
committed = signals.signal("committed")  # sender: event name; kwargs: payload
# Once per transaction, after ``committed``: kwargs: events, [(name, payload)] in the order
# published. For subscribers that send what changed together as one message (live screens).
committed_together = signals.signal("committed-together")
# Inside the transaction, as its last step before it commits: sender: the session; kwargs:
# events, the [(name, payload)] published so far, and tickets, the journal's entries about to
# be numbered (dicts with site_id, kind, ticket_id, counter_id, data). For receivers that must
# add rows which commit with the change, or not at all: the notification outbox. They flush
# what they add (on PostgreSQL the journal commits through the driver, past the ORM).
# Sent by the journal's ``before_commit`` listener (queueing/journal.py), which runs after every
# other and, on PostgreSQL, commits the transaction itself: a listener of its own here could
# run after that commit.
committing = signals.signal("committing")

_PENDING = "pending_events"


def publish_after_commit(session: Session, name: str, payload: dict) -> None:
    session.info.setdefault(_PENDING, []).append((name, payload))


def pending(session: Session) -> list[tuple[str, dict]]:
    """The events published in the session's open transaction, in order."""
    return session.info.get(_PENDING, [])


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for name, payload in pending:
        try:
            committed.send(name, payload=payload)
        except Exception:  # a subscriber's failure must not undo or hide a committed change
            log.exception("subscriber failed for event %s", name)
    try:
        committed_together.send(None, events=pending)
    except Exception:
        log.exception("subscriber failed for the events %s", [name for name, _ in pending])


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
