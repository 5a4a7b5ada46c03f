"""Daily ticket numbering: the one place where numbers are handed out.

One row per (site, service, business date) holds the last number. It is incremented with an
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` inside the transaction that inserts the
ticket, so a rolled-back ticket gives its number back (no gaps) and two processes can never
read the same value (no duplicates): PostgreSQL locks the row until commit, and SQLite runs
every transaction under ``BEGIN IMMEDIATE`` (see :mod:`queue_server.database`). The unique
constraint on tickets backs this up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..database import upsert
from .models import TicketSequence


def next_sequence(session: Session, site_id: int, service_id: int, business_date: date) -> int:
    table = TicketSequence.__table__
    statement = (
        upsert(table)
        .values(site_id=site_id, service_id=service_id, business_date=business_date, last_value=1)
        .on_conflict_do_update(
            index_elements=[table.c.site_id, table.c.service_id, table.c.business_date],
            set_={"last_value": table.c.last_value + 1},
        )
        .returning(table.c.last_value)
    )
    # A Core statement on the session's connection: no ORM bookkeeping on the hottest path.
    return session.connection().execute(statement).scalar_one()
