"""Everything that changes a ticket or a counter: the only place for the queue's rules.

Each operation takes plain arguments and the acting :class:`Actor`, changes the state, writes
one event per change to the journal and leaves the commit to the caller. Live events leave the
process only after that commit (see :mod:`queue_server.events`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    BindParameter,
    Table,
    and_,
    bindparam,
    false,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..actors import Actor
from ..auth import sessions
from ..auth.models import DeviceToken, User
from ..database import (
    all_loaded,
    as_loaded,
    column_attributes,
    columns_of,
    lean_execute,
    named_columns,
    utcnow,
)
from ..errors import ApiError, Conflict, NotFound
from ..lookups import AnySession, get_or_404, one_or_404
from ..sites import calls, routing, staffing
from ..sites.calendar import business_date
from ..sites.lookups import service_in_session, unknown_counter
from ..sites.models import Counter, CounterState, PriorityPolicy, Service, Site
from . import admission, journal, order, quota
from .models import Channel, CounterPause, Priority, Ticket, TicketStatus
from .numbering import insert_numbered
from .presenters import officer_public


def get_ticket(session: AnySession, ticket_id: int) -> Ticket:
    return get_or_404(session, Ticket, ticket_id, code="unknown_ticket", message=f"No ticket {ticket_id}.")


def get_ticket_by_token(session: AnySession, token: str) -> Ticket:
    """The ticket of a tracking link (the unguessable key printed in its QR code)."""
    statement = select(Ticket).where(Ticket.public_token == token)
    return one_or_404(session, statement, code="unknown_ticket", message="No ticket for this link.")


def get_service(session: Session, site: Site, code: str) -> Service:
    service = session.scalar(select(Service).where(Service.site_id == site.id, Service.code == code))
    return _offered(site, code, service)


def _offered(site: Site, code: str, service: Service | None) -> Service:
    """The service ``code`` as looked up at ``site``, if it exists and is offered now."""
    if service is None:
        raise NotFound("unknown_service", f"No service {code!r} at site {site.code}.")
    if not service.active:
        raise Conflict("service_inactive", f"The service {code!r} is not offered at the moment.")
    return service


def issue_ticket(
    session: Session,
    site: Site,
    service_code: str,
    actor: Actor,
    *,
    priority: str | None = None,
    channel: str = Channel.KIOSK,
    now: datetime | None = None,
    client_id: str | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> Ticket:
    """Hand out the next number of a service for today (local business day).

    ``client_id`` is stored with the ticket; :func:`issue_ticket_once` is the retry-safe entry.
    ``window`` makes a booked ticket (``booking/checkin.py``): the start and end of the time it
    is called ahead of walk-ins (:mod:`.order`). Its number is the service's next, like any.
    """
    _check_options(priority, channel)
    service = get_service(session, site, service_code)
    return _issue(session, site, service, actor, priority, channel, now or utcnow(), client_id, window)


def _check_options(priority: str | None, channel: str) -> None:
    if priority is not None and priority not in Priority.ALL:
        raise ApiError("invalid_priority", f"Unknown priority reason {priority!r}.")
    if channel not in Channel.ALL:
        raise ApiError("invalid_channel", f"Unknown channel {channel!r}.")


def _issue(session, site, service, actor, priority, channel, now, client_id, window=None) -> Ticket:
    """Admission, the next number and the ticket itself, for a service already looked up. A
    booked ticket (``window``) skips admission: its slot was admitted when it was booked."""
    if window is None:
        admission.check(session, site, service, channel, now)
    day = business_date(site, now)
    values = {
        "public_token": secrets.token_urlsafe(16),
        "client_id": client_id,
        "site_id": site.id,
        "service_id": service.id,
        "issued_service_id": service.id,
        "business_date": day,
        "status": TicketStatus.WAITING,
        "priority": priority,
        "channel": channel,
        "issued_at": now,
        "called_at": None,
        "started_at": None,
        "finished_at": None,
        "counter_id": None,
        "target_counter_id": None,
        "officer_id": None,
        "recall_count": 0,
        "appointment_at": window[0] if window else None,
        "appointment_until": window[1] if window else None,
    }
    numbered = insert_numbered(session, values, service)
    if numbered is None:
        # The caller rolls back, which also gives the number back.
        full = f"All {service.capacity} numbers of {service.name} are taken for today."
        raise Conflict("service_full", full)
    # The row written with Core is handed on as if loaded: the ORM's unit of work (a flush that
    # sorts, tracks and writes the object) took an eighth of the CPU of a ticket issued, for one
    # row whose every value is known here.
    relations = {
        "site": site,
        "service": service,
        "issued_service": service,
        "counter": None,
        "target_counter": None,
    }
    ticket = as_loaded(session, Ticket, {**values, **numbered, **relations})
    journal.record(session, site, "ticket.issued", actor, now, ticket=ticket)
    return ticket


@dataclass(frozen=True)
class Press:
    """A press on a kiosk's button as the database knows it (:func:`find_press`)."""

    site: Site
    service_code: str
    # None when the site has no service of that code.
    service: Service | None
    client_id: str | None
    # The ticket this press (``client_id``) already took, at whichever site.
    earlier: Ticket | None
    # The row of the device holding the token asked about (its columns by name), for the rules
    # of ``auth.access.device_read_with``; None when none was asked about or none holds it.
    device: dict | None = None


