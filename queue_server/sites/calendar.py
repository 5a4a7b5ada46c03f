"""Local time at a site: business dates and opening hours.

Ticket numbers restart at the site's local midnight, not at UTC midnight (07:00 in Vietnam),
so every rule that depends on "today" asks this module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .models import Site


def local_now(site: Site, now: datetime) -> datetime:
    return now.astimezone(site.tz)


def business_date(site: Site, now: datetime) -> date:
    """The site's local calendar date at the instant ``now`` (an aware datetime)."""
    return local_now(site, now).date()


def sessions_on(site: Site, day: date) -> list[tuple[datetime, datetime]]:
    """The site's opening sessions on ``day`` as local (opens, closes) pairs, in order."""
    return sorted(
        (
            datetime.combine(day, hours.opens, tzinfo=site.tz),
            datetime.combine(day, hours.closes, tzinfo=site.tz),
        )
        for hours in site.opening_hours
        if hours.weekday == day.weekday()
    )


def is_open(site: Site, now: datetime) -> bool:
    local = local_now(site, now)
    return any(opens <= local < closes for opens, closes in sessions_on(site, local.date()))


def closing_time(site: Site, now: datetime) -> datetime | None:
    """When the site closes for the day at ``now``, or None if it does not open that day."""
    sessions = sessions_on(site, local_now(site, now).date())
    return sessions[-1][1] if sessions else None


def next_opening(site: Site, now: datetime, horizon_days: int = 14) -> datetime | None:
    """The start of the next opening session after ``now`` (local time)."""
    local = local_now(site, now)
    for offset in range(horizon_days + 1):
        for opens, _ in sessions_on(site, local.date() + timedelta(days=offset)):
            if opens > local:
                return opens
    return None
