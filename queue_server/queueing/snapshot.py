"""The state of a site's queue right now, for the API, the live snapshot and queue.stats.

The recent calls hold one row per ticket, newest call first: a recall moves the ticket's row to
the top instead of adding one. A ticket back in a queue (transferred, or a no-show put back)
has no row: the counter it was called to is no longer where it goes. A finished one or a
no-show keeps its row, with its status. Each row carries the ticket's status, priority flag and
counter id, so that a hall screen applies its banner rule (``display/static/hall.js``: the
newest row whose ticket is still called or serving at an open counter) to a snapshot and to the
live deltas alike, and both give the same picture. ``calls_today`` tells "nothing called yet
today" from "every call of the day is over".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..auth.models import User
from ..cache import remember
from ..sites import routing, staffing
from ..sites.calendar import business_date
from ..sites.models import Counter, Service, Site
from ..timefmt import iso
from . import estimates
from .models import QueueEvent, Ticket, TicketStatus
from .presenters import counter_public, ticket_public

RECENT_CALLS = 10
# Call events read to find them: a ticket recalled appears once per call, so more than ten.
RECENT_CALL_EVENTS = 100
# The waiting list in a snapshot is the head of the queue; counts per service cover the rest.
WAITING_LIST_LIMIT = 200


def active_services(session: Session, site: Site) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.site_id == site.id, Service.active.is_(True))
            .order_by(Service.sort_order, Service.code)
        )
    )


def tickets_at_counters(
    session: Session, site_id: int, day: date, counter_id: int | None = None
) -> dict[int, Ticket]:
    """The ticket each counter is calling or serving, by counter id: what every screen and the
    officer's console show as the counter's current ticket, whichever way they read it.

    Only today's: a ticket left at a counter on an earlier business day is no one's current
    ticket now (the counter's next call, or its closing, finishes it).
    """
    query = (
        select(Ticket)
        .where(
            Ticket.site_id == site_id,
            Ticket.business_date == day,
            Ticket.status.in_(TicketStatus.AT_COUNTER),
        )
        .options(selectinload(Ticket.service), selectinload(Ticket.counter))
    )
    if counter_id is not None:
        query = query.where(Ticket.counter_id == counter_id)
    return {ticket.counter_id: ticket for ticket in session.scalars(query) if ticket.counter_id is not None}


def no_shows_at(session: Session, counter_id: int, day: date) -> list[Ticket]:
    """Today's no-shows of a counter, oldest first: the citizens it may put back in the queue."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.counter_id == counter_id,
                Ticket.business_date == day,
                Ticket.status == TicketStatus.NO_SHOW,
            )
            .options(selectinload(Ticket.service), selectinload(Ticket.counter))
            .order_by(Ticket.finished_at, Ticket.id)
        )
    )


def officers_at_counters(
    session: Session, site: Site, day: date, counter_id: int | None = None
) -> dict[int, User]:
    """Who is working at each counter on ``day``, by counter id (the rule:
    :mod:`queue_server.sites.staffing`), for the console's choice of counter and the counter's
    screen, which shows the name on his badge and his photo."""
    query = select(Counter, User).join(User, User.id == Counter.officer_id).where(Counter.site_id == site.id)
    if counter_id is not None:
        query = query.where(Counter.id == counter_id)
    rows = session.execute(query)
    return {counter.id: user for counter, user in rows if staffing.officer_at(counter, day) == user.id}


def service_stats(session: Session, site: Site, day: date, services: list[Service]) -> list[dict]:
    """Waiting count and the wait a newcomer can expect, per service.

    ``counters_open`` counts the counters serving it today that receive tickets now (open, an
    officer at them: :mod:`.estimates`); with none, ``estimated_wait_s`` is None and the kiosk,
    the phone and the API say nobody receives yet rather than "no wait"."""
    waiting = estimates.waiting_by_service(session, site.id, day, [s.id for s in services])
    serving = routing.counters_by_service(routing.site_routing(session, site.id, day))
    open_ids = estimates.open_counter_ids(session, site.id, day)
    averages = estimates.average_service_seconds(session, site.id)
    stats = []
    for service in services:
        ahead = waiting.get(service.id, 0)
        open_count = len(serving.get(service.id, set()) & open_ids)
        stats.append(
            {
                "code": service.code,
                "waiting": ahead,
                "counters_open": open_count,
                "estimated_wait_s": estimates.estimate_wait(
                    ahead, estimates.service_seconds(service, averages), open_count
                ),
            }
        )
    return stats


