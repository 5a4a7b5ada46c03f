"""Check-in (tiếp nhận lịch hẹn): a booking becomes a ticket of its service, and bookings
nobody checked in become no-shows.

:func:`check_in` is the one rule, whoever checks in (the kiosk that scanned the booking's QR code
or the citizen's CCCD, an officer at the console):

- on its day and at its site only, and never a cancelled booking: otherwise a clear refusal;
- once: a booking already checked in gives back its ticket (a second scan, a retried request);
- from :func:`.rules.early` before its slot: earlier, a refusal saying when to come back
  (``come_back_at``). A ticket taken early waits for its slot to go ahead (``queueing/order.py``);
- until :func:`.rules.grace` after its slot's start: a *booked* ticket, called ahead of the
  walk-ins of its service from the slot's start until then. Later the booking is a no-show (its
  slot was not kept) and the citizen gets an ordinary ticket (``late``), the same whether or not
  :func:`sweep` has marked it already.

The ticket is numbered like any other of its service (``queueing.operations.issue_ticket``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..actors import Actor
from ..audit.reads import What, record_read
from ..database import utcnow
from ..errors import Conflict, NotFound
from ..events import publish_after_commit
from ..queueing import operations
from ..queueing.models import Ticket
from ..sites.calendar import business_date
from ..sites.models import Site
from ..timefmt import iso
from . import rules
from .models import Booking, BookingStatus


class Outcome:
    """How a check-in went, for the kiosk's and the console's words."""

    ON_TIME = "on_time"  # a booked ticket, its slot has begun or begins now
    EARLY = "early"  # a booked ticket that waits for its slot
    LATE = "late"  # after the grace: an ordinary ticket


@dataclass(frozen=True)
class CheckIn:
    booking: Booking
    ticket: Ticket
    outcome: str
    created: bool  # False when the booking had been checked in already


def unknown_booking() -> NotFound:
    return NotFound("unknown_booking", "This centre has no booking with that code.")


def booking_for_update(session: Session, site: Site, token: str) -> Booking:
    """The booking of ``token`` at ``site``, locked until the commit: two scans of one code at
    once are checked in one after the other, and the second finds the first's ticket. A booking
    of another site does not exist here."""
    booking = session.scalar(
        select(Booking).where(Booking.token == token, Booking.site_id == site.id).with_for_update(of=Booking)
    )
    if booking is None:
        raise unknown_booking()
    return booking


def get_booking(session: Session, site: Site, booking_id: int) -> Booking:
    """A booking of ``site`` by its id (the console's list), locked like :func:`booking_for_update`."""
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, Booking.site_id == site.id)
        .with_for_update(of=Booking)
    )
    if booking is None:
        raise unknown_booking()
    return booking


def for_id_number(session: Session, site: Site, id_number: str, now: datetime | None = None) -> list[Booking]:
    """The bookings of the day at ``site`` made with this ID number (CCCD) and still to check
    in, by slot: what a chip ID card scanned at the kiosk finds."""
    day = business_date(site, now or utcnow())
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.site_id == site.id,
                Booking.day == day,
                Booking.id_number == id_number,
                Booking.status.in_((BookingStatus.BOOKED, BookingStatus.NO_SHOW)),
                Booking.ticket_id.is_(None),
            )
            .options(joinedload(Booking.service))
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def outcome_of(booking: Booking, ticket: Ticket) -> str:
    if ticket.appointment_at is None:
        return Outcome.LATE
    assert booking.checked_in_at is not None  # a booking with a ticket was checked in
    return Outcome.EARLY if booking.checked_in_at < booking.starts_at else Outcome.ON_TIME


