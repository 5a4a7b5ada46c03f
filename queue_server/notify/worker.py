"""Sending the outbox: claim the messages that are due, send each through its channel, record
what happened. Run inside every server process (``NOTIFY_WORKER=inline``, the default) or as
``flask --app wsgi notify-worker``; any number at once.

One message's life: written PENDING in the transaction of its change (:mod:`.outbox`); claimed
by a worker, which marks it SENDING with ``lease_until`` and commits before sending, so that
no transaction (nor SQLite's write lock) is held while a mail server or gateway answers; then
SENT with the receiver's reference, PENDING again with a later ``next_attempt_at`` (a
:class:`~.channels.base.TemporaryFailure`: exponential backoff with jitter, at least the
receiver's ``retry_after``), or FAILED (a permanent refusal, or ``NOTIFY_MAX_ATTEMPTS`` used;
a ``gone`` address also ends its subscription).

Claiming: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` inside the UPDATE that marks the
rows, so two workers never take the same row; on SQLite every transaction holds the database's
write lock from its start (``BEGIN IMMEDIATE``, database.py), so the claim is one short
transaction. The outcome is recorded only if the row is still the attempt this worker claimed
(the same ``attempts``): a worker too slow for its lease never overwrites a later attempt.

The guarantee, honestly: delivery to the channel is **at least once**. A worker that dies
between handing a message over and recording it (SIGKILL, power cut) leaves the row SENDING;
when the lease ends another worker sends it again, **with the same key**: the same Message-ID,
the gateway's same request id, the push message's same topic. A receiver that honours the key
(a mail store keeping one copy per Message-ID, a gateway refusing a repeated request id, a push
service replacing a message of the same topic) shows it exactly once; one that does not may
show it twice. Nothing is ever lost: a row leaves SENDING only by being recorded.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..database import db, utcnow
from .channels import CHANNELS
from .channels.base import FailureKind, Message, PermanentFailure, Receipt, TemporaryFailure
from .models import Notification, NotificationStatus, Subscription
from .operations import opt_out, site_channel
from .outbox import wake

log = logging.getLogger(__name__)

BATCH = 20  # rows one claim takes: enough to keep a worker busy, few enough to share out


def claim(session: Session, now: datetime, lease_seconds: float, limit: int = BATCH) -> list[tuple[int, int]]:
    """Mark up to ``limit`` due messages SENDING for this worker; (id, attempt) of each. Due:
    PENDING whose time has come, or SENDING whose lease has ended (its worker died)."""
    due = or_(
        and_(Notification.status == NotificationStatus.PENDING, Notification.next_attempt_at <= now),
        and_(Notification.status == NotificationStatus.SENDING, Notification.lease_until < now),
    )
    ids = select(Notification.id).where(due).order_by(Notification.next_attempt_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    claimed = session.execute(
        update(Notification)
        .where(Notification.id.in_(ids.scalar_subquery()))
        .values(
            status=NotificationStatus.SENDING,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Notification.attempts + 1,
        )
        .returning(Notification.id, Notification.attempts)
        .execution_options(synchronize_session=False)
    )
    return sorted((row_id, attempt) for row_id, attempt in claimed)


def release(session: Session, claimed: list[tuple[int, int]]) -> None:
    """Give claimed messages back, unsent and their attempt not counted, for any worker to take
    at once (a worker stopping cleanly; one that dies leaves them to its lease)."""
    for row_id, attempt in claimed:
        session.execute(
            update(Notification)
            .where(
                Notification.id == row_id,
                Notification.status == NotificationStatus.SENDING,
                Notification.attempts == attempt,
            )
            .values(status=NotificationStatus.PENDING, lease_until=None, attempts=attempt - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def backoff(attempt: int, config: dict, retry_after: float | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: BASE * 2^(attempt-1), at most CAP, jittered
    between half and all of it so that messages failed together do not retry together."""
    base, cap = config["NOTIFY_BACKOFF_BASE_SECONDS"], config["NOTIFY_BACKOFF_CAP_SECONDS"]
    delay = min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)  # noqa: S311 (not a secret)
    return max(delay, retry_after or 0.0)


