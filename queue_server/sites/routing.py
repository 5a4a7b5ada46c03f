"""Which counter serves which services on a given day: the one place for that rule.

Merged counters (quầy gộp) are plain data: a counter has schedule rules naming departments or
services, limited by weekday, a week of a rotation and a date range (see :class:`OnDays`).
The day's routing of a site is read on every ticket and call, and changes only when an admin
edits a schedule, so each process reuses it briefly (:mod:`queue_server.cache`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..cache import remember
from .models import Counter, CounterSchedule, Service


def site_routing(session: Session, site_id: int, day: date) -> dict[int, frozenset[int]]:
    """For every counter of the site, the ids of the active services it serves on ``day``."""
    return remember(("routing", site_id, day), lambda: _site_routing(session, site_id, day))


def services_served(session: Session, counter: Counter, day: date) -> frozenset[int]:
    """Ids of the active services that ``counter`` serves on ``day``."""
    return site_routing(session, counter.site_id, day).get(counter.id, frozenset())


def counters_serving(session: Session, site_id: int, service_id: int, day: date) -> set[int]:
    """Ids of the counters that serve the service on ``day`` (whatever their state)."""
    return {cid for cid, ids in site_routing(session, site_id, day).items() if service_id in ids}


def counters_by_service(routing: dict[int, frozenset[int]]) -> dict[int, set[int]]:
    """Invert :func:`site_routing`: service id -> ids of the counters serving it."""
    inverted: dict[int, set[int]] = defaultdict(set)
    for counter_id, service_ids in routing.items():
        for service_id in service_ids:
            inverted[service_id].add(counter_id)
    return inverted


def _site_routing(session: Session, site_id: int, day: date) -> dict[int, frozenset[int]]:
    by_department: dict[int, set[int]] = defaultdict(set)
    for service_id, department_id in session.execute(
        select(Service.id, Service.department_id).where(Service.site_id == site_id, Service.active.is_(True))
    ):
        by_department[department_id].add(service_id)
    active = set().union(*by_department.values())
    served: dict[int, set[int]] = {
        counter_id: set()
        for counter_id in session.scalars(select(Counter.id).where(Counter.site_id == site_id))
    }
    rules = session.scalars(
        select(CounterSchedule)
        .join(Counter)
        .where(Counter.site_id == site_id)
        .options(selectinload(CounterSchedule.rotation))
    )
    for rule in rules:
        if not rule.applies_on(day):
            continue
        if rule.service_id is not None:
            if rule.service_id in active:
                served[rule.counter_id].add(rule.service_id)
        elif rule.department_id is not None:
            served[rule.counter_id].update(by_department.get(rule.department_id, ()))
    return {counter_id: frozenset(ids) for counter_id, ids in served.items()}
