"""Legal deadlines in working time: the one place where a due date is computed.

A processing time is given in working days, working hours or calendar days (docs/domain.md). Working
time runs only inside office hours (e.g. 07:00-11:30 and 13:30-17:00), Monday to Friday, outside
Vietnam's public holidays (the ``holidays`` package, with its Vietnamese lunar calendar and
substitute days) and outside days an admin declares off. The Saturdays the government swaps
for a day off (e.g. Saturday 22/8/2026 for Monday 31/8/2026, Bộ Nội vụ notice 9441/TB-BNV of
16/10/2025), which ``holidays`` lists as ``weekend_workdays``, are working days unless the
site turns that off (``count_makeup_days``); a day an admin declares, off or working, always
wins. A working Saturday or Sunday follows Monday's hours.

Conventions, documented here and nowhere else:

- A working day is the total of one weekday's office hours (8 hours for the hours above); a
  dossier received at 09:32 with 5 working days is due at 09:32 five working days later.
- The due instant is the earliest moment at which the working time has run: when it runs out
  exactly at a closing (11:30, 17:00), that closing is the due time, not the next opening.
- Received outside office hours (evening, lunch break, weekend, holiday), the clock starts at
  the next opening.
- A procedure's cut-off hour (default 15:00, :attr:`~.models.Procedure.cutoff`): received at or
  after it, the time counts from the next working day (:meth:`WorkingCalendar.clock_start`),
  as several 2025 procedures say; the dossier may then reach the deciding agency the next
  morning instead of the same day (:meth:`WorkingCalendar.transfer_deadline`, the practice of
  Nghị định 61/2018, kept by the provinces' 2025 rules).
- Calendar days follow the Civil Code (Bộ luật Dân sự 2015): the day of receipt is not counted
  (Điều 147.2); the period ends at the end of its last day (Điều 148.1), which for an office is
  its closing; when the last day is a weekend day or a holiday, the period ends at the end of
  the next working day (Điều 148.5).
- A pause (waiting for the citizen's supplement, where the centre keeps that rule) adds the
  working time it lasted to the due date; a pause that took no working time changes nothing.
- A finished dossier is *late* after its due instant, *early* when finished on a working day
  before the due date, and *on time* otherwise (on the due date, no later than the due time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from .rules import Outcome


class Unit:
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    ALL = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS)


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
    count_makeup_days: bool = True
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

    def is_day_off(self, day: date) -> bool:
        """Declared off by an admin, or a public holiday that no admin declared working."""
        if day in self.days_off:
            return True
        # ``in`` also loads the year's make-up days (``weekend_workdays``)
        return day not in self.extra_working_days and day in self._public_holidays

    def is_working_day(self, day: date) -> bool:
        """An admin's declaration first, then the public holidays, then the government's
        make-up Saturdays, then the weekly office hours."""
        if self.is_day_off(day):
            return False
        if day in self.extra_working_days:
            return True
        if self.count_makeup_days and day in self._public_holidays.weekend_workdays:
            return True
        return day.weekday() in self.hours

    def sessions_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        pattern = self.hours.get(day.weekday()) or self.hours.get(MONDAY, DEFAULT_HOURS)
        return [
            (datetime.combine(day, opens, self.timezone), datetime.combine(day, closes, self.timezone))
            for opens, closes in pattern
        ]

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        for offset in range(1, HORIZON_DAYS):
            if self.is_working_day(day + timedelta(days=offset)):
                return day + timedelta(days=offset)
        raise ValueError("no working day within ten years: check the calendar")

    def close_of(self, day: date) -> datetime:
        """The end of ``day``'s office hours, or of the next working day's when it has none."""
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return self.sessions_on(day)[-1][1]

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

    def working_instant(self, instant: datetime) -> datetime:
        """``instant`` if an office is open then (a closing counts: a due time may be 17:00),
        else the next opening: a date promised to a citizen is always one they can come."""
        local = instant.astimezone(self.timezone)
        if any(opens <= local <= closes for opens, closes in self.sessions_on(local.date())):
            return instant
        return self.next_opening(instant)

    def add(self, instant: datetime, amount: timedelta) -> datetime:
        """The instant when ``amount`` of working time has passed since ``instant``; no time at
        all leaves ``instant`` as it is."""
        if amount <= timedelta(0):
            return instant
        remaining = amount
        for start, end in self._sessions_from(instant):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("unreachable")

    def subtract(self, instant: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of working time before ``instant``."""
        local = instant.astimezone(self.timezone)
        remaining = amount
        for offset in range(HORIZON_DAYS):
            for opens, closes in reversed(self.sessions_on(local.date() - timedelta(days=offset))):
                if opens >= local:
                    continue
                end = min(closes, local)
                if remaining <= end - opens:
                    return end - remaining
                remaining -= end - opens
        raise ValueError("no working time within ten years: check the calendar")

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

    def after_cutoff(self, received_at: datetime, cutoff: time | None) -> bool:
        """Received on a working day at or after the procedure's cut-off hour."""
        if cutoff is None:
            return False
        local = received_at.astimezone(self.timezone)
        return self.is_working_day(local.date()) and local.time() >= cutoff

    def clock_start(self, received_at: datetime, cutoff: time | None = None) -> datetime:
        """When the processing time starts to count: at once, or at the next working day's
        opening when received after the cut-off hour (outside office hours the working-time
        units wait for the next opening anyway)."""
        if self.after_cutoff(received_at, cutoff):
            local = received_at.astimezone(self.timezone)
            return self.sessions_on(self.next_working_day(local.date()))[0][0]
        return received_at

    def due(
        self, received_at: datetime, amount: int | float, unit: str, cutoff: time | None = None
    ) -> datetime:
        """When a dossier received at ``received_at`` is due (see the module's conventions)."""
        if amount < 0:
            raise ValueError("a processing time cannot be negative")
        start = self.clock_start(received_at, cutoff)
        if unit == Unit.WORKING_DAYS:
            return self.add(start, self.working_day * amount)
        if unit == Unit.WORKING_HOURS:
            return self.add(start, timedelta(hours=amount))
        if unit == Unit.CALENDAR_DAYS:
            return self._calendar_days_due(received_at, start, amount)
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(Unit.ALL)}")

    def _calendar_days_due(self, received_at: datetime, start: datetime, amount: int | float) -> datetime:
        """Bộ luật Dân sự 2015 Điều 147.2 and 148.1, 148.5: counted from the day after receipt
        (or, after the cut-off hour, from the next working day itself), ending at the close of
        the last day, or of the next working day when the last day is not one."""
        received_on = received_at.astimezone(self.timezone).date()
        if start != received_at:  # after the cut-off: the next working day is the first day
            first_day = start.astimezone(self.timezone).date()
        else:
            first_day = received_on + timedelta(days=1)
        days = math.ceil(amount)
        last_day = first_day + timedelta(days=max(days, 1) - 1) if days else received_on
        return self.close_of(last_day)

    def transfer_deadline(self, received_at: datetime, cutoff: time | None = None) -> datetime:
        """By when the receiving unit passes the dossier to the agency that decides: the same
        working day, or the next working morning when received after the cut-off hour or
        outside a working day (Nghị định 61/2018: "ngay trong ngày hoặc chuyển vào đầu
        giờ ngày làm việc tiếp theo đối với trường hợp tiếp nhận sau 15 giờ")."""
        if self.after_cutoff(received_at, cutoff):
            local = received_at.astimezone(self.timezone)
            return self.sessions_on(self.next_working_day(local.date()))[0][1]
        start = self.next_opening(received_at).astimezone(self.timezone)
        return self.sessions_on(start.date())[-1][1]

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
