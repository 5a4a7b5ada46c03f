"""Changing how a site is set up: its settings, departments, services, counters and their
schedules, the rotations those follow, officers' duties, staff accounts and devices. The only
place for the rules of that configuration.

Each function takes plain values (already typed by :mod:`.schemas`), checks them against the
site's other rows (a code or a counter number used twice, overlapping number ranges, a row
still referenced), changes the rows, flushes and logs one line; the caller commits. Nothing is
ever half-checked: values are validated before any row changes, so a refusal leaves nothing to
flush. Configuration changes announce ``site.configured`` after commit (the derived-figures
cache drops what it remembered); the audit trail records every change by itself
(:mod:`queue_server.audit.recorder`). Who may call what is decided in
:mod:`queue_server.auth.access`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import cache
from ..auth import services as accounts
from ..auth import sessions
from ..auth.access import Action, Actor, allowed, may_manage_user, require_grant
from ..auth.duties import on_duty
from ..auth.models import DeviceToken, User
from ..dossiers.codes import AGENCY_CODE, AGENCY_ID_MAX
from ..dossiers.models import Procedure
from ..errors import ApiError, Conflict, NotFound
from ..events import committed, publish_after_commit
from ..queueing.models import QueueEvent, Ticket
from ..sites import calls
from ..sites.models import (
    Counter,
    CounterSchedule,
    Department,
    Duty,
    OpeningHours,
    Rotation,
    Service,
    Site,
    monday_of,
)
from ..sites.routing import site_routing

log = logging.getLogger(__name__)

CONFIGURED = "site.configured"


def _configured(session: Session, site: Site, what: str) -> None:
    publish_after_commit(session, CONFIGURED, {"site": site.code, "what": what})


@committed.connect_via(CONFIGURED)
def _forget_derived_figures(sender, payload) -> None:
    """Routing and estimates are remembered briefly per process; a new setup applies at once."""
    cache.clear()


def _flush(session: Session) -> None:
    """Flush; a unique constraint another request satisfied a moment earlier is a 409, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("conflict", "Another change got there first: reload and try again.") from None


def _apply(obj, values: dict, names) -> None:
    for name in names:
        if name in values:
            setattr(obj, name, values[name])


# -- sites -----------------------------------------------------------------------------------------

SITE_FIELDS = (
    "name",
    "name_en",
    "kind",
    "timezone",
    "agency_code",
    "province",
    "priority_policy",
    "priority_max_run",
    "call_template",
    "enforce_opening_hours",
    "target_wait_minutes",
    "use_start_step",
)


def check_call_template(template: str) -> None:
    """The spoken call must name the number and the counter and nothing else (see
    :mod:`queue_server.sites.calls`)."""
    problem = calls.template_problem(template)
    if problem is not None:
        raise ApiError("invalid_call_template", problem, field="call_template")


def _check_opening_hours(sessions: list[dict]) -> list[OpeningHours]:
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for item in sessions:
        if item["opens"] >= item["closes"]:
            raise ApiError(
                "invalid_opening_hours", "Each session must close after it opens.", field="opening_hours"
            )
        by_day[item["weekday"]].append((item["opens"], item["closes"]))
    for day, spans in by_day.items():
        spans.sort()
        for (_, closes), (opens, _) in zip(spans, spans[1:], strict=False):
            if opens < closes:
                raise ApiError(
                    "overlapping_opening_hours",
                    f"Two sessions of weekday {day} overlap.",
                    field="opening_hours",
                )
    return [
        OpeningHours(weekday=day, opens=opens, closes=closes)
        for day, spans in sorted(by_day.items())
        for opens, closes in spans
    ]


