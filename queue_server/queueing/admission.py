"""Whether a citizen may take a number now: the one place for opening-hours rules.

Numbers taken by citizens themselves (kiosk, phone) are refused while the site is closed, and
near closing time when the expected wait would run past closing, so nobody waits for a
counter that shuts before their turn; the refusal says when to come back. Officers can still
serve walk-ins and issue numbers at the counter. Sites with ``enforce_opening_hours`` off
(the demo, 24-hour units) skip these rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..errors import Conflict
from ..sites.calendar import business_date, closing_time, is_open, next_opening
from ..sites.models import Service, Site
from . import estimates
from .models import Channel

SELF_SERVICE = (Channel.KIOSK, Channel.MOBILE)


def check(session: Session, site: Site, service: Service, channel: str, now: datetime) -> None:
    """Raise :class:`Conflict` (``closed`` or ``closing_soon``) if the number must be refused."""
    if not site.enforce_opening_hours or channel not in SELF_SERVICE:
        return
    if not is_open(site, now):
        _refuse(site, now, "closed", "The centre is closed now.")
    day = business_date(site, now)
    waiting = estimates.waiting_by_service(session, site.id, day, [service.id]).get(service.id, 0)
    counters = estimates.open_counter_numbers(session, site.id, service.id, day)
    seconds = estimates.service_seconds(service, estimates.average_service_seconds(session, site.id))
    wait = estimates.estimate_wait(waiting, seconds, len(counters))
    if wait is None or now + timedelta(seconds=wait) > closing_time(site, now):
        _refuse(site, now, "closing_soon", "The expected wait runs past closing time today.")


def _refuse(site: Site, now: datetime, code: str, message: str) -> None:
    tomorrow = (now.astimezone(site.tz) + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    come_back = next_opening(site, tomorrow if code == "closing_soon" else now)
    raise Conflict(code, message, come_back_at=come_back.isoformat() if come_back else None)
