"""A counter's schedule: rules that name either a department (all its services) or a single
service, on the days of :mod:`.days`."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ...errors import ApiError
from ...lookups import get_or_404
from ...sites.models import Counter, CounterSchedule
from .common import apply, configured, flush
from .days import DAYS_FIELDS, checked_days
from .departments import department_by_code
from .services import service_by_code

log = logging.getLogger(__name__)


def get_schedule(session: Session, schedule_id: int) -> CounterSchedule:
    return get_or_404(
        session,
        CounterSchedule,
        schedule_id,
        code="unknown_schedule",
        message=f"No counter schedule {schedule_id}.",
    )


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
    department = department_by_code(session, site, values["department"]) if values["department"] else None
    service = service_by_code(session, site, values["service"]) if values["service"] else None
    days = checked_days(session, site, rule, changes)
    rule = rule or CounterSchedule(counter=counter)
    # The ids as well as the objects: the audit trail sees column changes before the flush.
    apply(rule, days, (*DAYS_FIELDS, "rotation"))
    rule.department_id, rule.department = (department.id if department else None), department
    rule.service_id, rule.service = (service.id if service else None), service
    return rule


def create_schedule(session: Session, counter: Counter, values: dict) -> CounterSchedule:
    rule = _set_schedule(session, counter, None, values)
    session.add(rule)
    flush(session)
    log.info("schedule rule %s added to counter %s of %s", rule.id, counter.number, counter.site.code)
    configured(session, counter.site, "schedule")
    return rule


def update_schedule(session: Session, rule: CounterSchedule, changes: dict) -> CounterSchedule:
    _set_schedule(session, rule.counter, rule, changes)
    flush(session)
    log.info("schedule rule %s of counter %s changed", rule.id, rule.counter.number)
    configured(session, rule.counter.site, "schedule")
    return rule


def delete_schedule(session: Session, rule: CounterSchedule) -> None:
    counter = rule.counter
    session.delete(rule)
    flush(session)
    log.info("schedule rule %s of counter %s deleted", rule.id, counter.number)
    configured(session, counter.site, "schedule")