def _check_site_values(session: Session, site: Site | None, values: dict) -> None:
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(
                "invalid_timezone", f"Unknown time zone {values['timezone']!r}.", field="timezone"
            ) from None
    if values.get("agency_code"):
        code = values["agency_code"]
        if not AGENCY_CODE.match(code):
            raise ApiError(
                "invalid_agency_code",
                f"An agency code has 3 to {AGENCY_ID_MAX} letters, digits or dots.",
                field="agency_code",
            )
        other = session.scalar(select(Site).where(Site.agency_code == code))
        if other is not None and other is not site:
            raise Conflict(
                "agency_code_taken",
                f"Site {other.code} already uses agency code {code}.",
                field="agency_code",
                other=other.code,
            )
    if "call_template" in values:
        check_call_template(values["call_template"])


def _set_site(session: Session, site: Site, values: dict) -> None:
    hours = _check_opening_hours(values["opening_hours"]) if "opening_hours" in values else None
    _check_site_values(session, site, values)
    _apply(site, values, SITE_FIELDS)
    if hours is not None:
        _replace_opening_hours(session, site, hours)


def _replace_opening_hours(session: Session, site: Site, hours: list[OpeningHours]) -> None:
    """The week becomes ``hours``: sessions that stay are kept, those that go are deleted and
    the new ones added, so that the audit trail holds only the days that changed, each with
    what it was (a whole week replaced would read as every day changed)."""

    def key(item: OpeningHours):
        return item.weekday, item.opens, item.closes

    wanted = {key(item) for item in hours}
    kept = set()
    for item in list(site.opening_hours):
        if key(item) in wanted:
            kept.add(key(item))
        else:
            site.opening_hours.remove(item)
            session.delete(item)
    site.opening_hours.extend(item for item in hours if key(item) not in kept)
    site.opening_hours.sort(key=key)  # in the week's order, as the relationship reads them


def create_site(session: Session, values: dict) -> Site:
    if session.scalar(select(Site.id).where(Site.code == values["code"])) is not None:
        raise Conflict("site_code_taken", f"A site with code {values['code']} exists.", field="code")
    site = Site(code=values["code"])
    _set_site(session, site, values)
    session.add(site)
    _flush(session)
    log.info("site %s created", site.code)
    _configured(session, site, "site")
    return site


def update_site(session: Session, site: Site, changes: dict) -> Site:
    _set_site(session, site, changes)
    _flush(session)
    log.info("site %s changed: %s", site.code, ", ".join(sorted(changes)))
    _configured(session, site, "site")
    return site


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


# -- departments -----------------------------------------------------------------------------------


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("unknown_department", f"No department {department_id}.")
    return department


def _check_department_code(session: Session, site: Site, code: str, department: Department | None) -> None:
    other = session.scalar(select(Department).where(Department.site_id == site.id, Department.code == code))
    if other is not None and other is not department:
        raise Conflict("department_code_taken", f"{site.code} already has department {code}.", field="code")


def create_department(session: Session, site: Site, values: dict) -> Department:
    _check_department_code(session, site, values["code"], None)
    department = Department(site_id=site.id, code=values["code"], name=values["name"])
    _apply(department, values, ("name_en",))
    session.add(department)
    _flush(session)
    log.info("department %s of %s created", department.code, site.code)
    _configured(session, site, "department")
    return department


def update_department(session: Session, department: Department, changes: dict) -> Department:
    if "code" in changes:
        _check_department_code(session, department.site, changes["code"], department)
    _apply(department, changes, ("code", "name", "name_en"))
    _flush(session)
    log.info("department %s of %s changed", department.code, department.site.code)
    _configured(session, department.site, "department")
    return department


def delete_department(session: Session, department: Department) -> None:
    """Only an empty department goes; the counter rules naming it go with it."""
    services = session.scalar(select(func.count(Service.id)).where(Service.department_id == department.id))
    if services:
        raise Conflict(
            "department_in_use",
            f"Department {department.code} still has {services} service(s): move or delete them first.",
        )
    procedures = session.scalar(
        select(func.count(Procedure.id)).where(Procedure.department_id == department.id)
    )
    if procedures:
        raise Conflict(
            "department_in_use",
            f"{procedures} procedure(s) of the catalogue belong to department {department.code}.",
        )
    _delete_rules(session, CounterSchedule.department_id == department.id)
    site = department.site
    session.delete(department)
    _flush(session)
    log.info("department %s of %s deleted", department.code, site.code)
    _configured(session, site, "department")


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


