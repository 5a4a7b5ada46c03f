"""Reading the outbox: a subject's messages (for its staff) and the counts per channel and
day (for the reports)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sites.models import Site
from .models import Notification, NotificationStatus


def messages_about(
    session: Session, *, ticket_id: int | None = None, dossier_id: int | None = None
) -> list[Notification]:
    """The messages about one ticket or dossier, oldest first (by their own indexes)."""
    statement = select(Notification)
    if ticket_id is not None:
        statement = statement.where(Notification.ticket_id == ticket_id)
    else:
        statement = statement.where(Notification.dossier_id == dossier_id)
    return list(session.scalars(statement.order_by(Notification.created_at, Notification.id)))


COUNTED = (NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.FAILED)


def counts_by_channel_day(session: Session, site: Site, since: datetime, until: datetime) -> list[dict]:
    """Messages written at ``site`` from ``since`` to before ``until``, per local day and
    channel: how many were sent (accepted by the channel, delivered included), delivered
    (reported as reaching the person) and failed. Each message counts on the day it was
    written (the ``ix_notifications_site_created`` index), whatever its attempts."""
    rows = session.execute(
        select(Notification.created_at, Notification.channel, Notification.status).where(
            Notification.site_id == site.id,
            Notification.created_at >= since,
            Notification.created_at < until,
            Notification.status.in_(COUNTED),
        )
    )
    counts: dict[tuple[date, str], dict] = {}
    for created_at, channel, status in rows:
        day = created_at.astimezone(site.tz).date()
        row = counts.setdefault(
            (day, channel),
            {"day": day.isoformat(), "channel": channel, "sent": 0, "delivered": 0, "failed": 0},
        )
        if status == NotificationStatus.FAILED:
            row["failed"] += 1
        else:
            row["sent"] += 1
            row["delivered"] += status == NotificationStatus.DELIVERED
    return [counts[key] for key in sorted(counts)]
