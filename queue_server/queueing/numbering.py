"""Daily ticket numbering: the one place where ticket numbers are handed out.

One row per (site, service, business date) holds the last number, incremented inside the
transaction that inserts the ticket (see :func:`queue_server.database.next_in_sequence`: no
gaps, no duplicates across processes). The unique constraint on tickets backs this up.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from sqlalchemy import Integer, Table, bindparam, insert, or_, select
from sqlalchemy.orm import Session

from ..database import increment_statement, lean_execute, next_in_sequence
from ..sites.models import Service
from .models import Ticket, TicketSequence

# The sequence's key (site, service, business date), named as the ticket's columns name it.
_KEY = ("site_id", "service_id", "business_date")


def insert_numbered(session: Session, values: dict, service: Service) -> dict | None:
    """Write a new ticket's row with the next number of its service and business day.

    ``values`` holds every column of the row but ``id``, ``sequence`` and ``number``; the answer
    holds those three. None when the service's day is full (:attr:`Service.capacity`): then no
    ticket is written, and the caller's rollback gives the number taken back (no gap).

    On PostgreSQL one statement takes the number and writes the row: the sequence's upsert is a
    ``WITH`` of the ``INSERT``, which spells the number with :meth:`Service.display_number_sql`
    (:func:`_numbered_insert`). That is one round trip less for every ticket, and the sequence's
    row, locked from its increment to the commit, is held that much less. SQLite cannot write in
    a ``WITH``: it runs the increment and the insert one after the other.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rule = {"number_start": service.number_start, "prefix": service.prefix, "capacity": service.capacity}
        row = connection.execute(_numbered_insert(), {**values, **rule}).first()
        return None if row is None else row._asdict()
    sequence = next_in_sequence(session, TicketSequence.__table__, **{name: values[name] for name in _KEY})
    capacity = service.capacity
    if capacity is not None and sequence > capacity:
        return None
    numbered = {"sequence": sequence, "number": service.display_number(sequence)}
    return {"id": lean_execute(connection, _ticket_insert(), {**values, **numbered})[0][0], **numbered}


@cache
def _ticket_insert():
    """Built once, as the statements below: building and keying one costs more than the
    database takes to run it, on every ticket."""
    tickets = cast(Table, Ticket.__table__)  # a declarative class's table
    return insert(tickets).returning(tickets.c.id)


@cache
def _numbered_insert():
    """PostgreSQL's statement of :func:`insert_numbered`: ``WITH taken AS (the sequence's
    upsert) INSERT INTO tickets SELECT ... FROM taken WHERE`` the day is not full ``RETURNING``
    the id, sequence and number. The row's other values are parameters named as its columns."""
    tickets = cast(Table, Ticket.__table__)
    taken = increment_statement("postgresql", cast(Table, TicketSequence.__table__), _KEY).cte("taken")
    sequence = taken.c.last_value
    capacity = bindparam("capacity", type_=Integer)
    columns = [column for column in tickets.c if column.name != "id"]
    computed = {"sequence": sequence, "number": Service.display_number_sql(sequence)}
    row = select(*(computed.get(c.name, bindparam(c.name, type_=c.type)) for c in columns)).where(
        or_(capacity.is_(None), sequence <= capacity)
    )
    return (
        insert(tickets)
        .from_select(columns, row)
        .add_cte(taken)
        .returning(tickets.c.id, tickets.c.sequence, tickets.c.number)
    )
