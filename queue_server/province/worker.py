"""Sending the province's outbox: claim what is due, send each through its site's adapter,
record what the province answered. Runs inside every server process
(``PROVINCE_WORKER=inline``, the default) or as ``flask --app wsgi province-worker``.

The claiming, lease and backoff are every outbox's (:mod:`queue_server.outboxes`). What is
the province's own:

- **In order per dossier**: a row is due only when no earlier row of its dossier is still
  open (pending or sending), so the province hears "received" before "transferred" even when
  the first needed retries. A refused or failed row does not hold the later ones back (the
  reconciliation page shows it, "Gửi lại" sends it again; each message carries its ``at``).
- **Outcomes**: acknowledged (2xx); refused (a 4xx, a SOAP Client fault: kept with the
  province's reason, never retried by itself); a timeout, 408, 429 or 5xx is retried with the
  same key after the backoff, ``PROVINCE_MAX_ATTEMPTS`` times, then failed.
- **At least once**: a worker that dies after sending leaves the row SENDING; after its lease
  another sends it again with the same ``Idempotency-Key``, which the province uses to keep
  one copy.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased

from .. import outboxes
from ..audit.reads import record_read
from ..database import utcnow
from ..dossiers.models import Dossier
from ..dossiers.presenters import applicant_view
from .adapters import ADAPTERS, Outcome
from .models import MessageStatus, ProvinceLink, ProvinceMessage
from .outbox import wake

log = logging.getLogger(__name__)

READ_WHAT = "province_handoff"  # the audit trail's name of the read


class Worker(outboxes.PollingWorker):
    """Sends the province's outbox of the database of ``app``."""

    model = ProvinceMessage
    lease_setting = "PROVINCE_LEASE_SECONDS"
    poll_setting = "PROVINCE_POLL_SECONDS"
    wake = wake
    name = "province message"

    def due(self) -> ColumnElement[bool]:
        earlier = aliased(ProvinceMessage)
        return ~exists(
            select(earlier.id).where(
                earlier.dossier_id == ProvinceMessage.dossier_id,
                earlier.id < ProvinceMessage.id,
                earlier.status.in_(MessageStatus.OPEN),
            )
        )

    def deliver(self, session: Session, row_id: int, attempt: int) -> None:
        row = session.get(ProvinceMessage, row_id)
        assert row is not None  # claimed by this worker
        link = session.scalar(select(ProvinceLink).where(ProvinceLink.site_id == row.site_id))
        message = dict(row.payload)
        if link is not None and link.personal_data:
            dossier = session.get(Dossier, row.dossier_id)
            if dossier is not None and dossier.personal_data_purged_at is None:
                message["applicant"] = applicant_view(dossier)
                # Handing the applicant to another system is a read of their data: recorded.
                record_read(session, READ_WHAT, dossier.code, site_id=row.site_id)
        key = row.key
        adapter = ADAPTERS[link.adapter](link) if link is not None and link.enabled else None
        session.commit()  # nothing held while the province answers
        if adapter is None:
            outcome = Outcome("failed", reason="switched off")
        else:
            try:
                outcome = adapter.send(key, message)
            except Exception as error:  # an adapter's bug: retried, and in the log
                log.exception("province adapter failed on message %s", row_id)
                outcome = Outcome("retry", reason=type(error).__name__)
        self.record(session, row_id, attempt, outcome)

    def record(self, session: Session, row_id: int, attempt: int, outcome: Outcome) -> None:
        now = utcnow()
        values: dict = {"sent_at": now, "http_status": outcome.http_status, "reason": outcome.reason}
        if outcome.kind == "acknowledged":
            values |= {
                "status": MessageStatus.ACKNOWLEDGED,
                "answered_at": now,
                "province_ref": outcome.reference,
            }
        elif outcome.kind == "refused":
            values |= {"status": MessageStatus.REFUSED, "answered_at": now}
        elif outcome.kind == "retry" and attempt < self.config["PROVINCE_MAX_ATTEMPTS"]:
            delay = outboxes.backoff(
                attempt,
                self.config["PROVINCE_BACKOFF_BASE_SECONDS"],
                self.config["PROVINCE_BACKOFF_CAP_SECONDS"],
                outcome.retry_after,
            )
            values |= {"status": MessageStatus.PENDING, "next_attempt_at": now + timedelta(seconds=delay)}
        else:
            values |= {"status": MessageStatus.FAILED}
        self.settle(session, row_id, attempt, values)
        session.commit()


def start_inline(app: Flask, socketio) -> None:
    """``PROVINCE_WORKER=inline``: a worker in this serving process."""
    outboxes.start_inline(app, socketio, "PROVINCE_WORKER", Worker)
