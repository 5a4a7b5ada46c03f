"""What every transactional outbox shares: claiming due rows, giving them back, the backoff
between attempts, recording an attempt only if it is still the worker's, and the polling loop.

Two outboxes use it: the citizens' notifications (``notify/worker.py``) and the hand-off of
dossier changes to the provincial one-stop system (``province/worker.py``). An outbox table has
an integer ``id``, ``status`` (``pending``, ``sending``, then the outbox's own final states),
``attempts``, ``next_attempt_at`` and ``lease_until``.

Claiming: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` inside the UPDATE that marks the
rows, so two workers never take the same row; on SQLite every transaction holds the database's
write lock from its start (``BEGIN IMMEDIATE``, database.py), so the claim is one short
transaction. Due: PENDING whose time has come, or SENDING whose lease has ended (its worker
died: the row is sent again, with the same key). An attempt's outcome is recorded only while
the row is still the attempt this worker claimed (:func:`mine`): a worker too slow for its
lease never overwrites a later attempt.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, and_, event, or_, select, update
from sqlalchemy.orm import Session

from .database import db, utcnow

log = logging.getLogger(__name__)

PENDING = "pending"  # waiting for its next attempt (``next_attempt_at``)
SENDING = "sending"  # claimed by a worker until ``lease_until``; then retried with the same key
BATCH = 20  # rows one claim takes: enough to keep a worker busy, few enough to share out


def woken_on_commit(key: str) -> threading.Event:
    """An event set when a session of this process commits a transaction marked with
    :func:`written` under ``key``: the process's inline worker sends the new rows at once
    instead of at its next poll. (threading's Event is gevent's in a gevent server.)"""
    wake = threading.Event()

    @event.listens_for(Session, "after_commit")
    def _wake(session: Session) -> None:
        if session.info.pop(key, False):
            wake.set()

    @event.listens_for(Session, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(key, None)

    return wake


def written(session: Session, key: str) -> None:
    """Mark the session's transaction as one that wrote rows of the outbox woken by ``key``."""
    session.info[key] = True


def claim(
    session: Session,
    model: Any,
    now: datetime,
    lease_seconds: float,
    limit: int = BATCH,
    *,
    where: ColumnElement[bool] | None = None,
) -> list[tuple[int, int]]:
    """Mark up to ``limit`` due rows of ``model`` SENDING for this worker; (id, attempt) of
    each, in id order. ``where`` narrows what is due (an outbox's own ordering rule)."""
    due = or_(
        and_(model.status == PENDING, model.next_attempt_at <= now),
        and_(model.status == SENDING, model.lease_until < now),
    )
    if where is not None:
        due = and_(due, where)
    ids = select(model.id).where(due).order_by(model.next_attempt_at, model.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    claimed = session.execute(
        update(model)
        .where(model.id.in_(ids.scalar_subquery()))
        .values(
            status=SENDING, lease_until=now + timedelta(seconds=lease_seconds), attempts=model.attempts + 1
        )
        .returning(model.id, model.attempts)
        .execution_options(synchronize_session=False)
    )
    return sorted((row_id, attempt) for row_id, attempt in claimed)


def mine(model: Any, row_id: int, attempt: int) -> ColumnElement[bool]:
    """The row as this worker claimed it: still SENDING, still at this attempt."""
    return and_(model.id == row_id, model.status == SENDING, model.attempts == attempt)


def release(session: Session, model: Any, claimed: list[tuple[int, int]]) -> None:
    """Give claimed rows back, unsent and their attempt not counted, for any worker to take
    at once (a worker stopping cleanly; one that dies leaves them to its lease)."""
    for row_id, attempt in claimed:
        session.execute(
            update(model)
            .where(mine(model, row_id, attempt))
            .values(status=PENDING, lease_until=None, attempts=attempt - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def backoff(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: BASE * 2^(attempt-1), at most CAP, jittered
    between half and all of it so that rows failed together do not retry together; never
    sooner than the receiver's ``Retry-After``."""
    delay = min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)  # noqa: S311 (not a secret)
    return max(delay, retry_after or 0.0)


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (RFC 9110 §10.2.3: seconds or an HTTP date), None
    without one."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class PollingWorker:
    """Claims and handles the due rows of one outbox in the database of ``app``.

    A subclass names its ``model``, the config key of its lease and poll interval, its
    ``wake`` event (set when this process commits new rows) and :meth:`deliver`; it may narrow
    what is due (:meth:`due`)."""

    model: Any
    lease_setting: str
    poll_setting: str
    wake: threading.Event
    name = "outbox"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.config = app.config

    def run(self, stopping: Callable[[], bool]) -> None:
        """Handle rows until ``stopping()``; between rounds with nothing due, wait for the poll
        interval or until this process commits new rows (``wake``)."""
        while not stopping():
            try:
                handled = self.run_once(stopping)
            except Exception:  # the database may be away for a while: try again at the next poll
                log.exception("%s worker round failed", self.name)
                handled = 0
            if handled == 0 and not stopping():
                self.wake.wait(self.config[self.poll_setting])
                self.wake.clear()

    def due(self) -> ColumnElement[bool] | None:
        return None

    def run_once(self, stopping: Callable[[], bool] = lambda: False) -> int:
        """Claim what is due and handle it; the number of rows handled."""
        with self.app.app_context():
            session = db.session()
            try:
                claimed = claim(
                    session, self.model, utcnow(), self.config[self.lease_setting], where=self.due()
                )
                session.commit()
                for done, (row_id, attempt) in enumerate(claimed):
                    if stopping():  # told to stop: what is not sent yet goes back, untried
                        release(session, self.model, claimed[done:])
                        return done
                    self.deliver(session, row_id, attempt)
                return len(claimed)
            finally:
                db.session.remove()

    def deliver(self, session: Session, row_id: int, attempt: int) -> None:
        raise NotImplementedError

    def settle(self, session: Session, row_id: int, attempt: int, values: dict) -> bool:
        """Write an attempt's outcome if the row is still this attempt; whether it was."""
        changed = (
            session.connection()
            .execute(
                update(self.model).where(mine(self.model, row_id, attempt)).values(lease_until=None, **values)
            )
            .rowcount
        )
        if not changed:
            log.warning(
                "%s %s: attempt %s outlived its lease; a later attempt records it", self.name, row_id, attempt
            )
        return bool(changed)


def start_inline(app: Flask, socketio, setting: str, worker: Callable[[Flask], PollingWorker]) -> None:
    """``<setting>=inline``: run a worker in this serving process, from its first request (as
    the deadline watch does), in the server's own kind of task (a greenlet under gevent)."""
    if app.config[setting] != "inline":
        return
    started: list[bool] = []

    @app.before_request
    def _start_worker():
        if not started:
            started.append(True)
            socketio.start_background_task(worker(app).run, lambda: False)