def find_press(
    session: Session, site_code: str, service_code: str, client_id: str | None, token_hash: str | None = None
) -> Press | None:
    """The site, its service, the ticket the press may already have taken and the calling
    device's row (``token_hash``, from ``auth.access.token_to_look_up``): one query, not four,
    on the busiest request there is. None if there is no such site.

    Plain reads, nothing locked: under READ COMMITTED they see what separate queries would have
    seen. Read with Core and handed on as loaded (:func:`as_loaded`): the ORM's loading of the
    two rows cost a press more than the query. The rules about what was found stay in
    :func:`issue_ticket_once`, and the device's in ``auth``.
    """
    values = {
        "site_code": site_code,
        "service_code": service_code,
        "client_id": client_id,
        "token_hash": token_hash,
    }
    rows = lean_execute(session.connection(), _press_query(), values)
    if not rows:
        return None
    row = rows[0]
    site, service = all_loaded(session, _PRESS_MODELS, row)
    earlier = session.get(Ticket, row.earlier_id) if row.earlier_id is not None else None
    names = column_attributes(DeviceToken)
    device = dict(zip(names, row[-len(names) :], strict=True)) if token_hash is not None else None
    return Press(site, service_code, service, client_id, earlier, device)


# The models whose columns the press's query reads, in its order (then the earlier ticket's id,
# then the device's columns).
_PRESS_MODELS = (Site, Service)


@cache
def _press_query():
    """Built once: building and keying a statement costs more than running it here. A NULL
    ``client_id`` or ``token_hash`` equals nothing, so no earlier ticket or device is found
    without one."""
    return (
        select(*columns_of(*_PRESS_MODELS), Ticket.id.label("earlier_id"), *columns_of(DeviceToken))
        .outerjoin(Service, and_(Service.site_id == Site.id, Service.code == bindparam("service_code")))
        .outerjoin(Ticket, Ticket.client_id == bindparam("client_id"))
        .outerjoin(DeviceToken, DeviceToken.token_hash == bindparam("token_hash"))
        .where(Site.code == bindparam("site_code"))
    )


def issue_ticket_once(
    session: Session,
    press: Press,
    actor: Actor,
    *,
    priority: str | None = None,
    channel: str = Channel.KIOSK,
    now: datetime | None = None,
    limit: str | None = None,
) -> tuple[Ticket, bool]:
    """:func:`issue_ticket`, unless the kiosk's press ``client_id`` already took a number: then
    that ticket, with ``created`` False. Two requests with one new id at the same moment both
    get a number here; the unique column refuses the second at commit, and the API answers it
    with the first (see ``issue_ticket`` in queueing/api.py). ``press`` comes from
    :func:`find_press`, which read everything this needs in one query. With ``limit``
    (``KIOSK_RATE_LIMIT``) a new number counts against the actor's (:mod:`.quota`)."""
    site = press.site
    if press.earlier is not None:
        return _same_site(press.earlier, site), False
    _check_options(priority, channel)
    service = _offered(site, press.service_code, press.service)
    if limit is not None:
        quota.count_number(session, actor, limit)
    return _issue(session, site, service, actor, priority, channel, now or utcnow(), press.client_id), True


