"""Reading the outbox: a subject's messages, for its staff. (The reports count them per channel:
reports/queries.messages.)"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Notification


def messages_about(
    session: Session,
    *,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    booking_id: int | None = None,
) -> list[Notification]:
    """The messages about one ticket, dossier or booking, oldest first (by their own indexes;
    a booking's, a few, without one)."""
    statement = select(Notification)
    if ticket_id is not None:
        statement = statement.where(Notification.ticket_id == ticket_id)
    elif booking_id is not None:
        statement = statement.where(Notification.booking_id == booking_id)
    else:
        statement = statement.where(Notification.dossier_id == dossier_id)
    return list(session.scalars(statement.order_by(Notification.created_at, Notification.id)))
