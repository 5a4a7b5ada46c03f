"""Whether a citizen may take a number now: the one place for opening-hours rules.

Numbers taken by citizens themselves (kiosk, phone) are refused while the site is closed, and
near closing time when the expected wait would run past closing, so nobody waits for a
counter that shuts before their turn; the refusal says when to come back. While the site is
open but no officer is at a counter of the service yet (the wait is unknown, see
:mod:`.estimates`), the number is given: the officers are expected. Officers can still serve
walk-ins and issue numbers at the counter. Sites with ``enforce_opening_hours`` off (the demo,
24-hour units) skip these rules. The kiosk's home screen asks :func:`opening` before anyone
taps, so it says when the centre opens by the same rule that refuses the number.
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


def opening(site: Site, now: datetime) -> dict:
    """Whether citizens may take numbers themselves at ``now`` and, if not, when the site opens
    (``opens_at``: ISO local time, None when no opening hours lie ahead)."""
    if not site.enforce_opening_hours or is_open(site, now):
        return {"open": True, "opens_at": None}
    opens = next_opening(site, now)
    return {"open": False, "opens_at": opens.isoformat() if opens else None}


def check(session: Session, site: Site, service: Service, channel: str, now: datetime) -> None:
    """Raise :class:`Conflict` (``closed`` or ``closing_soon``) if the number must be refused."""
    if channel not in SELF_SERVICE:
        return
    state = opening(site, now)
    if not state["open"]:
        raise Conflict("closed", "The centre is closed now.", come_back_at=state["opens_at"])
    if not site.enforce_opening_hours:
        return
    day = business_date(site, now)
    waiting = estimates.waiting_by_service(session, site.id, day, [service.id]).get(service.id, 0)
    counters = estimates.open_counter_numbers(session, site.id, service.id, day)
    seconds = estimates.service_seconds(service, estimates.average_service_seconds(session, site.id))
    wait = estimates.estimate_wait(waiting, seconds, len(counters))
    if wait is None:
        return
    closes = closing_time(site, now)
    assert closes is not None  # it is open now (above)
    if now + timedelta(seconds=wait) > closes:
        tomorrow = (now.astimezone(site.tz) + timedelta(days=1)).replace(hour=0, minute=0, second=0)
        come_back = next_opening(site, tomorrow)
        raise Conflict(
            "closing_soon",
            "The expected wait runs past closing time today.",
            come_back_at=come_back.isoformat() if come_back else None,
        )