def ticket_by_client_id(session: Session, site: Site, client_id: str) -> Ticket | None:
    """The ticket a kiosk's press ``client_id`` already took, if it was taken at ``site``."""
    ticket = session.scalar(select(Ticket).where(Ticket.client_id == client_id))
    return _same_site(ticket, site) if ticket is not None else None


def _same_site(ticket: Ticket, site: Site) -> Ticket:
    if ticket.site_id != site.id:
        raise Conflict("client_id_taken", "This client_id belongs to a ticket of another site.")
    return ticket


def counter_for_update(
    session: Session, counter_id: int, staff_session: str | None = None
) -> tuple[Counter, list]:
    """The counter with its site, locked until the transaction ends; with ``staff_session`` (the
    hash ``auth.access.staff_session_to_look_up`` gives), the rows of that staff session too, for
    ``auth.access.staff_session_read_with`` (else an empty list).

    Actions that change whom a counter serves (call next, a walk-in) start here, so that two
    officers sharing a counter who press "next" together are served one after the other. The
    counter, its site, the lock and the officer's session come in one statement: a call is the
    busiest request of a centre after issuing, and each round trip to the database costs a
    gevent worker more CPU than the statement itself. The session's rules stay in ``auth``.
    """
    values = {"counter_id": counter_id, "token_hash": staff_session}
    rows = lean_execute(session.connection(), _counter_for_update(staff_session is not None), values)
    if not rows:
        raise unknown_counter(counter_id)
    # Read again under the lock, so as it is now (the ORM's ``populate_existing``).
    counter, site = all_loaded(session, _COUNTER_MODELS, rows[0], refresh=True)
    set_committed_value(counter, "site", site)
    if staff_session is None:
        return counter, []
    width = sum(len(column_attributes(model)) for model in _COUNTER_MODELS)  # the session's after
    return counter, [row[width:] for row in rows]


# The models whose columns the counter's locking read reads, in its order.
_COUNTER_MODELS = (Counter, Site)


@cache
def _counter_for_update(with_staff_session: bool):
    """Built once, as the statements of a press are (:func:`_press_query`). Read with Core and
    handed on as loaded (:func:`as_loaded`): the ORM's loading of the two rows cost a call more
    than the statement. With the staff session's rows (``auth.sessions.with_session``) it is a
    row for each site of the officer's, the counter's columns the same on each."""
    statement = (
        select(*columns_of(*_COUNTER_MODELS))
        .join(Site, Site.id == Counter.site_id)
        .where(Counter.id == bindparam("counter_id"))
    )
    if with_staff_session:
        statement = sessions.with_session(statement)
    return statement.with_for_update(of=Counter)


def _finish_current(session: Session, counter: Counter, actor: Actor, now: datetime) -> None:
    """Finish what the counter (locked, :func:`counter_for_update`) serves now.

    Its tickets are found and finished by one ``UPDATE ... RETURNING`` (:func:`_finish_statement`),
    as the ticket a call chooses is called by one (:func:`_call_statement`): reading them first
    and writing each after cost a call a round trip to the database more.
    """
    values = {"finishing_counter": counter.id, "now": now}
    rows = session.connection().execute(_finish_statement(), values).all()
    _record_finished(session, counter, actor, now, rows)


def _record_finished(session: Session, counter: Counter, actor: Actor, now: datetime, rows) -> None:
    """Journal the tickets of ``rows``, as the finishing statement returned them. The rows come
    back as finished and are handed on as loaded, their service from the process's copy
    (:func:`service_in_session`)."""
    for row in rows:
        ticket = _loaded_ticket(session, counter, row)
        journal.record(session, counter.site, "ticket.finished", actor, now, ticket=ticket, counter=counter)