# -- services --------------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "code",
    "name",
    "name_en",
    "field",
    "icon",
    "prefix",
    "number_start",
    "number_end",
    "daily_max",
    "default_service_seconds",
    "returns_results",
    "active",
    "sort_order",
)


def get_service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound("unknown_service", f"No service {service_id}.")
    return service


def _department_by_code(session: Session, site: Site, code: str, field: str = "department") -> Department:
    department = session.scalar(
        select(Department).where(Department.site_id == site.id, Department.code == code)
    )
    if department is None:
        raise ApiError("unknown_department", f"{site.code} has no department {code}.", field=field)
    return department


def _service_by_code(session: Session, site: Site, code: str, field: str = "service") -> Service:
    service = session.scalar(select(Service).where(Service.site_id == site.id, Service.code == code))
    if service is None:
        raise ApiError("unknown_service", f"{site.code} has no service {code}.", field=field)
    return service


def last_number(start: int, end: int | None, daily_max: int | None) -> int | None:
    """The highest number a range service can hand out in a day (None: no limit)."""
    limits = [end] if end is not None else []
    if daily_max is not None:
        limits.append(start + daily_max - 1)
    return min(limits) if limits else None


def _numbers(start: int, end: int | None) -> str:
    return f"{start}–{end if end is not None else '…'}"


def _check_numbering(session: Session, site: Site, values: dict, service: Service | None) -> None:
    """A service numbers either with a letter prefix or a range, and no two services of a site
    can ever hand out the same number on the same day."""
    prefix, start, end = values["prefix"], values["number_start"], values["number_end"]
    if (prefix is None) == (start is None):
        raise ApiError(
            "invalid_numbering",
            "Give either a letter prefix (A001, A002...) or the first number of a range (1001...).",
            field="prefix" if prefix is not None else "number_start",
        )
    if end is not None and (start is None or end < start):
        raise ApiError(
            "invalid_range", "The range must end at or after its first number.", field="number_end"
        )
    last = last_number(start, end, values["daily_max"]) if start is not None else None
    others = session.scalars(
        select(Service).where(Service.site_id == site.id, Service.id != (service.id if service else None))
    )
    for other in others:
        if prefix is not None and (other.prefix or "").upper() == prefix:
            raise Conflict(
                "numbering_overlap",
                f"Service {other.code} already numbers with {prefix} ({prefix}001...).",
                field="prefix",
                other=other.code,
            )
        if start is None or other.number_start is None:
            continue
        other_last = last_number(other.number_start, other.number_end, other.daily_max)
        if (other_last is None or start <= other_last) and (last is None or other.number_start <= last):
            raise Conflict(
                "numbering_overlap",
                f"Numbers {_numbers(start, last)} overlap those of service {other.code} "
                f"({_numbers(other.number_start, other_last)}).",
                field="number_start",
                other=other.code,
            )


def _set_service(session: Session, site: Site, service: Service | None, changes: dict) -> Service:
    current = {name: getattr(service, name) for name in SERVICE_FIELDS} if service else {}
    values = {"prefix": None, "number_start": None, "number_end": None, "daily_max": None}
    values.update(current)
    values.update({k: v for k, v in changes.items() if k in SERVICE_FIELDS})
    if values["prefix"] is not None:
        values["prefix"] = values["prefix"].upper()
    other = session.scalar(select(Service).where(Service.site_id == site.id, Service.code == values["code"]))
    if other is not None and other is not service:
        raise Conflict(
            "service_code_taken", f"{site.code} already has service {values['code']}.", field="code"
        )
    department = (
        _department_by_code(session, site, changes["department"]) if "department" in changes else None
    )
    _check_numbering(session, site, values, service)
    if service is None:
        if values.get("sort_order") is None:
            highest = session.scalar(select(func.max(Service.sort_order)).where(Service.site_id == site.id))
            values["sort_order"] = (highest or 0) + 1
        service = Service(site_id=site.id)
    _apply(service, values, SERVICE_FIELDS)
    if department is not None:
        # The id as well as the object: the audit trail sees column changes before the flush.
        service.department_id, service.department = department.id, department
    return service


