"""Legal deadlines in working time: the one place where a due date is computed.

A processing time is given in working days, working hours or calendar days (DOMAIN.md). Working
time runs only inside office hours (e.g. 07:00-11:30 and 13:30-17:00), Monday to Friday, outside
Vietnam's public holidays (the ``holidays`` package, with its Vietnamese lunar calendar and
substitute days) and outside days an admin declares off; an admin may also declare a make-up
working day (a Saturday swapped for a holiday), which then follows Monday's hours.

Conventions, documented here and nowhere else:

- A working day is the total of one weekday's office hours (8 hours for the hours above); a
  dossier received at 09:32 with 5 working days is due at 09:32 five working days later.
- The due instant is the earliest moment at which the working time has run: when it runs out
  exactly at a closing (11:30, 17:00), that closing is the due time, not the next opening.
- Received outside office hours (evening, lunch break, weekend, holiday), the clock starts at
  the next opening.
- Calendar days count every day; a due instant that falls outside office hours moves to the
  next opening.
- A pause (waiting for the citizen's supplement) adds the working time it lasted to the due date.
- A finished dossier is *late* after its due instant, *early* when finished on a working day
  before the due date, and *on time* otherwise (on the due date, no later than the due time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


class Unit:
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    ALL = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS)


class Outcome:
    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # trễ hạn


DEFAULT_HOURS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
MONDAY = 0
HORIZON_DAYS = 3660  # no legal deadline runs ten years


@dataclass
class WorkingCalendar:
    """Office hours per weekday (0 = Monday) plus the days that are off or swapped."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    hours: dict[int, tuple[tuple[time, time], ...]] = field(
        default_factory=lambda: {day: DEFAULT_HOURS for day in range(5)}
    )
    days_off: set[date] = field(default_factory=set)
    extra_working_days: set[date] = field(default_factory=set)
    country: str = "VN"

    def __post_init__(self) -> None:
        self._public_holidays = holidays.country_holidays(self.country)

    @classmethod
    def from_sessions(
        cls, timezone: str, sessions: Iterable[tuple[int, time, time]], **days
    ) -> WorkingCalendar:
        """From a site's opening hours; weekend sessions never count towards deadlines."""
        hours: dict[int, list[tuple[time, time]]] = {}
        for weekday, opens, closes in sessions:
            if weekday < 5:
                hours.setdefault(weekday, []).append((opens, closes))
        return cls(ZoneInfo(timezone), {d: tuple(sorted(h)) for d, h in hours.items()}, **days)

    @property
    def working_day(self) -> timedelta:
        return sum(
            (_span(opens, closes) for opens, closes in self.hours.get(MONDAY, DEFAULT_HOURS)), timedelta()
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() in self.hours and day not in self._public_holidays and day not in self.days_off

    def sessions_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        pattern = self.hours.get(day.weekday()) or self.hours.get(MONDAY, DEFAULT_HOURS)
        return [
            (datetime.combine(day, opens, self.timezone), datetime.combine(day, closes, self.timezone))
            for opens, closes in pattern
        ]

    def _sessions_from(self, instant: datetime):
        """Working sessions (clipped to start at ``instant``) from ``instant`` onwards."""
        local = instant.astimezone(self.timezone)
        for offset in range(HORIZON_DAYS):
            for opens, closes in self.sessions_on(local.date() + timedelta(days=offset)):
                if closes <= local:
                    continue
                yield max(opens, local), closes
        raise ValueError("no working time within ten years: check the calendar")

    def next_opening(self, instant: datetime) -> datetime:
        """``instant`` itself if it is inside office hours, else the next opening."""
        start, _ = next(self._sessions_from(instant))
        return start

    def add(self, instant: datetime, amount: timedelta) -> datetime:
        """The instant when ``amount`` of working time has passed since ``instant``."""
        remaining = amount
        for start, end in self._sessions_from(instant):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``."""
        total = timedelta()
        if end <= start:
            return total
        for session_start, session_end in self._sessions_from(start):
            if session_start >= end:
                return total
            total += min(session_end, end) - session_start
        return total

    def due(self, received_at: datetime, amount: int | float, unit: str) -> datetime:
        """When a dossier received at ``received_at`` is due."""
        if amount < 0:
            raise ValueError("a processing time cannot be negative")
        if unit == Unit.WORKING_DAYS:
            return self.add(received_at, self.working_day * amount)
        if unit == Unit.WORKING_HOURS:
            return self.add(received_at, timedelta(hours=amount))
        if unit == Unit.CALENDAR_DAYS:
            return self.next_opening(received_at + timedelta(days=amount))
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(Unit.ALL)}")

    def extend_for_pause(self, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
        """The due date after a pause (waiting for a supplement) from ``paused_at`` to ``resumed_at``."""
        return self.add(due, self.between(paused_at, resumed_at))

    def classify(self, finished_at: datetime, due: datetime) -> str:
        if finished_at > due:
            return Outcome.LATE
        if finished_at.astimezone(self.timezone).date() < due.astimezone(self.timezone).date():
            return Outcome.EARLY
        return Outcome.ON_TIME


def _span(opens: time, closes: time) -> timedelta:
    return datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
