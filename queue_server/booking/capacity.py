"""How many citizens may book each slot of a service on a day: the one home of that rule.

No legal text sets how much of a centre's time goes to appointments; each rule below is a
centre's setting on its :class:`~queue_server.sites.models.Site` (administration, site page),
with its default documented there and in docs/booking.md.

- **Which days.** From today to ``booking_days_ahead`` days ahead, only the slots that start at
  least ``booking_min_notice_minutes`` from now (time to come to the centre).
- **Which hours.** A day off in the site's working calendar (a public holiday, a day an admin
  declared off: :func:`~queue_server.dossiers.calendars.calendar_for`) has no slots. Otherwise the
  site's own opening sessions of that weekday (:func:`~queue_server.sites.calendar.sessions_on`,
  a Saturday morning included); a day with none of its own that the calendar makes a working
  day (a government make-up Saturday, a day an admin declared working) follows the working
  calendar's hours, which are Monday's, as the legal deadlines count it
  (:meth:`~queue_server.dossiers.deadlines.WorkingCalendar.sessions_on`). Slots of
  ``booking_slot_minutes`` (15 or 30) follow one another from each session's opening; a slot
  that would run past the session's closing is not offered.
- **How many per slot.** The counters' time in a slot is (counters serving the service that
  day, the merged counters' rotation included: :func:`~queue_server.sites.routing.counters_serving`)
  x (slot length), which serves that time / (average service time) citizens (the recent
  average of the service, :func:`~queue_server.queueing.estimates.average_service_seconds`, or
  the service's ``default_service_seconds`` without history). Bookings get ``booking_share``
  percent of it; the rest stays for walk-ins. The day's seats are that figure summed over the
  day's slots, rounded down, and handed out slot by slot as the running total passes each
  whole number: 0.64 seats a slot gives slots of 0, 1, 0, 1, 1... and never more in a day than
  the counters can serve, where rounding each slot down on its own would give a small service
  no slot at all.
- **Free seats** are those seats minus the slot's active bookings (booked or checked in); a
  cancelled booking or a no-show frees its seat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..dossiers.calendars import calendar_for
from ..queueing.estimates import average_service_seconds, service_seconds
from ..sites.calendar import business_date, sessions_on
from ..sites.models import Service, Site
from ..sites.routing import counters_serving
from .models import Booking, BookingStatus

SLOT_MINUTES = (15, 30)
# A booking holds its seat while it is booked and once it has become a ticket.
ACTIVE = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # the site's local time
    ends_at: datetime
    seats: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.seats - self.booked, 0)


def opening_sessions(session: Session, site: Site, day: date) -> list[tuple[datetime, datetime]]:
    """The sessions of ``day`` in which slots are offered (see the module's "Which hours")."""
    calendar = calendar_for(session, site)
    if calendar.is_day_off(day):
        return []
    own = sessions_on(site, day)
    if own:
        return own
    return calendar.sessions_on(day)


def seats_per_slot(counters: int, slot_minutes: int, seconds_per_citizen: float, share_percent: int) -> float:
    """The seats of one slot before rounding: the counters' time in it, served at the average
    pace, times the share offered to bookings."""
    if seconds_per_citizen <= 0:
        return 0.0
    return counters * slot_minutes * 60 / seconds_per_citizen * share_percent / 100


def day_slots(session: Session, site: Site, service: Service, day: date) -> list[Slot]:
    """Every slot of the service on ``day`` with its seats and active bookings (past ones too)."""
    sessions = opening_sessions(session, site, day)
    if not sessions:
        return []
    counters = len(counters_serving(session, site.id, service.id, day))
    seconds = service_seconds(service, average_service_seconds(session, site.id))
    per_slot = seats_per_slot(counters, site.booking_slot_minutes, seconds, site.booking_share)
    booked = _booked(session, service, day)
    length = timedelta(minutes=site.booking_slot_minutes)
    slots: list[Slot] = []
    running = 0.0
    for opens, closes in sessions:
        start = opens
        while start + length <= closes:
            before = math.floor(running + 1e-9)
            running += per_slot
            seats = math.floor(running + 1e-9) - before
            slots.append(Slot(start, start + length, seats, booked.get(start, 0)))
            start += length
    return slots


def _booked(session: Session, service: Service, day: date) -> dict[datetime, int]:
    rows = session.execute(
        select(Booking.starts_at, func.count())
        .where(Booking.service_id == service.id, Booking.day == day, Booking.status.in_(ACTIVE))
        .group_by(Booking.starts_at)
    )
    tz = service.site.tz
    return {starts_at.astimezone(tz): count for starts_at, count in rows}


def bookable_days(session: Session, site: Site, now: datetime) -> list[date]:
    """The days a citizen may choose: today to ``booking_days_ahead`` days ahead, without the
    days on which no slot starts after the minimum notice (today after its last one)."""
    today = business_date(site, now)
    earliest = now + timedelta(minutes=site.booking_min_notice_minutes)
    length = timedelta(minutes=site.booking_slot_minutes)
    days = (today + timedelta(days=offset) for offset in range(site.booking_days_ahead + 1))
    return [
        day
        for day in days
        if any(
            _last_start(opens, closes, length) > earliest
            for opens, closes in opening_sessions(session, site, day)
        )
    ]


def _last_start(opens: datetime, closes: datetime, length: timedelta) -> datetime:
    """The start of a session's last whole slot (before its opening if none fits)."""
    return opens + ((closes - opens) // length - 1) * length


def offered_slots(session: Session, site: Site, service: Service, day: date, now: datetime) -> list[Slot]:
    """The slots of ``day`` a citizen may still choose (full ones included, to show them
    taken): within the days offered, starting at least the minimum notice after ``now``."""
    today = business_date(site, now)
    if not today <= day <= today + timedelta(days=site.booking_days_ahead):
        return []
    earliest = now + timedelta(minutes=site.booking_min_notice_minutes)
    return [slot for slot in day_slots(session, site, service, day) if slot.starts_at > earliest]
