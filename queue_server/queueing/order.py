"""The order in which a queue is called: one definition that call-next
(:func:`.operations.call_next`) and the estimates (:mod:`.estimates`) share, so that the place a
citizen is told is the place call-next gives them.

1. Priority tickets (đối tượng ưu tiên, :class:`.models.Priority`) first: the priority the law
   gives them is not outranked by a booking, which is a convenience the centre offers.
2. Then booked tickets (lịch hẹn) whose window is open now: from the start of their slot
   (``appointment_at``), not before, until ``appointment_until`` (the slot's start plus the
   grace the site gave when the booking was checked in, ``booking/rules.py``). A citizen who
   checks in early waits by their place like anyone until the slot starts; once the window has
   closed the ticket keeps its place by the time it was taken, like a walk-in's, so a booked
   ticket never pushes the queue back for longer than its grace.
3. Then everyone else, by the time the ticket was taken (a transfer keeps it).

On an ``interleave`` site (``Site.priority_policy``) the tickets of ranks 1 and 2 both count in
the counter's run of tickets that went ahead: after ``priority_max_run`` of them in a row a
waiting walk-in goes first. One setting bounds how long walk-ins wait behind both; ``strict``
always calls them first. The rank is an expression of the one query that picks the next ticket:
a site with no bookings pays nothing for it, no extra read.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, case

from .models import Ticket

PRIORITY, BOOKED, WALK_IN = 0, 1, 2


def at(now: datetime) -> dict:
    """The parameters of :func:`rank` and :func:`call_order` for a statement run at ``now``."""
    return {"queue_now": now}


@cache
def rank():
    """The rank of each ticket (:data:`PRIORITY`, :data:`BOOKED`, :data:`WALK_IN`) as SQL, at
    the instant the statement is given with :func:`at`. Built once: building the expression
    would cost call-next more than the database spends on it. Core columns: it serves the ORM's
    queries and the Core ones of :mod:`.estimates` alike. A NULL window compares to nothing, so
    a ticket without one is a walk-in."""
    now, tickets = bindparam("queue_now"), Ticket.__table__.c
    booked_now = and_(tickets.appointment_at <= now, tickets.appointment_until >= now)
    return case((tickets.priority.is_not(None), PRIORITY), (booked_now, BOOKED), else_=WALK_IN)


def rank_of(ticket: Ticket, now: datetime) -> int:
    """:func:`rank` of one ticket in hand."""
    if ticket.priority is not None:
        return PRIORITY
    start, until = ticket.appointment_at, ticket.appointment_until
    if start is not None and until is not None and start <= now <= until:
        return BOOKED
    return WALK_IN


@cache
def call_order(walk_in_first: bool = False) -> tuple:
    """The ``ORDER BY`` of a queue (run with :func:`at`); ``walk_in_first`` when an
    interleaving counter's run of tickets that went ahead is full."""
    keys = (rank(), Ticket.issued_at, Ticket.id)
    # False sorts before True: the walk-ins when they are to go first.
    return (rank() != WALK_IN, *keys) if walk_in_first else keys
