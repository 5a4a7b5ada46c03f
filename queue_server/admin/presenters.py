"""The administration's rows as its API and pages show them: a site's settings, departments,
services, counters with their schedules, rotations, duties, accounts and devices, and the two
reads built from the routing rules: who serves what on each day (the rota) and who is on duty
on a day. Nothing here changes a row; the rules that do are in :mod:`.operations`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.duties import on_duty
from ..auth.models import DeviceToken, User
from ..auth.presenters import account_view
from ..sites.models import Counter, CounterSchedule, Department, Duty, Rotation, Service, Site, monday_of
from ..sites.routing import site_routing
from .operations.days import DAYS_FIELDS
from .operations.rotations import ROTATION_FIELDS
from .operations.services import SERVICE_FIELDS
from .operations.sites import SITE_FIELDS


def site_view(site: Site) -> dict:
    return {
        "id": site.id,
        "code": site.code,
        **{name: getattr(site, name) for name in SITE_FIELDS},
        "opening_hours": [
            {"weekday": h.weekday, "opens": h.opens, "closes": h.closes}
            for h in sorted(site.opening_hours, key=lambda h: (h.weekday, h.opens))
        ],
    }


def department_view(department: Department, service_count: int) -> dict:
    return {
        "id": department.id,
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
        "services": service_count,
    }


def departments_of(session: Session, site: Site) -> list[dict]:
    counts = dict(
        session.execute(
            select(Service.department_id, func.count(Service.id))
            .where(Service.site_id == site.id)
            .group_by(Service.department_id)
        ).all()
    )
    departments = session.scalars(
        select(Department).where(Department.site_id == site.id).order_by(Department.code)
    )
    return [department_view(d, counts.get(d.id, 0)) for d in departments]


def service_view(service: Service) -> dict:
    return {
        "id": service.id,
        **{name: getattr(service, name) for name in SERVICE_FIELDS},
        "department": service.department.code,
        "department_name": service.department.name,
    }


def services_of(session: Session, site: Site) -> list[dict]:
    services = session.scalars(
        select(Service).where(Service.site_id == site.id).order_by(Service.sort_order, Service.code)
    )
    return [service_view(s) for s in services]


def rotation_view(rotation: Rotation, today: date) -> dict:
    return {
        "id": rotation.id,
        **{name: getattr(rotation, name) for name in ROTATION_FIELDS},
        "week_now": rotation.week_of(today),
    }


def rotations_of(session: Session, site: Site, today: date) -> list[dict]:
    rotations = session.scalars(select(Rotation).where(Rotation.site_id == site.id).order_by(Rotation.name))
    return [rotation_view(r, today) for r in rotations]


def schedule_view(rule: CounterSchedule) -> dict:
    return {
        "id": rule.id,
        "counter_id": rule.counter_id,
        "department": rule.department.code if rule.department else None,
        "service": rule.service.code if rule.service else None,
        **{name: getattr(rule, name) for name in DAYS_FIELDS},
    }


def counter_view(counter: Counter) -> dict:
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "state": counter.state,
        "schedules": [schedule_view(rule) for rule in sorted(counter.schedules, key=lambda r: r.id)],
    }


def counters_of(session: Session, site: Site) -> list[dict]:
    counters = session.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number))
    return [counter_view(c) for c in counters]


def officer_view(user: User) -> dict:
    return {"username": user.username, "full_name": user.full_name}


def duty_view(duty: Duty) -> dict:
    return {
        "id": duty.id,
        "counter": duty.counter.number,
        "user": duty.user.username,
        "full_name": duty.user.full_name,
        **{name: getattr(duty, name) for name in DAYS_FIELDS},
    }


def duties_of(session: Session, site: Site) -> list[dict]:
    duties = session.scalars(
        select(Duty)
        .join(Counter, Counter.id == Duty.counter_id)
        .join(User, User.id == Duty.user_id)
        .where(Counter.site_id == site.id)
        .order_by(Counter.number, User.username, Duty.id)
    )
    return [duty_view(d) for d in duties]


def duties_on(session: Session, site: Site, user: User, day: date) -> dict:
    """Who is rostered at each counter of the site on ``day``, and which counters are the
    caller's own (the console puts them forward)."""
    duties = on_duty(session, site.id, day)
    officers: dict[Counter, list[dict]] = defaultdict(list)
    for duty in duties:
        officers[duty.counter].append(officer_view(duty.user))
    return {
        "date": day,
        "counters": [
            {"id": counter.id, "number": counter.number, "officers": names}
            for counter, names in officers.items()
        ],
        "mine": sorted({duty.counter_id for duty in duties if duty.user_id == user.id}),
    }


