"""A site's counters: a number unique within the site; only a counter that never served goes,
once its devices are revoked."""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...auth.models import DeviceToken
from ...errors import ApiError, Conflict
from ...queueing.models import QueueEvent, Ticket
from ...sites.models import Counter, Site
from .common import apply, configured, flush, row_of_site, taken

log = logging.getLogger(__name__)


def _check_counter_number(session: Session, site: Site, number: int, counter: Counter | None) -> None:
    if taken(session, site, Counter.number, number, counter):
        raise Conflict("counter_number_taken", f"{site.code} already has counter {number}.", field="number")


def create_counter(session: Session, site: Site, values: dict) -> Counter:
    _check_counter_number(session, site, values["number"], None)
    counter = Counter(site_id=site.id, number=values["number"], name=values["name"])
    session.add(counter)
    flush(session)
    log.info("counter %s of %s created", counter.number, site.code)
    configured(session, site, "counter")
    return counter


def update_counter(session: Session, counter: Counter, changes: dict) -> Counter:
    if "number" in changes:
        _check_counter_number(session, counter.site, changes["number"], counter)
    apply(counter, changes, ("number", "name"))
    flush(session)
    log.info("counter %s of %s changed", counter.number, counter.site.code)
    configured(session, counter.site, "counter")
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
    flush(session)
    log.info("counter %s of %s deleted", counter.number, site.code)
    configured(session, site, "counter")


def counter_by_number(session: Session, site: Site, number: int) -> Counter:
    """The site's counter that a request names by its number (else a 400 on ``counter``)."""
    counter = row_of_site(session, site, Counter.number, number)
    if counter is None:
        raise ApiError("unknown_counter", f"{site.code} has no counter {number}.", field="counter")
    return counter
