"""Who works at a counter now: the one rule that the kiosk's waits, the hall's and the
counter's screens, the console's choice of counter, the managers' alerts and the officer's
public photo share.

An officer signs on at a counter by acting there as its officer (calling, even when nobody
waits; serving a walk-in; reopening it) and stays until the counter closes or the business day
ends. ``Counter.officer_id`` says who, ``Counter.officer_day`` the business day he signed on:
without the day, yesterday's officer of a counter left open overnight would count today, and
the kiosk would promise a wait at a counter nobody works at. A pause is a short absence: the
officer stays signed on, and the counter receives no tickets meanwhile.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from .models import Counter, CounterState


class Staffed(Protocol):
    """What these rules read of a counter: a :class:`Counter`, or a row of its columns (the
    estimates read them as rows on every ticket issued)."""

    @property
    def number(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def officer_id(self) -> int | None: ...
    @property
    def officer_day(self) -> date | None: ...


def sign_on(counter: Counter, user_id: int | None, day: date) -> None:
    """``user_id`` works at ``counter`` from now on (a device acting alone changes nothing).

    Assigned only when it changes: an officer calls at his counter all day, and assigning the
    same values still marks the counter changed, so that every flush of the call ran the ORM's
    unit of work for it, to write nothing."""
    if user_id is not None and (counter.officer_id, counter.officer_day) != (user_id, day):
        counter.officer_id, counter.officer_day = user_id, day


def sign_off(counter: Counter) -> None:
    """Nobody works at ``counter`` any more (it closed)."""
    counter.officer_id, counter.officer_day = None, None


def officer_at(counter: Staffed, day: date) -> int | None:
    """The id of the officer working at ``counter`` on business day ``day``, or None."""
    if counter.state == CounterState.CLOSED or counter.officer_day != day:
        return None
    return counter.officer_id


def receives_tickets(counter: Staffed, day: date) -> bool:
    """Whether the counter calls tickets now: open, with an officer at it. Only those count in
    the waits the kiosk, the tracking page and the ticket show."""
    return counter.state == CounterState.OPEN and officer_at(counter, day) is not None