def create_service(session: Session, site: Site, values: dict) -> Service:
    service = _set_service(session, site, None, values)
    session.add(service)
    _flush(session)
    log.info("service %s of %s created", service.code, site.code)
    _configured(session, site, "service")
    return service


def update_service(session: Session, service: Service, changes: dict) -> Service:
    _set_service(session, service.site, service, changes)
    _flush(session)
    log.info("service %s of %s changed: %s", service.code, service.site.code, ", ".join(sorted(changes)))
    _configured(session, service.site, "service")
    return service


def delete_service(session: Session, service: Service) -> None:
    """A service nobody ever took a number for goes, with the counter rules naming it; one with
    tickets stays in the records: deactivate it instead."""
    used = session.scalar(
        select(Ticket.id)
        .where(or_(Ticket.service_id == service.id, Ticket.issued_service_id == service.id))
        .limit(1)
    )
    if used is not None:
        raise Conflict(
            "service_in_use",
            f"Service {service.code} has tickets and stays in the records: deactivate it instead.",
        )
    _delete_rules(session, CounterSchedule.service_id == service.id)
    site = service.site
    session.delete(service)
    _flush(session)
    log.info("service %s of %s deleted", service.code, site.code)
    _configured(session, site, "service")


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


# -- rotations -------------------------------------------------------------------------------------

ROTATION_FIELDS = ("name", "anchor", "weeks")


def get_rotation(session: Session, rotation_id: int) -> Rotation:
    rotation = session.get(Rotation, rotation_id)
    if rotation is None:
        raise NotFound("unknown_rotation", f"No rotation {rotation_id}.")
    return rotation


def _rules_on(session: Session, rotation: Rotation) -> list[CounterSchedule | Duty]:
    """The counter rules and officers' duties that follow the rotation."""
    return [
        *session.scalars(select(CounterSchedule).where(CounterSchedule.rotation_id == rotation.id)),
        *session.scalars(select(Duty).where(Duty.rotation_id == rotation.id)),
    ]


def _set_rotation(session: Session, site: Site, rotation: Rotation, values: dict) -> None:
    name = values.get("name", rotation.name)
    other = session.scalar(select(Rotation).where(Rotation.site_id == site.id, Rotation.name == name))
    if other is not None and other is not rotation:
        raise Conflict("rotation_name_taken", f"{site.code} already has a rotation {name!r}.", field="name")
    if "weeks" in values and rotation.id is not None:
        last = max((rule.rotation_week for rule in _rules_on(session, rotation)), default=0)
        if values["weeks"] < last:
            raise Conflict(
                "rotation_week_in_use",
                f"Week {last} of rotation {rotation.name!r} still has rules or duties: move them first.",
                field="weeks",
            )
    if "anchor" in values:
        values = {**values, "anchor": monday_of(values["anchor"])}  # week 1 starts on a Monday
    _apply(rotation, values, ROTATION_FIELDS)


def create_rotation(session: Session, site: Site, values: dict) -> Rotation:
    rotation = Rotation(site_id=site.id)
    _set_rotation(session, site, rotation, values)
    session.add(rotation)
    _flush(session)
    log.info("rotation %s of %s created (%s weeks)", rotation.id, site.code, rotation.weeks)
    _configured(session, site, "rotation")
    return rotation