def _loaded_ticket(session: Session, counter: Counter, row) -> Ticket:
    """A ticket as the counter's statements return it (:func:`_finish_statement`,
    :func:`_call_statement`), handed on as loaded (:func:`as_loaded`) with what it is at."""
    values = {name: row[i] for i, name in enumerate(column_attributes(Ticket))}
    values.update(site=counter.site, counter=counter, service=service_in_session(session, row.service_id))
    if values["target_counter_id"] is None:  # as a call leaves it
        values["target_counter"] = None
    return as_loaded(session, Ticket, values, refresh=True)


@cache
def _finish_statement():
    return (
        update(Ticket)
        .where(
            Ticket.counter_id == bindparam("finishing_counter"),
            Ticket.status.in_([literal(status) for status in TicketStatus.AT_COUNTER]),
        )
        .values(status=TicketStatus.DONE, finished_at=bindparam("now"))
        .returning(*named_columns(Ticket))
    )


def _finish_and_call(
    session: Session, counter: Counter, actor: Actor, service_ids: frozenset[int], day, now: datetime
) -> Ticket | None:
    """Finish what the counter serves and call the ticket it should call now, in the queue's
    order (:mod:`.order`): the ticket, called, locked until the commit; None if nobody waits for
    the counter.

    Priority tickets, then booked tickets in their window, come first (``strict``), unless an
    ``interleave`` site's counter has just called ``priority_max_run`` of them in a row: then a
    waiting walk-in goes first.

    Tickets another counter is claiming right now are passed over (``SKIP LOCKED``;
    PostgreSQL). Without that, every counter serving a service chose the same head of its queue
    and waited for the first to commit, only to choose again: the counters of a busy service
    called one at a time. SQLite has no row locks; its write transactions run one at a time.

    The choice and the change are one statement (``UPDATE ... WHERE id = (SELECT ... LIMIT 1)
    ... RETURNING``): a round trip to the database less on every call than choosing first, and
    no unit of work for a row whose new values are all known. On PostgreSQL the finish goes in
    the same statement, each ``UPDATE`` a ``WITH`` of it (:func:`_finish_and_call_statement`):
    one more round trip less. The two touch different rows (at the counter, waiting) and
    neither reads what the other writes, so doing them in one snapshot changes nothing. SQLite
    cannot write in a ``WITH``; it runs the two one after the other. Run with Core and the rows
    handed on as loaded (:func:`as_loaded`): the ORM's bulk ``UPDATE`` with its loading was a
    fifth of a call. The tickets' service comes from the process's short-lived copy of its row
    (:func:`service_in_session`), not from a read on every call.
    """
    site = counter.site
    walk_in_first = (
        site.priority_policy == PriorityPolicy.INTERLEAVE and counter.priority_run >= site.priority_max_run
    )
    values = {
        "finishing_counter": counter.id,
        "calling_site": site.id,
        "calling_day": day,
        "service_ids": sorted(service_ids),
        "calling_counter": counter.id,
        "officer": actor.user_id,
        "now": now,
        **order.at(now),
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(_finish_and_call_statement(walk_in_first), values).all()
        _record_finished(session, counter, actor, now, [row for row in rows if row.finished])
        called = next((row for row in rows if not row.finished), None)
    else:
        _record_finished(session, counter, actor, now, lean_execute(connection, _finish_statement(), values))
        # SQLAlchemy's own execute: its IN of the services is a parameter expanded on each run.
        called = connection.execute(_call_statement(walk_in_first), values).first()
    return None if called is None else _loaded_ticket(session, counter, called)


@cache
def _finish_and_call_statement(walk_in_first: bool):
    """:func:`_finish_statement` and :func:`_call_statement` as one (PostgreSQL): the rows of
    both, the finished ones first, each with the column ``finished`` last."""
    finished = _finish_statement().cte("finished")
    called = _call_statement(walk_in_first).cte("called")
    return union_all(
        select(*finished.c, true().label("finished")),
        select(*called.c, false().label("finished")),
    )


@cache
def _call_statement(walk_in_first: bool):
    """The calling statement of :func:`_finish_and_call`, built once for each order: building
    it and working out its cache key cost a call more than the database spends on it.

    The counter's queues are two: the waiting tickets of the services it serves, and those
    sent to it (a transfer). Each half of the ``OR`` names the site, the day and the status
    itself, so that the database reads each from its own index (``ix_tickets_queue`` by
    service, ``ix_tickets_target_counter``) and sorts only what the counter may call. With
    those terms outside the ``OR``, neither SQLite nor PostgreSQL could split it, and every
    call read the site's whole waiting queue (1.1-1.3 ms of SQLite with 4,500 waiting, at a
    counter with nobody to call as much as at a busy one).
    """
    counter_id: BindParameter[int] = bindparam("calling_counter")

    def waiting(*scope):
        return and_(
            Ticket.site_id == bindparam("calling_site"),
            Ticket.business_date == bindparam("calling_day"),
            Ticket.status.in_(TicketStatus.IN_QUEUE),
            *scope,
        )

    chosen = (
        select(Ticket.id)
        .where(
            or_(
                waiting(
                    Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
                    Ticket.target_counter_id.is_(None),
                ),
                waiting(Ticket.target_counter_id == counter_id),
            )
        )
        .order_by(*order.call_order(walk_in_first))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(Ticket)
        .where(Ticket.id == chosen)
        .values(
            status=TicketStatus.CALLED,
            counter_id=counter_id,
            target_counter_id=None,
            officer_id=bindparam("officer"),
            called_at=bindparam("now"),
        )
        .returning(*named_columns(Ticket))
    )


def call_next(session: Session, counter: Counter, actor: Actor, now: datetime | None = None) -> Ticket | None:
    """Finish the counter's current ticket and call the next one it serves today.

    ``counter`` comes from :func:`counter_for_update` in this transaction. Two counters never
    wait for each other's choice (:func:`_finish_and_call`).
    """
    now = now or utcnow()
    site = counter.site
    if counter.state != CounterState.OPEN:
        raise Conflict("counter_not_open", f"Counter {counter.number} is {counter.state}.")
    day = business_date(site, now)
    ticket = _finish_and_call(
        session, counter, actor, routing.services_served(session, counter, day), day, now
    )
    staffing.sign_on(counter, actor.user_id, day)  # at his counter, even when nobody waits
    if ticket is None:
        return None
    went_ahead = order.rank_of(ticket, now) != order.WALK_IN
    run = counter.priority_run + 1 if went_ahead else 0
    if run != counter.priority_run:  # the same value would still flush the counter (staffing.sign_on)
        counter.priority_run = run
    payload: dict[str, object] = {"announcement": announcement(site, ticket, counter)}
    if actor.user_id is not None:
        # The counter's screen shows who serves there now (the session has him already).
        officer = session.get(User, actor.user_id)
        payload["officer"] = officer_public(officer, site.code)
    journal.record(
        session, site, "ticket.called", actor, now, ticket=ticket, counter=counter, payload=payload
    )
    return ticket


def announcement(site: Site, ticket: Ticket, counter: Counter) -> str:
    """The sentence the hall speaks, from the site's template."""
    return calls.render(site.call_template, ticket.number, counter.number)


def _require_status(ticket: Ticket, allowed: tuple[str, ...], action: str) -> None:
    if ticket.status not in allowed:
        raise Conflict(
            "wrong_state",
            f"Ticket {ticket.number} is {ticket.status}; it cannot be {action}.",
            status_now=ticket.status,
        )


def _set_status(session, ticket, status, kind, actor, now, event_counter=None, **columns):
    """Change a ticket's status and columns (ids, not relationships: :func:`_write`) and log
    the event."""
    _write(session, ticket, status=status, **columns)
    journal.record(
        session,
        ticket.site,
        kind,
        actor,
        now,
        ticket=ticket,
        counter=event_counter if event_counter is not None else ticket.counter,
    )


# The relationship each foreign key of a ticket that :func:`_write` may change stands for.
_RELATIONSHIPS = {"counter_id": "counter", "target_counter_id": "target_counter", "service_id": "service"}


def _write(session: Session, ticket: Ticket, **columns) -> None:
    """Write ``columns`` of a loaded ``ticket`` with one Core ``UPDATE`` by its id, and make
    them the object's loaded state. Every change of a ticket after it is issued goes through
    here, or is a Core ``UPDATE ... RETURNING`` whose rows become the loaded state (a call's
    :func:`_finish_current` and :func:`_finish_and_call`), so that none is half in the ORM's
    unit of work and half past it.

    The new values of a ticket's change are all known here; through the ORM's unit of work (a
    flush that tracks, sorts and writes them) a call's two changes were an eighth of its CPU in
    a profile. Nothing else watches tickets
    change: they are not in the audit trail (their journal is :mod:`.journal`). A relationship
    whose id changes is expired, and loaded again from the identity map (no query) when it is
    next used.
    """
    session.connection().execute(_ticket_update(tuple(columns)), {"ticket_id": ticket.id, **columns})
    for name, value in columns.items():
        set_committed_value(ticket, name, value)
    if changed := [_RELATIONSHIPS[name] for name in columns if name in _RELATIONSHIPS]:
        session.expire(ticket, changed)


@cache
def _ticket_update(names: tuple[str, ...]):
    tickets = cast(Table, Ticket.__table__)  # a declarative class's table
    return (
        update(tickets).where(tickets.c.id == bindparam("ticket_id")).values({n: bindparam(n) for n in names})
    )


def recall(session: Session, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """Announce a called ticket again."""
    now = now or utcnow()
    _require_status(ticket, (TicketStatus.CALLED,), "recalled")
    assert ticket.counter is not None  # a called ticket is at the counter that called it
    _write(session, ticket, recall_count=ticket.recall_count + 1)
    journal.record(
        session,
        ticket.site,
        "ticket.recalled",
        actor,
        now,
        ticket=ticket,
        counter=ticket.counter,
        payload={"announcement": announcement(ticket.site, ticket, ticket.counter)},
    )
    return ticket


def start(session: Session, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """The citizen has arrived at the counter: serving begins."""
    now = now or utcnow()
    _require_status(ticket, (TicketStatus.CALLED,), "started")
    _set_status(session, ticket, TicketStatus.SERVING, "ticket.started", actor, now, started_at=now)
    return ticket


def skip(session: Session, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """The citizen did not come: mark a no-show (can be reactivated the same day)."""
    now = now or utcnow()
    _require_status(ticket, (TicketStatus.CALLED,), "skipped")
    _set_status(session, ticket, TicketStatus.NO_SHOW, "ticket.skipped", actor, now, finished_at=now)
    return ticket


def reactivate(session: Session, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """Put a no-show back in its queue, at its original place, on the same business day."""
    now = now or utcnow()
    _require_status(ticket, (TicketStatus.NO_SHOW,), "reactivated")
    if business_date(ticket.site, now) != ticket.business_date:
        raise Conflict("expired", f"Ticket {ticket.number} was for {ticket.business_date}; take a new one.")
    _set_status(
        session,
        ticket,
        TicketStatus.WAITING,
        "ticket.reactivated",
        actor,
        now,
        event_counter=ticket.counter,
        counter_id=None,
        finished_at=None,
    )
    return ticket


def finish(session: Session, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    now = now or utcnow()
    _require_status(ticket, TicketStatus.AT_COUNTER, "finished")
    _set_status(session, ticket, TicketStatus.DONE, "ticket.finished", actor, now, finished_at=now)
    return ticket


def transfer(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    *,
    service_code: str | None = None,
    counter_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move a ticket to another service's queue or to one counter.

    It keeps its number and its place by original issue time, so a citizen sent on is not sent
    to the back of the line.
    """
    now = now or utcnow()
    if (service_code is None) == (counter_id is None):
        raise ApiError("invalid_transfer", "Give either a service or a counter to transfer to.")
    _require_status(ticket, TicketStatus.IN_QUEUE + TicketStatus.AT_COUNTER, "transferred")
    site = ticket.site
    origin = {"service": ticket.service.code, "counter": ticket.counter.number if ticket.counter else None}
    from_counter = ticket.counter
    if service_code is not None:
        service = get_service(session, site, service_code)
        moved: dict[str, int | None] = {"service_id": service.id, "target_counter_id": None}
        destination: dict[str, str | int] = {"service": service.code}
    else:
        target = session.get(Counter, counter_id)
        if target is None or target.site_id != site.id:
            raise NotFound("unknown_counter", f"No counter {counter_id} at site {site.code}.")
        moved = {"target_counter_id": target.id}
        destination = {"counter": target.number}
    _write(
        session,
        ticket,
        status=TicketStatus.TRANSFERRED,
        counter_id=None,
        called_at=None,
        started_at=None,
        **moved,
    )
    journal.record(
        session,
        site,
        "ticket.transferred",
        actor,
        now,
        ticket=ticket,
        counter=from_counter,
        data={"from": origin, "to": destination},
        payload={"from": origin, "to": destination},
    )
    return ticket


def serve_walk_in(
    session: Session, counter: Counter, service_code: str, actor: Actor, now: datetime | None = None
) -> Ticket:
    """Serve someone who came to the counter without a ticket; they still get a number.

    ``counter`` comes from :func:`counter_for_update` in this transaction.
    """
    now = now or utcnow()
    if counter.state != CounterState.OPEN:
        raise Conflict("counter_not_open", f"Counter {counter.number} is {counter.state}.")
    _finish_current(session, counter, actor, now)
    ticket = issue_ticket(session, counter.site, service_code, actor, channel=Channel.COUNTER, now=now)
    staffing.sign_on(counter, actor.user_id, ticket.business_date)
    _set_status(
        session,
        ticket,
        TicketStatus.SERVING,
        "ticket.started",
        actor,
        now,
        counter_id=counter.id,
        officer_id=actor.user_id,
        called_at=now,
        started_at=now,
    )
    return ticket


def _set_counter_state(session, counter, state, reason, kind, actor, now):
    """Change the counter's state; a pause is kept as its own row until the counter resumes or
    closes, for the productivity reports."""
    if state == CounterState.PAUSED:
        session.add(
            CounterPause(
                site_id=counter.site_id,
                counter_id=counter.id,
                officer_id=actor.user_id,
                reason=reason,
                started_at=now,
            )
        )
    elif counter.state == CounterState.PAUSED:
        session.execute(
            update(CounterPause)
            .where(CounterPause.counter_id == counter.id, CounterPause.ended_at.is_(None))
            .values(ended_at=now)
        )
    counter.state = state
    counter.pause_reason = reason
    journal.record(
        session,
        counter.site,
        kind,
        actor,
        now,
        counter=counter,
        data={"state": state, "reason": reason},
        payload={"state": state, "reason": reason},
    )
    return counter


def pause_counter(
    session: Session, counter: Counter, reason: str, actor: Actor, now: datetime | None = None
) -> Counter:
    reason = (reason or "").strip()
    if not reason:
        raise ApiError("reason_required", "Say why the counter is paused.")
    if counter.state == CounterState.PAUSED:
        raise Conflict("wrong_state", f"Counter {counter.number} is already paused.")
    return _set_counter_state(
        session, counter, CounterState.PAUSED, reason[:200], "counter.changed", actor, now or utcnow()
    )


def resume_counter(session: Session, counter: Counter, actor: Actor, now: datetime | None = None) -> Counter:
    if counter.state == CounterState.OPEN:
        raise Conflict("wrong_state", f"Counter {counter.number} is already open.")
    now = now or utcnow()
    staffing.sign_on(counter, actor.user_id, business_date(counter.site, now))
    return _set_counter_state(session, counter, CounterState.OPEN, None, "counter.changed", actor, now)


def close_counter(session: Session, counter: Counter, actor: Actor, now: datetime | None = None) -> Counter:
    if counter.state == CounterState.CLOSED:
        raise Conflict("wrong_state", f"Counter {counter.number} is already closed.")
    now = now or utcnow()
    _finish_current(session, counter, actor, now)
    staffing.sign_off(counter)
    return _set_counter_state(session, counter, CounterState.CLOSED, None, "counter.changed", actor, now)
