"""Everything a citizen changes from the booking page: book a slot, cancel it, take today's
number without a slot (the remote ticket).

Each operation flushes and leaves the commit to the caller. A change of a booking publishes
``booking.changed`` ({site, booking_id, action, consent}) after commit; the notifications
(notify/, above this package) turn it into the confirmation and the reminder. Names, phone
numbers and ID numbers are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actors import SYSTEM
from ..errors import ApiError, Conflict
from ..events import publish_after_commit
from ..lookups import AnySession, one_or_404
from ..phones import normalise_phone
from ..queueing import operations as queueing
from ..queueing.models import Channel, Ticket
from ..sites.calendar import business_date
from ..sites.models import Service, Site
from . import capacity
from .models import Booking, BookingStatus

log = logging.getLogger(__name__)

# The personal identification number on the chip ID card (CCCD): 12 digits (Luật Căn cước
# 2023, Điều 12). The old 9-digit card (CMND) is no longer valid since 1/1/2025 (Điều 46), and
# the kiosk finds a booking by the number it reads on the card (hardware/scanning.py).
CITIZEN_ID = re.compile(r"^\d{12}$")
# The prefix of a remote ticket's ``client_id`` (see :func:`take_remote_ticket`).
REMOTE_PREFIX = "remote-"


def get_booking(session: AnySession, token: str) -> Booking:
    """The booking of a citizen's link (the unguessable token in its QR code)."""
    statement = select(Booking).where(Booking.token == token)
    return one_or_404(session, statement, code="unknown_booking", message="No booking for this link.")


def bookable_service(session: Session, site: Site, code: str) -> Service:
    """The service ``code`` if the site takes bookings and offers it now."""
    if not site.booking_enabled:
        raise Conflict("booking_closed", f"Site {site.code} takes no bookings.")
    return queueing.get_service(session, site, code)


@dataclass(frozen=True)
class Citizen:
    """Who books: checked and written one way by :func:`citizen`."""

    name: str
    phone: str  # E.164
    id_number: str | None
    language: str


def citizen(name: str, phone: str, id_number: str | None, language: str) -> Citizen:
    name = " ".join(name.split())
    if not name:
        raise ApiError("invalid_name", "The name is empty.", field="name")
    id_number = (id_number or "").strip() or None
    if id_number is not None and not CITIZEN_ID.match(id_number):
        raise ApiError("invalid_id_number", "A CCCD number has 12 digits.", field="id_number")
    return Citizen(name, normalise_phone(phone), id_number, language)


def book(
    session: Session,
    site: Site,
    service_code: str,
    starts_at: datetime,
    who: Citizen,
    consent: bool,
    now: datetime,
) -> Booking:
    """Book the slot of ``service_code`` starting at ``starts_at`` for ``who``.

    Two citizens taking the last seat of a slot at once: the service's row is locked first
    (``FOR UPDATE`` on PostgreSQL; on SQLite every transaction already holds the write lock,
    ``BEGIN IMMEDIATE``), so the second counts the first's booking and is refused
    (``slot_full``). One phone number holds one active booking per service and day: refused
    here (``already_booked``), and by the unique index if two arrive together (the caller
    answers its IntegrityError the same way).
    """
    service = bookable_service(session, site, service_code)
    session.execute(select(Service.id).where(Service.id == service.id).with_for_update())
    day = starts_at.astimezone(site.tz).date()
    if _active_booking(session, service, day, who.phone) is not None:
        raise already_booked()
    slot = next(
        (s for s in capacity.offered_slots(session, site, service, day, now) if s.starts_at == starts_at),
        None,
    )
    if slot is None:
        raise Conflict("unknown_slot", "This slot is not offered.", field="starts_at")
    if slot.free == 0:
        raise Conflict("slot_full", "Every seat of this slot is taken.", field="starts_at")
    booking = Booking(
        token=secrets.token_urlsafe(16),
        site=site,
        service=service,
        day=day,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        name=who.name,
        phone=who.phone,
        id_number=who.id_number,
        language=who.language,
        status=BookingStatus.BOOKED,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    _changed(session, booking, "booked", consent)
    log.info("booking %s: %s at %s, %s", booking.id, service.code, site.code, slot.starts_at.isoformat())
    return booking


def already_booked() -> Conflict:
    return Conflict(
        "already_booked",
        "This phone number already holds a booking of this service on this day.",
        field="phone",
    )


def _active_booking(session: Session, service: Service, day, phone: str) -> Booking | None:
    return session.scalar(
        select(Booking).where(
            Booking.service_id == service.id,
            Booking.day == day,
            Booking.phone == phone,
            Booking.status == BookingStatus.BOOKED,
        )
    )


def cancel(session: Session, booking: Booking, now: datetime) -> Booking:
    """The citizen cancels from the link: the seat is free again at once. Cancelling twice is
    no error (a double tap, a retry after a lost answer); a booking already checked in or past
    its grace is no longer the citizen's to cancel."""
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status != BookingStatus.BOOKED:
        raise Conflict("not_cancellable", f"This booking is {booking.status}.", booking_status=booking.status)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    _changed(session, booking, "cancelled", False)
    log.info("booking %s cancelled by the citizen", booking.id)
    return booking


def _changed(session: Session, booking: Booking, action: str, consent: bool) -> None:
    payload = {"site": booking.site.code, "booking_id": booking.id, "action": action, "consent": consent}
    publish_after_commit(session, "booking.changed", payload)


def remote_press(session: Session, site_code: str, service_code: str, phone: str, key: bytes, now: datetime):
    """The press of "Lấy số ngay hôm nay" as queueing knows a kiosk's (:func:`queueing.find_press`),
    or None when there is no such site.

    Its ``client_id`` is a keyed hash (``key``: the server's secret) of the site, the service,
    the day and the phone number: one remote number per phone, service and day, held by the
    tickets' unique ``client_id`` without storing the number itself. The same phone asking again
    that day gets the same ticket back, as a kiosk's retried press does.
    """
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        return None
    if not site.remote_ticket_enabled:
        raise Conflict("remote_tickets_closed", f"Site {site.code} gives no numbers to phones.")
    number = normalise_phone(phone)
    day = business_date(site, now)
    message = f"{site.id}|{service_code}|{day.isoformat()}|{number}".encode()
    client_id = REMOTE_PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
    return queueing.find_press(session, site.code, service_code, client_id)


def take_remote_ticket(session: Session, press: queueing.Press, now: datetime) -> tuple[Ticket, bool]:
    """Today's number of ``press``'s service for a phone, as a kiosk's (admission's opening
    hours and closing-time rule included), on the mobile channel; ``created`` False when that
    phone already took it."""
    return queueing.issue_ticket_once(session, press, SYSTEM, channel=Channel.MOBILE, now=now)
