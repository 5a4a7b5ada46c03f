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

Claiming, giving back, the backoff and the lease are every outbox's (:mod:`queue_server.outboxes`):
two workers never take the same row, and a worker too slow for its lease never overwrites a
later attempt.

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
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from .. import outboxes
from ..database import utcnow
from .channels import CHANNELS
from .channels.base import FailureKind, Message, PermanentFailure, Receipt, TemporaryFailure
from .models import Notification, NotificationStatus, Subscription
from .operations import opt_out, site_channel
from .outbox import wake

log = logging.getLogger(__name__)


def claim(
    session: Session, now: datetime, lease_seconds: float, limit: int = outboxes.BATCH
) -> list[tuple[int, int]]:
    """Mark up to ``limit`` due messages SENDING for this worker (:func:`.outboxes.claim`)."""
    return outboxes.claim(session, Notification, now, lease_seconds, limit)


def backoff(attempt: int, config: dict, retry_after: float | None = None) -> float:
    """Seconds before attempt ``attempt + 1`` (:func:`.outboxes.backoff` with the NOTIFY_ settings)."""
    return outboxes.backoff(
        attempt, config["NOTIFY_BACKOFF_BASE_SECONDS"], config["NOTIFY_BACKOFF_CAP_SECONDS"], retry_after
    )


class Worker(outboxes.PollingWorker):
    """Sends the outbox of the database of ``app``. :meth:`run_once` sends what is due now."""

    model = Notification
    lease_setting = "NOTIFY_LEASE_SECONDS"
    poll_setting = "NOTIFY_POLL_SECONDS"
    wake = wake
    name = "notification"

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
        changed = self.settle(session, row_id, attempt, values)
        if changed and isinstance(outcome, PermanentFailure) and outcome.gone:
            row = session.get(Notification, row_id)
            subscription = (
                session.get(Subscription, row.subscription_id) if row and row.subscription_id else None
            )
            if subscription is not None:
                opt_out(session, subscription, now)
        session.commit()


def failure(outcome: Exception) -> dict[str, str]:
    """The row's record of a failed attempt: the technical reason for IT, its kind for staff."""
    return {"error": str(outcome)[:500], "error_kind": getattr(outcome, "kind", FailureKind.OTHER)}


def start_inline(app: Flask, socketio) -> None:
    """``NOTIFY_WORKER=inline``: a worker in this serving process (:func:`.outboxes.start_inline`)."""
    outboxes.start_inline(app, socketio, "NOTIFY_WORKER", Worker)