def update_rotation(session: Session, rotation: Rotation, changes: dict) -> Rotation:
    """Renaming is harmless; a new anchor or length moves every rule that follows it at once."""
    _set_rotation(session, rotation.site, rotation, changes)
    _flush(session)
    log.info("rotation %s of %s changed: %s", rotation.id, rotation.site.code, ", ".join(sorted(changes)))
    _configured(session, rotation.site, "rotation")
    return rotation


def delete_rotation(session: Session, rotation: Rotation) -> None:
    """Only a rotation nothing follows goes: its rules would otherwise apply every week."""
    used = len(_rules_on(session, rotation))
    if used:
        raise Conflict(
            "rotation_in_use",
            f"{used} counter rule(s) or duties follow rotation {rotation.name!r}: change them first.",
        )
    site = rotation.site
    session.delete(rotation)
    _flush(session)
    log.info("rotation %s of %s deleted", rotation.id, site.code)
    _configured(session, site, "rotation")


def rotation_view(rotation: Rotation, today: date) -> dict:
    return {
        "id": rotation.id,
        **{name: getattr(rotation, name) for name in ROTATION_FIELDS},
        "week_now": rotation.week_of(today),
    }


def rotations_of(session: Session, site: Site, today: date) -> list[dict]:
    rotations = session.scalars(select(Rotation).where(Rotation.site_id == site.id).order_by(Rotation.name))
    return [rotation_view(r, today) for r in rotations]


# -- when a rule or a duty holds -------------------------------------------------------------------

DAYS_FIELDS = ("weekdays", "rotation_id", "rotation_week", "valid_from", "valid_to")


def _checked_days(session: Session, site: Site, rule: CounterSchedule | Duty | None, changes: dict) -> dict:
    """The days of a counter rule or a duty (see :class:`OnDays`) once ``changes`` are made, checked;
    with the rotation object under ``rotation``, to set beside its id."""
    values = {name: getattr(rule, name) for name in DAYS_FIELDS} if rule else dict.fromkeys(DAYS_FIELDS)
    values["weekdays"] = values["weekdays"] or "12345"
    values.update({name: changes[name] for name in DAYS_FIELDS if name in changes})
    if "rotation_id" in changes and changes["rotation_id"] is None and "rotation_week" not in changes:
        values["rotation_week"] = None  # leaving the rotation leaves its week
    values["weekdays"] = "".join(sorted(set(values["weekdays"])))
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        raise ApiError("invalid_dates", "The rule must end on or after its first day.", field="valid_to")
    values["rotation"] = None
    if values["rotation_id"] is None and values["rotation_week"] is None:
        return values
    if values["rotation_id"] is None or values["rotation_week"] is None:
        raise ApiError(
            "invalid_rotation_week",
            "Name both a rotation and a week of it, or neither (every week).",
            field="rotation_week",
        )
    rotation = session.get(Rotation, values["rotation_id"])
    if rotation is None or rotation.site_id != site.id:
        raise ApiError(
            "unknown_rotation", f"{site.code} has no rotation {values['rotation_id']}.", field="rotation_id"
        )
    if not 1 <= values["rotation_week"] <= rotation.weeks:
        raise ApiError(
            "rotation_week_out_of_range",
            f"Rotation {rotation.name!r} has weeks 1 to {rotation.weeks}.",
            field="rotation_week",
        )
    values["rotation"] = rotation
    return values


# -- counters and schedules ------------------------------------------------------------------------


def get_counter(session: Session, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound("unknown_counter", f"No counter {counter_id}.")
    return counter


def _check_counter_number(session: Session, site: Site, number: int, counter: Counter | None) -> None:
    other = session.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == number))
    if other is not None and other is not counter:
        raise Conflict("counter_number_taken", f"{site.code} already has counter {number}.", field="number")


def create_counter(session: Session, site: Site, values: dict) -> Counter:
    _check_counter_number(session, site, values["number"], None)
    counter = Counter(site_id=site.id, number=values["number"], name=values["name"])
    session.add(counter)
    _flush(session)
    log.info("counter %s of %s created", counter.number, site.code)
    _configured(session, site, "counter")
    return counter