def rota(session: Session, site: Site, first_day: date | None, days: int, today: date) -> dict:
    """Who serves what on each day from ``first_day`` (default: the Monday of ``today``'s week),
    as :mod:`queue_server.sites.routing` decides it: per counter and day, the departments served
    whole, then the single services, and the officers on duty there; per day, the week each of
    the site's rotations is in."""
    first_day = first_day or monday_of(today)
    dates = [first_day + timedelta(days=offset) for offset in range(days)]
    services = session.scalars(
        select(Service)
        .where(Service.site_id == site.id, Service.active.is_(True))
        .order_by(Service.sort_order, Service.code)
    ).all()
    by_department: dict[int, list[Service]] = defaultdict(list)
    for service in services:
        by_department[service.department_id].append(service)
    departments = sorted({s.department for s in services}, key=lambda d: d.code)

    def entries(served: frozenset[int]) -> list[dict]:
        whole = [d for d in departments if all(s.id in served for s in by_department[d.id])]
        covered = {s.id for d in whole for s in by_department[d.id]}
        return [
            {"kind": "department", "code": d.code, "name": d.name, "name_en": d.name_en} for d in whole
        ] + [
            {"kind": "service", "code": s.code, "name": s.name, "name_en": s.name_en}
            for s in services
            if s.id in served and s.id not in covered
        ]

    routing = {day: site_routing(session, site.id, day) for day in dates}
    duties = {day: on_duty(session, site.id, day) for day in dates}
    rotations = session.scalars(
        select(Rotation).where(Rotation.site_id == site.id).order_by(Rotation.name)
    ).all()
    counters = session.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number))
    return {
        "today": today,
        "days": [
            {
                "date": day,
                "iso_week": day.isocalendar()[1],
                "weekday": day.isoweekday(),
                "rotations": [
                    {"id": r.id, "name": r.name, "week": r.week_of(day), "weeks": r.weeks} for r in rotations
                ],
            }
            for day in dates
        ],
        "counters": [
            {
                "id": counter.id,
                "number": counter.number,
                "name": counter.name,
                "days": [entries(routing[day].get(counter.id, frozenset())) for day in dates],
                "officers": [
                    [officer_view(d.user) for d in duties[day] if d.counter_id == counter.id] for day in dates
                ],
            }
            for counter in counters
        ],
    }


def user_view(user: User) -> dict:
    return {
        **account_view(user),
        "active": user.active,
        "created_at": user.created_at.isoformat(),
        "photo": user.photo is not None,
    }


def devices_of(session: Session, site: Site) -> list[dict]:
    devices = session.scalars(
        select(DeviceToken).where(DeviceToken.site_id == site.id).order_by(DeviceToken.kind, DeviceToken.id)
    ).all()
    numbers: dict[int | None, int] = dict(  # a device without a counter finds none
        session.execute(select(Counter.id, Counter.number).where(Counter.site_id == site.id)).all()
    )
    return [device_view(device, site, numbers.get(device.counter_id)) for device in devices]


def device_view(device: DeviceToken, site: Site, counter_number: int | None) -> dict:
    return {
        "id": device.id,
        "site": site.code,
        "kind": device.kind,
        "name": device.name,
        "counter": counter_number,
        "revoked": device.revoked,
        "revoked_at": device.revoked_at.isoformat() if device.revoked_at else None,
        "created_at": device.created_at.isoformat(),
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "health": device.health,
    }
