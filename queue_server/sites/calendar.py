"""Local time at a site: business dates and opening hours.

Ticket numbers restart at the site's local midnight, not at UTC midnight (07:00 in Vietnam),
so every rule that depends on "today" asks this module.
"""

from __future__ import annotations

from datetime import date, datetime

from .models import Site


def local_now(site: Site, now: datetime) -> datetime:
    return now.astimezone(site.tz)


def business_date(site: Site, now: datetime) -> date:
    """The site's local calendar date at the instant ``now`` (an aware datetime)."""
    return local_now(site, now).date()


def closing_time_today(site: Site, now: datetime) -> datetime | None:
    """When the site closes for the day, or None if it does not open that day."""
    local = local_now(site, now)
    sessions = [h for h in site.opening_hours if h.weekday == local.weekday()]
    if not sessions:
        return None
    last = max(h.closes for h in sessions)
    return local.replace(hour=last.hour, minute=last.minute, second=0, microsecond=0)