def check_in(
    session: Session, booking: Booking, actor: Actor, *, channel: str, now: datetime | None = None
) -> CheckIn:
    """Turn ``booking`` (locked: :func:`booking_for_update`) into its ticket; see the module."""
    now = now or utcnow()
    if booking.ticket_id is not None:
        ticket = operations.get_ticket(session, booking.ticket_id)
        return CheckIn(booking, ticket, outcome_of(booking, ticket), False)
    site = booking.site
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict("booking_cancelled", "This booking was cancelled.")
    if booking.day != business_date(site, now):
        raise Conflict("wrong_day", "This booking is for another day.", day=iso(booking.day))
    opens = booking.starts_at - rules.early(site)
    if now < opens:
        raise Conflict(
            "too_early", "Too early to check this booking in.", come_back_at=iso(opens.astimezone(site.tz))
        )
    until = booking.starts_at + rules.grace(site)
    late = now > until
    ticket = operations.issue_ticket(
        session,
        site,
        booking.service.code,
        actor,
        channel=channel,
        now=now,
        window=None if late else (booking.starts_at, until),
    )
    session.flush()  # the ticket's id, for the booking
    booking.ticket_id = ticket.id
    booking.checked_in_at = now
    booking.status = BookingStatus.NO_SHOW if late else BookingStatus.CHECKED_IN
    publish_after_commit(
        session, "booking.changed", {"site": site.code, "booking_id": booking.id, "action": "checked_in"}
    )
    return CheckIn(booking, ticket, outcome_of(booking, ticket), True)


def sweep(session: Session, site: Site, now: datetime | None = None) -> int:
    """Mark the site's bookings whose grace has passed without a check-in as no-shows, which
    frees their slots (capacity counts the active ones); how many. Run when a day's bookings
    are read (:func:`day_list`, :func:`day_counts`) and by ``flask booking-sweep`` from cron,
    so that the state is right whoever looks first. Flushes; the caller commits."""
    cutoff = (now or utcnow()) - rules.grace(site)
    result = session.execute(
        update(Booking)
        .where(Booking.site_id == site.id, Booking.status == BookingStatus.BOOKED, Booking.starts_at < cutoff)
        .values(status=BookingStatus.NO_SHOW)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def day_list(
    session: Session, site: Site, day: date, query: str | None = None
) -> list[tuple[Booking, Ticket | None]]:
    """The bookings of ``day`` at ``site`` by slot, each with its ticket if it has one (after a
    :func:`sweep`). ``query`` narrows them: the last digits of the phone, a part of the name,
    or the beginning of the booking's code."""
    sweep(session, site)
    statement = (
        select(Booking, Ticket)
        .outerjoin(Ticket, Ticket.id == Booking.ticket_id)
        .where(Booking.site_id == site.id, Booking.day == day)
        .options(joinedload(Booking.service))
        .order_by(Booking.starts_at, Booking.id)
    )
    query = (query or "").strip()
    if query.isdigit():
        statement = statement.where(Booking.phone.endswith(query))
    elif query:
        statement = statement.where(
            or_(func.lower(Booking.name).contains(query.lower()), Booking.token.startswith(query))
        )
    return [(booking, ticket) for booking, ticket in session.execute(statement).all()]


def staff_read(
    session: Session, site: Site, day: date, query: str | None = None
) -> list[tuple[Booking, Ticket | None]]:
    """:func:`day_list` for a member of staff: the names in it are personal data, so the read
    is recorded (``audit/reads.py``), the bookings named by id. The caller commits."""
    rows = day_list(session, site, day, query)
    if rows:
        record_read(session, What.BOOKINGS, [f"booking {booking.id}" for booking, _ in rows], site_id=site.id)
    return rows


def day_counts(session: Session, site: Site, day: date) -> dict[str, int]:
    """How many bookings of ``day`` are in each status (after a :func:`sweep`)."""
    sweep(session, site)
    rows = session.execute(
        select(Booking.status, func.count())
        .where(Booking.site_id == site.id, Booking.day == day)
        .group_by(Booking.status)
    )
    return {status: 0 for status in BookingStatus.ALL} | dict(rows.all())
