"""Daily ticket numbering: the one place where ticket numbers are handed out.

One row per (site, service, business date) holds the last number, incremented inside the
transaction that inserts the ticket (see :func:`queue_server.database.next_in_sequence`: no
gaps, no duplicates across processes). The unique constraint on tickets backs this up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..database import next_in_sequence
from .models import TicketSequence


def next_sequence(session: Session, site_id: int, service_id: int, business_date: date) -> int:
    return next_in_sequence(
        session, TicketSequence.__table__, site_id=site_id, service_id=service_id, business_date=business_date
    )
