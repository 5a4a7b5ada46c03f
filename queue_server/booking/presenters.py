"""What the citizen's pages and the public API show of a booking and its slots: the slot, the
service and the centre, a masked phone number, never the name or the ID number."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _

from ..phones import masked_phone
from ..sites.labels import WEEKDAYS
from ..timefmt import iso
from ..web import named, public_url
from .capacity import Slot
from .models import Booking


def language() -> str:
    """The page's (or the answer's) language: "vi" or "en"."""
    return str(get_locale() or "vi")


def day_label(day: date) -> str:
    """The day as "Thứ Hai, 07/12/2026", in the page's language."""
    return f"{_(WEEKDAYS[str(day.isoweekday())])}, {day:%d/%m/%Y}"


def slot_view(slot: Slot) -> dict:
    return {
        "starts_at": iso(slot.starts_at),
        "ends_at": iso(slot.ends_at),
        "time": f"{slot.starts_at:%H:%M}",
        "seats": slot.seats,
        "free": slot.free,
    }


def booking_path(booking: Booking) -> str:
    return f"/b/{booking.token}"


def booking_url(booking: Booking) -> str:
    """The link of the booking's QR code, which the kiosk's scanner reads to check in."""
    return public_url(booking_path(booking))


def booking_public(booking: Booking, lang: str) -> dict:
    tz = booking.site.tz
    starts, ends = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    return {
        "token": booking.token,
        "url": booking_url(booking),
        "status": booking.status,
        "site": booking.site.code,
        "site_name": named(booking.site, lang),
        "service": booking.service.code,
        "service_name": named(booking.service, lang),
        "day": iso(booking.day),
        "day_label": day_label(booking.day),
        "starts_at": iso(starts),
        "ends_at": iso(ends),
        "time": f"{starts:%H:%M} – {ends:%H:%M}",
        "phone": masked_phone(booking.phone),
    }