class Worker:
    """Sends the outbox of the database of ``app``. :meth:`run_once` sends what is due now."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.config = app.config

    def run(self, stopping: Callable[[], bool]) -> None:
        """Send until ``stopping()``; between rounds with nothing due, wait for the poll interval
        or until this process commits new messages (:data:`.outbox.wake`)."""
        while not stopping():
            try:
                handled = self.run_once(stopping)
            except Exception:  # the database may be away for a while: try again at the next poll
                log.exception("notification worker round failed")
                handled = 0
            if handled == 0 and not stopping():
                wake.wait(self.config["NOTIFY_POLL_SECONDS"])
                wake.clear()

    def run_once(self, stopping: Callable[[], bool] = lambda: False) -> int:
        """Claim what is due and send it; the number of messages handled."""
        with self.app.app_context():
            session = db.session()
            try:
                claimed = claim(session, utcnow(), self.config["NOTIFY_LEASE_SECONDS"])
                session.commit()
                for done, (row_id, attempt) in enumerate(claimed):
                    if stopping():  # told to stop: what is not sent yet goes back, untried
                        release(session, claimed[done:])
                        return done
                    self.deliver(session, row_id, attempt)
                return len(claimed)
            finally:
                db.session.remove()

    def deliver(self, session: Session, row_id: int, attempt: int) -> None:
        """Send one claimed message and record the outcome."""
        row = session.get(Notification, row_id)
        assert row is not None  # claimed by this worker, rows are never deleted while open
        setting = site_channel(session, row.site_id, row.channel)
        subscription = session.get(Subscription, row.subscription_id) if row.subscription_id else None
        message = Message(
            key=row.key,
            channel=row.channel,
            event=row.event,
            recipient=row.recipient,
            body=row.body,
            language=row.language,
            subject=row.subject,
            params=dict(row.params or {}),
            keys=subscription.keys if subscription is not None else None,
            opt_out_url=row.opt_out_url,
        )
        channel_class = CHANNELS.get(row.channel)
        session.commit()  # nothing held while the receiver answers
        outcome: Receipt | Exception
        if setting is None or not setting.enabled:
            outcome = PermanentFailure(
                f"the site has switched {row.channel} off", kind=FailureKind.SWITCHED_OFF
            )
        elif channel_class is None:
            outcome = TemporaryFailure(f"no {row.channel} channel in this server")
        else:
            try:
                outcome = channel_class(setting.settings or {}, setting.secret, self.config).send(message)
            except (TemporaryFailure, PermanentFailure) as failure:
                outcome = failure
            except Exception as error:  # a channel's bug: retried, and in the log
                log.exception("channel %s failed on notification %s", row.channel, row_id)
                outcome = TemporaryFailure(f"{type(error).__name__}")
        self.record(session, row_id, attempt, outcome)

    def record(self, session: Session, row_id: int, attempt: int, outcome: Receipt | Exception) -> None:
        now = utcnow()
        mine = and_(
            Notification.id == row_id,
            Notification.status == NotificationStatus.SENDING,
            Notification.attempts == attempt,
        )
        values: dict
        if isinstance(outcome, Receipt):
            values = {
                "status": NotificationStatus.DELIVERED if outcome.delivered else NotificationStatus.SENT,
                "sent_at": now,
                "delivered_at": now if outcome.delivered else None,
                "provider_ref": outcome.provider_ref,
                "error": None,
                "error_kind": None,
            }
        elif isinstance(outcome, TemporaryFailure) and attempt < self.config["NOTIFY_MAX_ATTEMPTS"]:
            delay = backoff(attempt, self.config, outcome.retry_after)
            values = {
                "status": NotificationStatus.PENDING,
                "next_attempt_at": now + timedelta(seconds=delay),
                **failure(outcome),
            }
        else:
            values = {"status": NotificationStatus.FAILED, "failed_at": now, **failure(outcome)}
        changed = (
            session.connection()
            .execute(update(Notification).where(mine).values(lease_until=None, **values))
            .rowcount
        )
        if changed and isinstance(outcome, PermanentFailure) and outcome.gone:
            row = session.get(Notification, row_id)
            subscription = (
                session.get(Subscription, row.subscription_id) if row and row.subscription_id else None
            )
            if subscription is not None:
                opt_out(session, subscription, now)
        session.commit()
        if not changed:
            log.warning(
                "notification %s: attempt %s outlived its lease; a later attempt records it", row_id, attempt
            )


def failure(outcome: Exception) -> dict[str, str]:
    """The row's record of a failed attempt: the technical reason for IT, its kind for staff."""
    return {"error": str(outcome)[:500], "error_kind": getattr(outcome, "kind", FailureKind.OTHER)}


def start_inline(app: Flask, socketio) -> None:
    """``NOTIFY_WORKER=inline``: run a worker in this serving process, from its first request
    (as the deadline watch does), in the server's own kind of task (a greenlet under gevent)."""
    if app.config["NOTIFY_WORKER"] != "inline":
        return
    started: list[bool] = []

    @app.before_request
    def _start_worker():
        if not started:
            started.append(True)
            socketio.start_background_task(Worker(app).run, lambda: False)
