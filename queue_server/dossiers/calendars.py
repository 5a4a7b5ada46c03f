"""The working calendar of a site: its office hours plus the days an admin declared off or
working (and whether the government's make-up Saturdays count, :class:`.policy.Policy`), for
:class:`.deadlines.WorkingCalendar`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..sites.models import Site
from .deadlines import WorkingCalendar
from .models import CalendarDay
from .policy import Policy


def calendar_for(session: Session, site: Site) -> WorkingCalendar:
    """Site-specific days override the days declared for every site.

    Kept for the life of the session (one request, one background pass): a list of dossiers
    asks once per site.
    """
    cache = session.info.setdefault("working_calendars", {})
    if site.id not in cache:
        cache[site.id] = _build(session, site)
    return cache[site.id]


def _build(session: Session, site: Site) -> WorkingCalendar:
    rows = session.scalars(
        select(CalendarDay)
        .where(or_(CalendarDay.site_id.is_(None), CalendarDay.site_id == site.id))
        .order_by(CalendarDay.site_id.is_not(None))
    ).all()
    declared = {row.day: row.working for row in rows}  # site rows come last and win
    sessions = [(h.weekday, h.opens, h.closes) for h in site.opening_hours]
    days: dict[str, Any] = {  # WorkingCalendar's keyword arguments, either way it is built
        "days_off": {day for day, working in declared.items() if not working},
        "extra_working_days": {day for day, working in declared.items() if working},
        "count_makeup_days": Policy.current().count_makeup_days,
    }
    if not sessions:
        return WorkingCalendar(**days)
    return WorkingCalendar.from_sessions(site.timezone, sessions, **days)
