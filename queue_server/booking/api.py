"""HTTP API of check-in: the kiosk checks a scanned booking in, staff find the day's bookings
and check one in at the console. Thin views over :mod:`.checkin`; permissions in
``auth/access.py`` (``Action.CHECK_IN_BOOKING``)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from hardware.scanning import ScanError, parse

from ..auth.access import Action, require, require_device, require_staff
from ..auth.models import DeviceKind
from ..database import db, utcnow
from ..errors import ApiError
from ..inputs import Schema
from ..lookups import get_or_404
from ..phones import masked_phone
from ..queueing.models import Channel
from ..queueing.presenters import ticket_standing_public, track_url
from ..queueing.schemas import IssuedTicketSchema
from ..sites.calendar import business_date
from ..sites.lookups import get_site
from ..timefmt import iso
from . import checkin
from .models import Booking

blp = Blueprint("booking_checkin", __name__, url_prefix="/api/v1", description="Appointments: check-in")


class KioskCheckInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    booking = fields.Integer(
        load_default=None,
        metadata={"description": "With an ID card's text: the booking chosen among its choices"},
    )


class ChoiceSchema(Schema):
    id = fields.Integer(required=True)
    service_name = fields.String(required=True)
    service_name_en = fields.String(allow_none=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})


class CheckInSchema(Schema):
    outcome = fields.String(
        validate=validate.OneOf([checkin.Outcome.ON_TIME, checkin.Outcome.EARLY, checkin.Outcome.LATE])
    )
    starts_at = fields.String(metadata={"format": "date-time", "description": "The booked slot's start"})
    ticket = fields.Nested(IssuedTicketSchema)
    choices = fields.List(
        fields.Nested(ChoiceSchema),
        metadata={"description": "An ID card with several bookings today: choose one, send it again"},
    )


class BookingRowSchema(Schema):
    id = fields.Integer(required=True)
    service = fields.String(required=True)
    service_name = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    name = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "Masked"})
    status = fields.String(required=True)
    checked_in_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    ticket_number = fields.String(allow_none=True)


class DayQuerySchema(Schema):
    day = fields.Date(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))


def _checked_in(result: checkin.CheckIn) -> tuple[dict, int]:
    """Commit the check-in, then answer with the ticket where it stands (201 when new)."""
    db.session.commit()
    ticket = result.ticket
    body = {**ticket_standing_public(db.session(), ticket), "track_url": track_url(ticket)}
    answer = {"outcome": result.outcome, "starts_at": iso(result.booking.starts_at), "ticket": body}
    return answer, 201 if result.created else 200


@blp.route("/kiosk/check-in", methods=["POST"])
@blp.arguments(KioskCheckInSchema())
@blp.response(201, CheckInSchema)
@blp.alt_response(200, schema=CheckInSchema, description="Checked in already, or choices to make")
def kiosk_check_in(data):
    """What a kiosk scanned: a booking's QR code, or a chip ID card whose bookings of today at
    this centre are looked up by its number. One booking is checked in; several come back as
    ``choices`` (service and time, nothing personal): the kiosk sends the card again with the
    chosen ``booking``. A second scan of a booking checked in already gives its ticket (200)."""
    device = require_device(DeviceKind.KIOSK)
    actor = require(Action.CHECK_IN_BOOKING, device.site_id)
    site = device.site
    try:
        scan = parse(data["text"])
    except ScanError as error:
        raise ApiError("unreadable_scan", str(error), 422, reason=error.reason) from None
    session = db.session()
    if scan.kind == "booking":
        booking = checkin.booking_for_update(session, site, scan.value)
    elif scan.kind == "citizen_id":
        found = checkin.for_id_number(session, site, scan.value)
        if data["booking"] is not None:
            found = [booking for booking in found if booking.id == data["booking"]]
        if not found:
            raise checkin.unknown_booking()
        if len(found) > 1:
            choices = [
                {
                    "id": booking.id,
                    "service_name": booking.service.name,
                    "service_name_en": booking.service.name_en,
                    "starts_at": iso(booking.starts_at),
                }
                for booking in found
            ]
            return {"choices": choices}, 200
        booking = checkin.get_booking(session, site, found[0].id)
    else:
        raise ApiError("not_a_booking", f"A {scan.kind} is not a booking.", 422)
    return _checked_in(checkin.check_in(session, booking, actor, channel=Channel.KIOSK))


@blp.route("/sites/<site_code>/bookings", methods=["GET"])
@blp.arguments(DayQuerySchema(), location="query")
@blp.response(200, BookingRowSchema(many=True))
def day_bookings(query, site_code):
    """The bookings of a day (today by default) at the site, by slot, with their status and
    ticket; ``q``: the phone's last digits, part of the name or the code's beginning. For staff:
    the names are personal data and the read is recorded in the audit trail."""
    session = db.session()
    site = get_site(session, site_code)
    require_staff(Action.CHECK_IN_BOOKING, site.id)
    day = query["day"] or business_date(site, utcnow())
    rows = checkin.staff_read(session, site, day, query["q"])
    session.commit()
    return [
        {
            "id": booking.id,
            "service": booking.service.code,
            "service_name": booking.service.name,
            "starts_at": iso(booking.starts_at),
            "ends_at": iso(booking.ends_at),
            "name": booking.name,
            "phone": masked_phone(booking.phone),
            "status": booking.status,
            "checked_in_at": iso(booking.checked_in_at),
            "ticket_number": ticket.number if ticket is not None else None,
        }
        for booking, ticket in rows
    ]


@blp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@blp.response(201, CheckInSchema)
@blp.alt_response(200, schema=CheckInSchema, description="Checked in already: its ticket")
def staff_check_in(booking_id):
    """An officer checks a booking of today in (the citizen at the counter or the reception
    desk, without a scanner): the same rule as the kiosk's."""
    session = db.session()
    found = get_or_404(
        session, Booking, booking_id, code="unknown_booking", message=f"No booking {booking_id}."
    )
    actor = require_staff(Action.CHECK_IN_BOOKING, found.site_id)
    booking = checkin.get_booking(session, found.site, booking_id)
    return _checked_in(checkin.check_in(session, booking, actor, channel=Channel.COUNTER))