def site_snapshot(session: Session, site: Site, now: datetime) -> dict:
    """Everything a screen needs to draw the site, with the event sequence it is current to.

    The sequence is read first: a delta that arrives later with a higher number may repeat a
    change already shown, which is harmless because deltas carry whole objects. Every change
    moves the sequence, so a snapshot built for one sequence number is reused by the clients
    that connect before the next change (a hall of screens reconnecting after a restart).
    """
    version = site_versions(session, [site.id])[site.id]
    day = business_date(site, now)
    return remember(
        ("snapshot", site.id, *version, day), lambda: _build_snapshot(session, site, version[0], day, now)
    )


def site_versions(session: Session, site_ids) -> dict[int, tuple[int, int | None]]:
    """Per site, what changes whenever its queue does: (event sequence, newest ticket id).

    Tickets issued move no sequence (see ``journal.SEQUENCED_KINDS``), so the newest ticket id
    (of any site: one index lookup) stands in for them.
    """
    newest_ticket = select(func.max(Ticket.id)).scalar_subquery()
    rows = session.execute(select(Site.id, Site.event_seq, newest_ticket).where(Site.id.in_(site_ids)))
    return {site_id: (seq, newest) for site_id, seq, newest in rows}


def _build_snapshot(session: Session, site: Site, seq: int, day: date, now: datetime) -> dict:
    services = active_services(session, site)
    codes = {service.id: service.code for service in services}
    served = routing.site_routing(session, site.id, day)
    counters = session.scalars(
        select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)
    ).all()
    today = [Ticket.site_id == site.id, Ticket.business_date == day]
    current = tickets_at_counters(session, site.id, day)
    waiting = session.scalars(
        select(Ticket)
        .where(*today, Ticket.status.in_(TicketStatus.IN_QUEUE))
        .options(selectinload(Ticket.service), selectinload(Ticket.target_counter))
        .order_by(Ticket.issued_at, Ticket.id)
        .limit(WAITING_LIST_LIMIT)
    ).all()
    stats = {s["code"]: s for s in service_stats(session, site, day, services)}
    calls = session.execute(
        select(
            QueueEvent.at,
            QueueEvent.kind,
            QueueEvent.counter_id,
            Counter.number,
            Ticket.id,
            Ticket.number,
            Ticket.status,
            Ticket.priority,
        )
        .join(Ticket, Ticket.id == QueueEvent.ticket_id)
        .join(Counter, Counter.id == QueueEvent.counter_id)
        .where(
            QueueEvent.site_id == site.id,
            QueueEvent.kind.in_(("ticket.called", "ticket.recalled")),
            Ticket.business_date == day,
        )
        .order_by(QueueEvent.site_seq.desc())
        .limit(RECENT_CALL_EVENTS)
    ).all()
    officers = officers_at_counters(session, site, day)
    return {
        "seq": seq,
        "site": {"code": site.code, "name": site.name, "name_en": site.name_en},
        "business_date": day.isoformat(),
        "generated_at": iso(now),
        "services": [
            {
                "code": service.code,
                "name": service.name,
                "name_en": service.name_en,
                "field": service.field,
                **{k: v for k, v in stats[service.code].items() if k != "code"},
            }
            for service in services
        ],
        "counters": [
            counter_public(
                counter,
                [codes[sid] for sid in served.get(counter.id, ()) if sid in codes],
                current.get(counter.id),
                officers.get(counter.id),
            )
            for counter in counters
        ],
        "waiting_total": sum(s["waiting"] for s in stats.values()),
        "waiting": [ticket_public(t) for t in waiting],
        "recent_calls": recent_calls(calls),
        "calls_today": bool(calls),
    }


def recent_calls(calls) -> list[dict]:
    """The last ``RECENT_CALLS`` tickets called, one row each, newest call first (see above)."""
    seen, rows = set(), []
    for at, kind, counter_id, counter_number, ticket_id, number, status, priority in calls:
        if ticket_id in seen:
            continue  # an earlier call of a ticket called again since
        seen.add(ticket_id)
        if status in TicketStatus.IN_QUEUE:
            continue
        rows.append(
            {
                "at": iso(at),
                "type": kind,
                "number": number,
                "counter": counter_number,
                "counter_id": counter_id,
                "ticket_id": ticket_id,
                "status": status,
                "priority": priority is not None,
            }
        )
        if len(rows) == RECENT_CALLS:
            break
    return rows
