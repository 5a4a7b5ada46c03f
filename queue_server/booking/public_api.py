"""The citizen's side of appointments in the API: free slots, booking, cancelling by the link,
and today's number taken from a phone. Thin views over :mod:`.operations`.

No login: the booking page is public, and a booking's link (its token) is its credential. No
view acts on a staff session (:func:`~queue_server.security.sessionless`), and each change is
limited per address (``BOOKING_RATE_LIMIT``). The officers' side (check-in, the day's list)
is another blueprint with its permissions in auth/access.py.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy.exc import IntegrityError

from ..database import db, utcnow
from ..inputs import Schema
from ..queueing.operations import ticket_by_client_id
from ..queueing.presenters import track_url
from ..security import booking_limit, limited, sessionless
from ..sites.lookups import get_site, unknown_site
from . import capacity, operations
from .presenters import booking_public, language, slot_view

blp = Blueprint(
    "booking_public", __name__, url_prefix="/api/v1", description="Appointments booked by citizens"
)

SERVICE_CODE = fields.String(required=True, validate=validate.Length(min=1, max=40))
PHONE = fields.String(required=True, validate=validate.Length(min=1, max=30))


class SlotsQuerySchema(Schema):
    service = SERVICE_CODE
    day = fields.Date(required=True)


class SlotSchema(Schema):
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    time = fields.String(required=True, metadata={"description": "Local start, HH:MM"})
    seats = fields.Integer(required=True)
    free = fields.Integer(required=True)


class BookingCreateSchema(Schema):
    service = SERVICE_CODE
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "A slot's start, as listed"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = PHONE
    id_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={"description": "CCCD"}
    )
    consent = fields.Boolean(load_default=False, metadata={"description": "Reminders by SMS or Zalo"})


class BookingSchema(Schema):
    token = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The confirmation page (its QR code)"})
    status = fields.String(required=True)
    site = fields.String(required=True)
    site_name = fields.String(required=True)
    service = fields.String(required=True)
    service_name = fields.String(required=True)
    day = fields.String(required=True, metadata={"format": "date"})
    day_label = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    time = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "Masked"})


class RemoteTicketSchema(Schema):
    service = SERVICE_CODE
    phone = PHONE


class RemoteTicketIssuedSchema(Schema):
    number = fields.String(required=True)
    track_url = fields.String(required=True)


@blp.route("/book/<site_code>/slots", methods=["GET"])
@blp.arguments(SlotsQuerySchema(), location="query")
@blp.response(200, SlotSchema(many=True))
def list_slots(query, site_code):
    """The slots of a service on a day that may still be booked; full ones have ``free`` 0."""
    site = get_site(db.session, site_code)
    service = operations.bookable_service(db.session(), site, query["service"])
    return [
        slot_view(slot)
        for slot in capacity.offered_slots(db.session(), site, service, query["day"], utcnow())
        if slot.seats
    ]


@blp.route("/book/<site_code>", methods=["POST"])
@blp.arguments(BookingCreateSchema())
@blp.response(201, BookingSchema)
@blp.alt_response(
    409, description="Slot full or not offered, or this phone already booked the service that day"
)
@blp.alt_response(429, description="Too many bookings from this address")
@limited(booking_limit)
@sessionless
def create_booking(data, site_code):
    """Book a slot. The answer's ``url`` is the confirmation page, with its QR code."""
    session = db.session
    site = get_site(session, site_code)
    who = operations.citizen(data["name"], data["phone"], data["id_number"], language())
    try:
        booking = operations.book(
            session(), site, data["service"], data["starts_at"], who, data["consent"], utcnow()
        )
        session.commit()
    except IntegrityError:
        # The same phone booked the same service and day a moment earlier (the unique index).
        session.rollback()
        raise operations.already_booked() from None
    return booking_public(booking, language())


@blp.route("/b/<token>", methods=["GET"])
@blp.response(200, BookingSchema)
def get_booking(token):
    """A booking as its link shows it (no name, no ID number, the phone masked)."""
    return booking_public(operations.get_booking(db.session, token), language())


@blp.route("/b/<token>/cancel", methods=["POST"])
@blp.response(200, BookingSchema)
@blp.alt_response(409, description="Already checked in, or past")
@limited(booking_limit)
@sessionless
def cancel_booking(token):
    """The citizen cancels from the link; the seat is offered again at once."""
    booking = operations.cancel(db.session(), operations.get_booking(db.session, token), utcnow())
    db.session.commit()
    return booking_public(booking, language())


@blp.route("/book/<site_code>/remote-ticket", methods=["POST"])
@blp.arguments(RemoteTicketSchema())
@blp.response(201, RemoteTicketIssuedSchema)
@blp.alt_response(
    200, schema=RemoteTicketIssuedSchema, description="This phone already took this number today"
)
@blp.alt_response(409, description="Closed, or the site gives no numbers to phones")
@limited(booking_limit)
@sessionless
def take_remote_ticket(data, site_code):
    """Today's number of a service, taken from a phone during opening hours; ``track_url`` is
    its tracking page. One per phone number, service and day: asking again gives it back."""
    session = db.session
    key = current_app.config["SECRET_KEY"].encode()
    press = operations.remote_press(session(), site_code, data["service"], data["phone"], key, utcnow())
    if press is None:
        raise unknown_site(site_code)
    ticket, created = operations.take_remote_ticket(session(), press, utcnow())
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the same phone, a moment earlier, took the number: give that one
        ticket = ticket_by_client_id(session(), press.site, press.client_id or "")
        if ticket is None:
            raise
        created = False
    return {"number": ticket.number, "track_url": track_url(ticket)}, 201 if created else 200