def update_counter(session: Session, counter: Counter, changes: dict) -> Counter:
    if "number" in changes:
        _check_counter_number(session, counter.site, changes["number"], counter)
    _apply(counter, changes, ("number", "name"))
    _flush(session)
    log.info("counter %s of %s changed", counter.number, counter.site.code)
    _configured(session, counter.site, "counter")
    return counter


def delete_counter(session: Session, counter: Counter) -> None:
    """Only a counter that never served goes (its rules with it); live devices are revoked first."""
    served = session.scalar(
        select(Ticket.id)
        .where(or_(Ticket.counter_id == counter.id, Ticket.target_counter_id == counter.id))
        .limit(1)
    ) or session.scalar(select(QueueEvent.id).where(QueueEvent.counter_id == counter.id).limit(1))
    if served is not None:
        raise Conflict(
            "counter_in_use",
            f"Counter {counter.number} has served tickets and stays in the records; "
            "change its schedule instead.",
        )
    devices = session.scalar(
        select(func.count(DeviceToken.id)).where(
            DeviceToken.counter_id == counter.id, DeviceToken.revoked_at.is_(None)
        )
    )
    if devices:
        raise Conflict(
            "counter_has_devices", f"Counter {counter.number} has {devices} device(s): revoke them first."
        )
    site = counter.site
    session.delete(counter)
    _flush(session)
    log.info("counter %s of %s deleted", counter.number, site.code)
    _configured(session, site, "counter")


def get_schedule(session: Session, schedule_id: int) -> CounterSchedule:
    rule = session.get(CounterSchedule, schedule_id)
    if rule is None:
        raise NotFound("unknown_schedule", f"No counter schedule {schedule_id}.")
    return rule


def _set_schedule(session: Session, counter: Counter, rule: CounterSchedule | None, changes: dict):
    values = {
        "department": rule.department.code if rule and rule.department else None,
        "service": rule.service.code if rule and rule.service else None,
    }
    values.update({name: changes[name] for name in ("department", "service") if name in changes})
    # Naming one target replaces the other.
    if changes.get("department") and "service" not in changes:
        values["service"] = None
    if changes.get("service") and "department" not in changes:
        values["department"] = None
    if bool(values["department"]) == bool(values["service"]):
        raise ApiError(
            "invalid_schedule", "A rule names either a department or a single service.", field="department"
        )
    site = counter.site
    department = _department_by_code(session, site, values["department"]) if values["department"] else None
    service = _service_by_code(session, site, values["service"]) if values["service"] else None
    days = _checked_days(session, site, rule, changes)
    rule = rule or CounterSchedule(counter=counter)
    # The ids as well as the objects: the audit trail sees column changes before the flush.
    _apply(rule, days, (*DAYS_FIELDS, "rotation"))
    rule.department_id, rule.department = (department.id if department else None), department
    rule.service_id, rule.service = (service.id if service else None), service
    return rule


def create_schedule(session: Session, counter: Counter, values: dict) -> CounterSchedule:
    rule = _set_schedule(session, counter, None, values)
    session.add(rule)
    _flush(session)
    log.info("schedule rule %s added to counter %s of %s", rule.id, counter.number, counter.site.code)
    _configured(session, counter.site, "schedule")
    return rule


def update_schedule(session: Session, rule: CounterSchedule, changes: dict) -> CounterSchedule:
    _set_schedule(session, rule.counter, rule, changes)
    _flush(session)
    log.info("schedule rule %s of counter %s changed", rule.id, rule.counter.number)
    _configured(session, rule.counter.site, "schedule")
    return rule


def delete_schedule(session: Session, rule: CounterSchedule) -> None:
    counter = rule.counter
    session.delete(rule)
    _flush(session)
    log.info("schedule rule %s of counter %s deleted", rule.id, counter.number)
    _configured(session, counter.site, "schedule")


