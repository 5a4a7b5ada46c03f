"""Officers' duties (lịch trực): an officer who may work the site's counters, at one of them, on
the days of :mod:`.days`."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...auth.access import Action, Actor, allowed
from ...auth.models import User
from ...errors import ApiError
from ...lookups import get_or_404
from ...sites.models import Duty, Site
from .common import apply, configured, flush
from .counters import counter_by_number
from .days import DAYS_FIELDS, checked_days

log = logging.getLogger(__name__)


def get_duty(session: Session, duty_id: int) -> Duty:
    return get_or_404(session, Duty, duty_id, code="unknown_duty", message=f"No duty {duty_id}.")


def _officer_at(session: Session, site: Site, username: str) -> User:
    """The account, if it may work the site's counters; an unknown name is refused the same way,
    so that a supervisor learns nothing about other sites' staff."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not allowed(Actor(user=user), Action.OPERATE_COUNTER, site.id):
        raise ApiError("user_not_at_site", f"No officer {username!r} works at {site.code}.", field="user")
    return user


def _set_duty(session: Session, site: Site, duty: Duty | None, changes: dict) -> Duty:
    counter = counter_by_number(session, site, changes["counter"]) if "counter" in changes else None
    user = _officer_at(session, site, changes["user"]) if "user" in changes else None
    days = checked_days(session, site, duty, changes)
    duty = duty or Duty()
    apply(duty, days, (*DAYS_FIELDS, "rotation"))
    # The ids as well as the objects: the audit trail sees column changes before the flush.
    if counter is not None:
        duty.counter_id, duty.counter = counter.id, counter
    if user is not None:
        duty.user_id, duty.user = user.id, user
    return duty


def create_duty(session: Session, site: Site, values: dict) -> Duty:
    duty = _set_duty(session, site, None, values)
    session.add(duty)
    flush(session)
    log.info("duty %s: %s at counter %s of %s", duty.id, duty.user.username, duty.counter.number, site.code)
    configured(session, site, "duty")
    return duty


def update_duty(session: Session, duty: Duty, changes: dict) -> Duty:
    site = duty.counter.site
    _set_duty(session, site, duty, changes)
    flush(session)
    log.info("duty %s of %s changed: %s", duty.id, site.code, ", ".join(sorted(changes)))
    configured(session, site, "duty")
    return duty


def delete_duty(session: Session, duty: Duty) -> None:
    site = duty.counter.site
    session.delete(duty)
    flush(session)
    log.info("duty %s of %s deleted", duty.id, site.code)
    configured(session, site, "duty")
