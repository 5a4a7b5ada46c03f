"""Who works which counter on a day: the officers' duties (lịch trực) of a site, read with the
accounts (an account that can no longer log in is on no duty).

A duty holds on a day by the same rule as a counter's schedule (:meth:`OnDays.applies_on`:
weekdays, a week of a rotation, dates). The console uses it to put forward the counter an
officer is rostered at today; the administration's rota shows it beside what each counter
serves. Nobody is bound by it: an officer may still open another counter.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..sites import staffing
from ..sites.calendar import business_date, is_open
from ..sites.models import Counter, CounterState, Duty, Site
from ..sites.routing import site_routing
from .models import User


def on_duty(session: Session, site_id: int, day: date) -> list[Duty]:
    """The duties at the site's counters that hold on ``day``, by counter number and officer.

    "Who works counter C" is those with ``counter_id == C``; "where does officer O work" those
    with ``user_id == O``. Accounts that can no longer log in are left out.
    """
    duties = session.scalars(
        select(Duty)
        .join(Counter, Counter.id == Duty.counter_id)
        .join(User, User.id == Duty.user_id)
        .where(Counter.site_id == site_id, User.active.is_(True))
        .order_by(Counter.number, User.full_name, User.username)
        .options(selectinload(Duty.rotation), selectinload(Duty.user), selectinload(Duty.counter))
    )
    return [duty for duty in duties if duty.applies_on(day)]


def counters_not_serving(session: Session, site: Site, now: datetime) -> dict[str, list[Counter]]:
    """While the site is open, the counters that should serve now but do not: those with
    services scheduled today (:mod:`.routing`) or an officer on duty today that are closed
    (``closed``), and those open without any officer having called there (``no_officer``).
    A paused counter is someone's choice, with its reason: not listed. Outside opening hours,
    nothing."""
    if not is_open(site, now):
        return {"closed": [], "no_officer": []}
    day = business_date(site, now)
    due = {counter_id for counter_id, services in site_routing(session, site.id, day).items() if services}
    due |= {duty.counter_id for duty in on_duty(session, site.id, day)}
    counters = (
        session.scalars(select(Counter).where(Counter.id.in_(due)).order_by(Counter.number)).all()
        if due
        else []
    )
    return {
        "closed": [counter for counter in counters if counter.state == CounterState.CLOSED],
        "no_officer": [
            counter
            for counter in counters
            if counter.state == CounterState.OPEN and staffing.officer_at(counter, day) is None
        ],
    }
