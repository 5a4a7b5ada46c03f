"""Request and response schemas of the queue API (validation and the OpenAPI document)."""

from marshmallow import fields, validate

from ..inputs import Schema
from .models import Channel, Priority


class TicketCreateSchema(Schema):
    service = fields.String(required=True, validate=validate.Length(min=1, max=40))
    priority = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(Priority.ALL))
    channel = fields.String(load_default=Channel.KIOSK, validate=validate.OneOf(Channel.ALL))
    client_id = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9A-Za-z_-]{8,40}$"),
        metadata={"description": "The kiosk's id for this press; a retry returns the same ticket (200)"},
    )


class TicketSchema(Schema):
    """A ticket as anyone may see it: no personal data."""

    id = fields.Integer(required=True)
    number = fields.String(required=True)
    service = fields.String(required=True, metadata={"description": "Service code"})
    service_name = fields.String(required=True)
    service_name_en = fields.String(allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(
            ["waiting", "called", "serving", "done", "no_show", "transferred", "cancelled"]
        ),
    )
    priority = fields.Boolean(required=True, metadata={"description": "A priority ticket"})
    channel = fields.String(required=True)
    business_date = fields.String(required=True, metadata={"format": "date"})
    issued_at = fields.String(required=True, metadata={"format": "date-time"})
    called_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    counter = fields.Integer(allow_none=True, metadata={"description": "Counter number when called"})
    counter_id = fields.Integer(allow_none=True)
    target_counter = fields.Integer(allow_none=True)
    recall_count = fields.Integer(required=True)
    position = fields.Integer(metadata={"description": "Place in the queue, 1 = next (waiting tickets)"})
    people_ahead = fields.Integer()
    estimated_wait_s = fields.Integer(allow_none=True)
    counters = fields.List(
        fields.Integer(), metadata={"description": "Open counters with an officer that serve it"}
    )


class IssuedTicketSchema(TicketSchema):
    track_url = fields.String(required=True, metadata={"description": "Tracking page (QR code)"})


class TransferSchema(Schema):
    service = fields.String(validate=validate.Length(min=1, max=40))
    counter = fields.Integer(metadata={"description": "Counter id"})


class PauseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class WalkInSchema(Schema):
    service = fields.String(required=True, validate=validate.Length(min=1, max=40))


class CallResultSchema(Schema):
    ticket = fields.Nested(TicketSchema, required=True)
    announcement = fields.String(required=True)


class CounterOfficerSchema(Schema):
    name = fields.String(required=True)
    photo_url = fields.String(allow_none=True)


class CounterSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["open", "paused", "closed"]))
    pause_reason = fields.String(allow_none=True)
    services = fields.List(fields.String(), required=True, metadata={"description": "Served today"})
    current = fields.Nested(TicketSchema, allow_none=True)
    officer = fields.Nested(
        CounterOfficerSchema, allow_none=True, metadata={"description": "The officer last at the counter"}
    )
    no_shows = fields.List(
        fields.Nested(TicketSchema),
        metadata={"description": "Today's no-shows (GET /counters/{id} only), to put back in the queue"},
    )


class CounterStaffSchema(Schema):
    """The member of staff working at a counter (staff only: no names on public screens)."""

    counter_id = fields.Integer(required=True)
    officer_id = fields.Integer(required=True)
    officer_name = fields.String(required=True)


class ServiceSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    icon = fields.String(
        allow_none=True, metadata={"description": "Name of the kiosk's icon (/kiosk/static/icons/<name>.svg)"}
    )
    waiting = fields.Integer(required=True)
    counters_open = fields.Integer(
        required=True, metadata={"description": "Counters serving it that are open with an officer"}
    )
    estimated_wait_s = fields.Integer(
        allow_none=True, metadata={"description": "None while no officer is at an open counter"}
    )


class OpeningSchema(Schema):
    open = fields.Boolean(required=True, metadata={"description": "Citizens may take a number now"})
    opens_at = fields.String(
        allow_none=True, metadata={"format": "date-time", "description": "When closed: the next opening"}
    )


class SiteSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    kind = fields.String()
    timezone = fields.String()


class RecentCallSchema(Schema):
    at = fields.String(required=True)
    type = fields.String(required=True)
    number = fields.String(required=True)
    counter = fields.Integer(required=True)
    counter_id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "The ticket's status now"})
    priority = fields.Boolean(required=True)


class QueueSnapshotSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "Event sequence it is current to"})
    site = fields.Dict(required=True)
    business_date = fields.String(required=True, metadata={"format": "date"})
    generated_at = fields.String(required=True)
    services = fields.List(fields.Nested(ServiceSchema), required=True)
    counters = fields.List(fields.Nested(CounterSchema), required=True)
    waiting_total = fields.Integer(required=True, metadata={"description": "Tickets in queue"})
    waiting = fields.List(
        fields.Nested(TicketSchema), required=True, metadata={"description": "The first 200 in queue order"}
    )
    recent_calls = fields.List(
        fields.Nested(RecentCallSchema),
        required=True,
        metadata={"description": "One row per ticket, newest call first; none for a ticket back in a queue"},
    )
    calls_today = fields.Boolean(required=True, metadata={"description": "Any ticket called today"})
