"""Queue positions and estimated waiting times.

The estimate is: people ahead x recent average service time / counters receiving the service.
A counter receives tickets when it is open *and* an officer works at it today
(:mod:`queue_server.sites.staffing`): an open counter nobody works at calls nobody, so counting it
would promise "no wait" in an empty hall. With no such counter the wait is unknown (None), and
every screen says "Chưa có cán bộ tiếp nhận" rather than a number.
The average comes from the last tickets finished for that service (or the service's configured
default while there are too few); it moves slowly and is read on every ticket issued, so each
process reuses it for a few seconds (:mod:`queue_server.cache`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import ARRAY, Integer, Row, Select, and_, any_, bindparam, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from ..cache import remember
from ..database import UTCDateTime, utcnow
from ..sites import routing, staffing
from ..sites.models import Counter, Service
from . import journal, order
from .models import Ticket, TicketStatus

SAMPLE_SIZE = 20
MIN_SAMPLES = 3
LOOKBACK = timedelta(days=14)


def average_service_seconds(session: Session, site_id: int) -> dict[int, float]:
    """Recent average service time per service id of the site (only services with samples)."""
    return remember(("average_service_seconds", site_id), lambda: _averages(session, site_id))


def _averages(session: Session, site_id: int) -> dict[int, float]:
    rows = session.execute(
        select(Ticket.service_id, Ticket.called_at, Ticket.finished_at)
        .where(
            Ticket.site_id == site_id,
            Ticket.status == TicketStatus.DONE,
            Ticket.called_at.is_not(None),
            Ticket.finished_at > utcnow() - LOOKBACK,
        )
        .order_by(Ticket.finished_at.desc())
        .limit(2000)
    )
    samples: dict[int, list[float]] = defaultdict(list)
    for service_id, called_at, finished_at in rows:
        assert called_at is not None and finished_at is not None  # the query keeps only these
        if len(samples[service_id]) < SAMPLE_SIZE:
            samples[service_id].append((finished_at - called_at).total_seconds())
    return {sid: sum(v) / len(v) for sid, v in samples.items() if len(v) >= MIN_SAMPLES}


def service_seconds(service: Service, averages: dict[int, float]) -> float:
    return averages.get(service.id, float(service.default_service_seconds))


def estimate_wait(ahead: int, seconds_per_ticket: float, counters_open: int) -> int | None:
    """Seconds until a ticket with ``ahead`` people before it is called; None if nobody serves."""
    if counters_open <= 0:
        return None
    return int(math.ceil(ahead / counters_open) * seconds_per_ticket)


def open_counter_ids(session: Session, site_id: int, day: date) -> set[int]:
    """Ids of the site's counters that receive tickets now (``staffing.receives_tickets``; a
    site has a few dozen counters at most, read whole)."""
    return {row.id for row in counter_states(session, site_id) if staffing.receives_tickets(row, day)}


def people_ahead(session: Session, ticket: Ticket, now: datetime | None = None) -> int:
    """How many tickets of the same queue will be called before this one now (:mod:`.order`)."""
    if ticket.status not in TicketStatus.IN_QUEUE:
        return 0
    statement, values = _ahead(ticket, now or utcnow())
    session.flush()  # what the ORM still holds of other tickets, which a Core statement would miss
    return session.connection().execute(statement, values).scalar_one()


def _ahead(ticket: Ticket, now: datetime):
    """The count of :func:`people_ahead` for ``ticket`` (one in queue) and its parameters."""
    by_counter = ticket.target_counter_id is not None
    own_rank = order.rank_of(ticket, now)
    values = {
        "site_id": ticket.site_id,
        "day": ticket.business_date,
        "queue": ticket.target_counter_id if by_counter else ticket.service_id,
        "own_rank": own_rank,
        "issued_at": ticket.issued_at,
        "ticket_id": ticket.id,
        **order.at(now),
    }
    statement = _walk_in_ahead_statement if own_rank == order.WALK_IN else _ahead_statement
    return statement(by_counter), values


def _queue_conditions(by_counter: bool) -> tuple:
    """The tickets in one queue (a counter's, a service's) of a site and day, as parameters."""
    tickets = Ticket.__table__.c
    queue = tickets.target_counter_id if by_counter else tickets.service_id
    return (
        tickets.site_id == bindparam("site_id"),
        tickets.business_date == bindparam("day"),
        queue == bindparam("queue"),
        # One bound value each, not an "expanding" IN, which is rewritten on every run.
        tickets.status.in_([literal(status) for status in TicketStatus.IN_QUEUE]),
    )


@cache
def _ahead_statement(by_counter: bool):
    """The count of :func:`people_ahead`, built once per kind of queue (a counter's, a
    service's) with everything else a parameter: every ticket issued asks it, and building and
    keying the expression cost several times what the database spends on it. Core columns, not
    the ORM's, so that running it needs none of the ORM's statement handling either."""
    tickets = Ticket.__table__.c
    issued_at = bindparam("issued_at", type_=UTCDateTime())
    own_id = bindparam("ticket_id", type_=Integer())
    earlier = or_(tickets.issued_at < issued_at, and_(tickets.issued_at == issued_at, tickets.id < own_id))
    rank, own = order.rank(), bindparam("own_rank", type_=Integer())
    return select(func.count()).where(
        *_queue_conditions(by_counter), or_(rank < own, and_(rank == own, earlier))
    )


@cache
def _walk_in_ahead_statement(by_counter: bool):
    """:func:`_ahead_statement` for a walk-in (:data:`.order.WALK_IN`, the last rank), the
    ticket nearly every press issues, in a form that reads the queue's index only.

    Ahead of a walk-in are every ticket of a better rank and the walk-ins taken before it; that
    is the same as every ticket taken before it, whatever its rank, plus the tickets of a better
    rank taken after it. The first count is a range of ``ix_tickets_queue`` (which ends in
    ``issued_at``), with no row of the table to read and no rank to work out; the second is a
    range at the queue's end, a few rows at most. The general form works the rank out for each
    ticket of the queue and reads each one's row: with a few hundred waiting it was the largest
    part of issuing a ticket (issue 21). Same parameters as :func:`_ahead_statement`."""
    tickets = Ticket.__table__.c
    key = tuple_(tickets.issued_at, tickets.id)
    own = tuple_(bindparam("issued_at", type_=UTCDateTime()), bindparam("ticket_id", type_=Integer()))
    queue = _queue_conditions(by_counter)
    taken_before = select(func.count()).where(*queue, key < own).scalar_subquery()
    ranked_after = (
        select(func.count()).where(*queue, key > own, order.rank() < order.WALK_IN).scalar_subquery()
    )
    return select(taken_before + ranked_after)


def waiting_by_service(
    session: Session, site_id: int, day: date, service_ids: list[int] | None = None
) -> dict[int, int]:
    """Tickets in queue per service id (only the given services, if any are given)."""
    conditions = [
        Ticket.site_id == site_id,
        Ticket.business_date == day,
        Ticket.status.in_(TicketStatus.IN_QUEUE),
    ]
    if service_ids is not None and len(service_ids) == 1:
        conditions.append(Ticket.service_id == service_ids[0])  # the common case: one service
    elif service_ids is not None:
        conditions.append(Ticket.service_id.in_(service_ids))
    rows = session.execute(
        select(Ticket.service_id, func.count()).where(*conditions).group_by(Ticket.service_id)
    )
    return dict(rows.all())


def long_waits(session: Session, site_id: int, day: date, issued_before) -> dict[int, tuple[int, datetime]]:
    """Per service id, how many tickets of ``day`` still in the queue were taken before
    ``issued_before``, and when the oldest was taken."""
    rows = session.execute(
        select(Ticket.service_id, func.count(), func.min(Ticket.issued_at))
        .where(
            Ticket.site_id == site_id,
            Ticket.business_date == day,
            Ticket.status.in_(TicketStatus.IN_QUEUE),
            Ticket.issued_at < issued_before,
        )
        .group_by(Ticket.service_id)
    )
    return {service_id: (count, oldest) for service_id, count, oldest in rows}


def open_numbers(counters: Iterable[staffing.Staffed], day: date) -> list[int]:
    """The numbers of those of ``counters`` that receive tickets now, in order: who will call."""
    return sorted(counter.number for counter in counters if staffing.receives_tickets(counter, day))


def open_counter_numbers(
    session: Session, site_id: int, service_id: int, day: date, states: list[Row] | None = None
) -> list[int]:
    """Numbers of the counters that serve the service on ``day`` and receive tickets now.
    ``states``: the site's :func:`counter_states`, if the caller has read them already."""
    ids = routing.counters_serving(session, site_id, service_id, day)
    if not ids:
        return []
    if states is None:
        states = counter_states(session, site_id)
    return open_numbers((row for row in states if row.id in ids), day)


def counter_states(session: Session, site_id: int) -> list[Row]:
    """What :mod:`~queue_server.sites.staffing` needs of each counter of the site (its id,
    number, state and officer), as plain rows: read on every ticket issued and every tracking
    page, where loading a few dozen ORM counters cost more than the query."""
    session.flush()  # a counter the ORM changed and has not written yet
    return list(session.connection().execute(_counter_states_statement(), {"site_id": site_id}))


def _counter_states_columns(counters) -> tuple:
    return counters.id, counters.number, counters.state, counters.officer_id, counters.officer_day


@cache
def _counter_states_statement():
    counters = Counter.__table__.c
    return select(*_counter_states_columns(counters)).where(counters.site_id == bindparam("site_id"))


def standing_at_commit(session: Session, ticket: Ticket) -> list:
    """The rows :func:`ticket_standing` reads for ``ticket``, a new one in its service's queue,
    read with the transaction's commit (``journal.read_at_commit``): a kiosk's press then
    answers with no round trip after its commit. Empty until the commit, or if it failed."""
    return journal.read_at_commit(session, *_standing_read(ticket))


def _standing_read(ticket: Ticket) -> tuple[Select, dict]:
    """The one statement :func:`ticket_standing` reads for ``ticket``, one in its service's
    queue, and its parameters."""
    statement, values = _ahead(ticket, utcnow())
    return _with_counter_states(statement), values


def _ahead_and_counter_states(session: Session, ticket: Ticket, rows=None) -> tuple[int, list[Row]]:
    """:func:`people_ahead` of ``ticket`` (one in queue) and :func:`counter_states` of its site,
    from one statement (:func:`_standing_read`), unless its ``rows`` were read already: a ticket
    issued is answered with both, and the second round trip cost the press more than the
    database's work for it (issue 21). Both are read in one snapshot."""
    if not rows:
        statement, values = _standing_read(ticket)
        session.flush()  # as the two functions do
        rows = session.connection().execute(statement, values).all()
    return rows[0].ahead, [row for row in rows if row.id is not None]


@cache
def _with_counter_states(ahead):
    """``ahead`` (a count of :func:`_ahead`) on each counter of the site, as one more column. The
    counters are joined to a row of their own, so that a site without any still gives the
    count. Built once per count, like the count itself."""
    counters = Counter.__table__
    one = select(literal(1).label("one")).subquery()
    return (
        select(ahead.scalar_subquery().label("ahead"), *_counter_states_columns(counters.c))
        .select_from(one)
        .outerjoin(counters, counters.c.site_id == bindparam("site_id"))
    )


def standings(session: Session, ticket_ids: list[int]) -> dict[int, dict]:
    """:func:`ticket_standing` of many tickets at once (the phones following them), by id.

    One query places them all: each waiting ticket's rank in its queue, by the order of
    :func:`people_ahead` (:func:`.order.call_order`). A ticket that
    waits for one counter is ranked among that counter's, any other among its service's.
    Tickets no longer in queue get ``{}``, like :func:`ticket_standing`.
    """
    if not ticket_ids:
        return {}
    in_order = order.call_order()
    tracked = (
        select(Ticket.site_id, Ticket.business_date)
        .where(_among(session, Ticket.id, ticket_ids), Ticket.status.in_(TicketStatus.IN_QUEUE))
        .distinct()
        .subquery()
    )
    ranked = (
        select(
            Ticket.id,
            Ticket.site_id,
            Ticket.service_id,
            Ticket.business_date,
            Ticket.target_counter_id,
            (
                func.row_number().over(
                    partition_by=(Ticket.business_date, Ticket.service_id), order_by=in_order
                )
                - 1
            ).label("in_service"),
            (
                func.row_number().over(
                    partition_by=(Ticket.business_date, Ticket.target_counter_id), order_by=in_order
                )
                - 1
            ).label("at_counter"),
        )
        .join(
            tracked,
            and_(Ticket.site_id == tracked.c.site_id, Ticket.business_date == tracked.c.business_date),
        )
        .where(Ticket.status.in_(TicketStatus.IN_QUEUE))
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(_among(session, ranked.c.id, ticket_ids)), order.at(utcnow())
    ).all()
    result: dict[int, dict] = dict.fromkeys(ticket_ids, {})
    services = {
        service.id: service
        for service in session.scalars(
            select(Service).where(Service.id.in_({row.service_id for row in rows}))
        )
    }
    # Every counter of the sites at once, for the tickets waiting for one counter and for the
    # open counters of each service (one query, not one per service).
    sites = {row.site_id for row in rows}
    all_counters = {c.id: c for c in session.scalars(select(Counter).where(Counter.site_id.in_(sites)))}
    serving: dict[tuple, list[int]] = {}
    for row in rows:
        if row.target_counter_id is not None:
            ahead = row.at_counter
            counters = open_numbers([all_counters[row.target_counter_id]], row.business_date)
        else:
            ahead = row.in_service
            key = (row.site_id, row.service_id, row.business_date)
            if key not in serving:
                serving[key] = open_numbers(
                    (all_counters[i] for i in routing.counters_serving(session, *key)), row.business_date
                )
            counters = serving[key]
        seconds = service_seconds(services[row.service_id], average_service_seconds(session, row.site_id))
        result[row.id] = {
            "position": ahead + 1,
            "people_ahead": ahead,
            "estimated_wait_s": estimate_wait(ahead, seconds, len(counters)),
            "counters": counters,
        }
    return result


def _among(session: Session, column, ids: list[int]):
    """``column IN ids`` for the long lists of :func:`standings` (a process's thousand phones):
    on PostgreSQL one array parameter, since a thousand placeholders cost more to build and to
    parse than the query takes to run."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def ticket_standing(session: Session, ticket: Ticket, rows: list | None = None) -> dict:
    """Where a waiting ticket stands: place, people ahead, expected wait, who will serve it.
    ``rows``: those of :func:`standing_at_commit`, if they were read."""
    if ticket.status not in TicketStatus.IN_QUEUE:
        return {}
    if ticket.target_counter_id is not None:
        target = ticket.target_counter
        counters = open_numbers([target] if target is not None else [], ticket.business_date)
        ahead = people_ahead(session, ticket)
    else:  # the counters' states read with the count, in one statement
        ahead, states = _ahead_and_counter_states(session, ticket, rows)
        day = ticket.business_date
        counters = open_counter_numbers(session, ticket.site_id, ticket.service_id, day, states)
    seconds = service_seconds(ticket.service, average_service_seconds(session, ticket.site_id))
    return {
        "position": ahead + 1,
        "people_ahead": ahead,
        "estimated_wait_s": estimate_wait(ahead, seconds, len(counters)),
        "counters": counters,
    }
