"""Which counter serves which services on a given day: the one place for that rule.

Merged counters (quầy gộp) are plain data: a counter has schedule rules naming departments or
services, limited by weekday, ISO week parity and date range (see :class:`CounterSchedule`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Counter, CounterSchedule, Service


def _active_services_by_department(session: Session, site_id: int) -> dict[int, list[int]]:
    rows = session.execute(
        select(Service.id, Service.department_id).where(
            Service.site_id == site_id, Service.active.is_(True)
        )
    )
    by_department: dict[int, list[int]] = defaultdict(list)
    for service_id, department_id in rows:
        by_department[department_id].append(service_id)
    return by_department


def _resolve(rules: list[CounterSchedule], day: date, by_department, active: set[int]) -> set[int]:
    served: set[int] = set()
    for rule in rules:
        if not rule.applies_on(day):
            continue
        if rule.service_id is not None:
            if rule.service_id in active:
                served.add(rule.service_id)
        else:
            served.update(by_department.get(rule.department_id, ()))
    return served


def services_served(session: Session, counter: Counter, day: date) -> set[int]:
    """Ids of the active services that ``counter`` serves on ``day``."""
    by_department = _active_services_by_department(session, counter.site_id)
    active = {sid for ids in by_department.values() for sid in ids}
    rules = session.scalars(
        select(CounterSchedule).where(CounterSchedule.counter_id == counter.id)
    ).all()
    return _resolve(list(rules), day, by_department, active)


def site_routing(session: Session, site_id: int, day: date) -> dict[int, set[int]]:
    """For every counter of the site, the ids of the services it serves on ``day``."""
    by_department = _active_services_by_department(session, site_id)
    active = {sid for ids in by_department.values() for sid in ids}
    counters = session.scalars(
        select(Counter).where(Counter.site_id == site_id).options(selectinload(Counter.schedules))
    ).all()
    return {
        counter.id: _resolve(counter.schedules, day, by_department, active) for counter in counters
    }


def counters_by_service(routing: dict[int, set[int]]) -> dict[int, set[int]]:
    """Invert :func:`site_routing`: service id -> ids of the counters serving it."""
    inverted: dict[int, set[int]] = defaultdict(set)
    for counter_id, service_ids in routing.items():
        for service_id in service_ids:
            inverted[service_id].add(counter_id)
    return inverted
