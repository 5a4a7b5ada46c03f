"""What staff see of the messages sent about a ticket, a dossier or a booking: when, on which
channel, to whom (masked: "+84912***678", "h***@gmail.com"), with what outcome. The address
itself and the text never leave through these views."""

from __future__ import annotations

from ..timefmt import iso
from .addresses import masked
from .models import Notification


def notification_view(row: Notification) -> dict:
    return {
        "id": row.id,
        "event": row.event,
        "channel": row.channel,
        "recipient": masked(row.channel, row.recipient),
        "status": row.status,
        "attempts": row.attempts,
        "error": row.error,
        "created_at": iso(row.created_at),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "sent_at": iso(row.sent_at),
        "delivered_at": iso(row.delivered_at),
        "failed_at": iso(row.failed_at),
    }