def _delete_rules(session: Session, condition) -> None:
    # One by one through the session, so that the audit trail sees each rule go.
    for rule in session.scalars(select(CounterSchedule).where(condition)):
        session.delete(rule)


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


# -- officers' duties (lịch trực) -------------------------------------------------------------------


def get_duty(session: Session, duty_id: int) -> Duty:
    duty = session.get(Duty, duty_id)
    if duty is None:
        raise NotFound("unknown_duty", f"No duty {duty_id}.")
    return duty


def _counter_by_number(session: Session, site: Site, number: int) -> Counter:
    counter = session.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == number))
    if counter is None:
        raise ApiError("unknown_counter", f"{site.code} has no counter {number}.", field="counter")
    return counter


def _officer_at(session: Session, site: Site, username: str) -> User:
    """The account, if it may work the site's counters; an unknown name is refused the same way,
    so that a supervisor learns nothing about other sites' staff."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not allowed(Actor(user=user), Action.OPERATE_COUNTER, site.id):
        raise ApiError("user_not_at_site", f"No officer {username!r} works at {site.code}.", field="user")
    return user


def _set_duty(session: Session, site: Site, duty: Duty | None, changes: dict) -> Duty:
    counter = _counter_by_number(session, site, changes["counter"]) if "counter" in changes else None
    user = _officer_at(session, site, changes["user"]) if "user" in changes else None
    days = _checked_days(session, site, duty, changes)
    duty = duty or Duty()
    _apply(duty, days, (*DAYS_FIELDS, "rotation"))
    # The ids as well as the objects: the audit trail sees column changes before the flush.
    if counter is not None:
        duty.counter_id, duty.counter = counter.id, counter
    if user is not None:
        duty.user_id, duty.user = user.id, user
    return duty


def create_duty(session: Session, site: Site, values: dict) -> Duty:
    duty = _set_duty(session, site, None, values)
    session.add(duty)
    _flush(session)
    log.info("duty %s: %s at counter %s of %s", duty.id, duty.user.username, duty.counter.number, site.code)
    _configured(session, site, "duty")
    return duty


def update_duty(session: Session, duty: Duty, changes: dict) -> Duty:
    site = duty.counter.site
    _set_duty(session, site, duty, changes)
    _flush(session)
    log.info("duty %s of %s changed: %s", duty.id, site.code, ", ".join(sorted(changes)))
    _configured(session, site, "duty")
    return duty


def delete_duty(session: Session, duty: Duty) -> None:
    site = duty.counter.site
    session.delete(duty)
    _flush(session)
    log.info("duty %s of %s deleted", duty.id, site.code)
    _configured(session, site, "duty")


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


# -- users -----------------------------------------------------------------------------------------


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """The account, if ``actor`` may manage it (others are not shown: 404)."""
    user = session.get(User, user_id)
    if user is None or not may_manage_user(actor, user):
        raise NotFound("unknown_user", f"No user {user_id} that you manage.")
    return user


def _sites_by_code(session: Session, codes: list[str]) -> list[Site]:
    codes = sorted(set(codes))
    sites = session.scalars(select(Site).where(Site.code.in_(codes))).all() if codes else []
    missing = set(codes) - {site.code for site in sites}
    if missing:
        raise ApiError("unknown_site", f"Unknown site code(s): {', '.join(sorted(missing))}.", field="sites")
    return list(sites)


def users_for(session: Session, actor: Actor, site: Site | None = None) -> list[User]:
    users = session.scalars(select(User).order_by(User.username)).all()
    return [
        user
        for user in users
        if may_manage_user(actor, user) and (site is None or any(s.id == site.id for s in user.sites))
    ]


def create_user(session: Session, actor: Actor, values: dict) -> User:
    sites = _sites_by_code(session, values["sites"])
    require_grant(actor, values["role"], [site.id for site in sites])
    try:
        user = accounts.create_user(
            session,
            values["username"],
            values["password"],
            values["role"],
            [site.code for site in sites],
            values.get("full_name") or "",
        )
    except IntegrityError:  # the same username, a moment earlier
        raise Conflict("username_taken", f"The username {values['username']!r} is in use.") from None
    if "active" in values:
        user.active = values["active"]
    # Its holder did not choose it: they choose their own at their first login.
    user.must_change_password = True
    _flush(session)
    log.info("user %s created (%s)", user.username, user.role)
    return user


def update_user(session: Session, actor: Actor, user: User, changes: dict) -> User:
    role = changes.get("role", user.role)
    sites = _sites_by_code(session, changes["sites"]) if "sites" in changes else list(user.sites)
    own = actor.user is not None and actor.user.id == user.id
    if own and (role != user.role or changes.get("active") is False):
        raise Conflict("own_account", "You cannot change your own role or deactivate your own account.")
    require_grant(actor, role, [site.id for site in sites])
    # What the account's open sessions were allowed on: they end if it changes (below).
    ending = None
    if changes.get("active") is False and user.active:
        ending = sessions.EndReason.DEACTIVATED
    elif role != user.role:
        ending = sessions.EndReason.ROLE_CHANGED
    elif "sites" in changes and {s.id for s in sites} != {s.id for s in user.sites}:
        ending = sessions.EndReason.SITES_CHANGED
    if "full_name" in changes:
        user.full_name = changes["full_name"] or ""
    _apply(user, changes, ("role", "active"))
    if "sites" in changes:
        user.sites = sites
    _flush(session)
    if ending is not None:  # one's own sites: the session making the change goes on
        sessions.end_sessions(session, user, ending, keep=sessions.current_session() if own else None)
    log.info("user %s changed: %s", user.username, ", ".join(sorted(changes)))
    return user


def reset_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """A new password chosen by a supervisor or admin: the account's sessions end, and its
    holder must choose their own at the next login (unless it is the actor's own account)."""
    own = actor.user is not None and actor.user.id == user.id
    accounts.set_password(session, user, password, chosen_by_holder=own)
    _flush(session)
    log.info("password of user %s reset", user.username)


def user_view(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "sites": sorted(site.code for site in user.sites),
        "active": user.active,
        "must_change_password": user.must_change_password,
        "created_at": user.created_at.isoformat(),
        "photo": user.photo is not None,
    }


# -- devices ---------------------------------------------------------------------------------------


def get_device(session: Session, device_id: int) -> DeviceToken:
    device = session.get(DeviceToken, device_id)
    if device is None:
        raise NotFound("unknown_device", f"No device {device_id}.")
    return device


def _device_changed(session: Session, device: DeviceToken) -> None:
    publish_after_commit(
        session,
        "device.changed",
        {
            "site": device.site.code,
            "device_id": device.id,
            "kind": device.kind,
            "name": device.name,
            "revoked": device.revoked,
        },
    )


def issue_device(
    session: Session, site: Site, kind: str, name: str, counter_number: int | None
) -> tuple[DeviceToken, str]:
    """A new device token; the plain token is returned once and only its hash is kept."""
    try:
        device, token = accounts.issue_device_token(session, kind, site.code, name, counter_number)
    except ApiError as error:  # name the field the page should point at
        error.details.setdefault("field", "counter" if "counter" in error.code else "kind")
        raise
    log.info("device %s (%s) issued at %s", device.id, kind, site.code)
    _device_changed(session, device)
    return device, token


def revoke_device(session: Session, device: DeviceToken) -> DeviceToken:
    """Refused from its very next request on (only its hash was ever kept)."""
    accounts.revoke_device_token(device)
    _flush(session)
    log.info("device %s of %s revoked", device.id, device.site.code)
    _device_changed(session, device)
    return device


def devices_of(session: Session, site: Site) -> list[dict]:
    devices = session.scalars(
        select(DeviceToken).where(DeviceToken.site_id == site.id).order_by(DeviceToken.kind, DeviceToken.id)
    ).all()
    numbers = dict(
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
