"""What staff see of the messages sent about a ticket, a dossier or a booking: when, on which
channel, to whom (masked: "+84912***678", "h***@gmail.com"), with what outcome. The address
itself and the text never leave through these views. A failure is given twice: ``error``, the
technical reason IT reads, and ``error_kind`` with ``error_text``, the reason in the reader's
words (``labels.ERROR_KIND``)."""

from __future__ import annotations

from flask_babel import gettext

from ..timefmt import iso
from .addresses import masked
from .channels.base import FailureKind
from .labels import ERROR_KIND
from .models import Notification


def notification_view(row: Notification) -> dict:
    kind = (row.error_kind or FailureKind.OTHER) if row.error else None
    return {
        "id": row.id,
        "event": row.event,
        "channel": row.channel,
        "recipient": masked(row.channel, row.recipient),
        "status": row.status,
        "attempts": row.attempts,
        "error": row.error,
        "error_kind": kind,
        "error_text": gettext(ERROR_KIND.get(kind, ERROR_KIND[FailureKind.OTHER])) if kind else None,
        "created_at": iso(row.created_at),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "sent_at": iso(row.sent_at),
        "delivered_at": iso(row.delivered_at),
        "failed_at": iso(row.failed_at),
    }
