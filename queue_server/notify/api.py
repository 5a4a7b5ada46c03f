"""Notifications over HTTP.

- For staff: the messages sent about a dossier or a ticket, with their outcome, for whoever may
  see that dossier or supervise that ticket's site. Addresses are masked (presenters.py), so
  reading them is not a read of personal data.
- The kiosk's "near your turn" phone number: the kiosk acts with its device token, for a ticket
  it has just printed (``access.kiosk_may_subscribe``).
- The SMS gateway's delivery reports: the gateway sends the site's callback token in the address
  (it can send no header of ours), so its report is answered the same for every refusal.

Thin views over :mod:`.operations`, :mod:`.queries` and :mod:`.receipts`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..auth.access import (
    Action,
    kiosk_may_subscribe,
    require,
    require_device,
    require_dossier_view,
    require_login,
)
from ..auth.models import DeviceKind
from ..database import db, utcnow
from ..dossiers import lifecycle
from ..errors import ApiError, NotFound
from ..inputs import Schema
from ..queueing.operations import get_ticket
from ..security import sessionless
from ..sites.lookups import get_site
from . import receipts
from .addresses import masked
from .channels.base import FailureKind
from .models import ChannelKind
from .operations import NEAR_TURN_DEFAULT, phone_channel, site_channel, subscribe
from .presenters import notification_view
from .queries import messages_about

blp = Blueprint("notify_api", __name__, url_prefix="/api/v1", description="Notifications to citizens")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    event = fields.String(
        required=True, metadata={"description": "e.g. ticket.near_turn, dossier.result_ready"}
    )
    channel = fields.String(required=True)
    recipient = fields.String(required=True, metadata={"description": "masked"})
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    error = fields.String(
        allow_none=True, metadata={"description": "the last attempt's technical reason (for IT)"}
    )
    error_kind = fields.String(
        allow_none=True,
        metadata={"description": "its kind: " + ", ".join(FailureKind.ALL)},
    )
    error_text = fields.String(allow_none=True, metadata={"description": "its kind in the reader's language"})
    created_at = fields.String(required=True)
    next_attempt_at = fields.String(allow_none=True)
    sent_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    failed_at = fields.String(allow_none=True)


@blp.route("/dossiers/<code>/notifications", methods=["GET"])
@blp.response(200, NotificationSchema(many=True))
def dossier_notifications(code):
    """The messages sent to the applicant about the dossier (staff who may see the dossier)."""
    require_login()
    dossier = lifecycle.get_by_code(db.session(), code)
    require_dossier_view(dossier)
    return [notification_view(row) for row in messages_about(db.session(), dossier_id=dossier.id)]


@blp.route("/tickets/<int:ticket_id>/notifications", methods=["GET"])
@blp.response(200, NotificationSchema(many=True))
def ticket_notifications(ticket_id):
    """The messages sent about the ticket (its site's supervisors)."""
    ticket = get_ticket(db.session(), ticket_id)
    require(Action.SUPERVISE, ticket.site_id)
    return [notification_view(row) for row in messages_about(db.session(), ticket_id=ticket.id)]


class KioskSubscriptionInSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=30))


class KioskSubscriptionSchema(Schema):
    channel = fields.String(required=True, metadata={"description": "sms or zalo: the site's choice"})
    phone = fields.String(required=True, metadata={"description": "The number, masked (+84912***678)"})
    near_turn_ahead = fields.Integer(required=True)


@blp.route("/tickets/<int:ticket_id>/subscriptions", methods=["POST"])
@blp.arguments(KioskSubscriptionInSchema())
@blp.response(201, KioskSubscriptionSchema)
def kiosk_subscribe(data, ticket_id):
    """The citizen's phone number typed at the kiosk after taking a number: a text when
    ``NEAR_TURN_DEFAULT`` people or fewer are ahead. The kiosk's own tickets only, for a few
    minutes after printing (``NOTIFY_KIOSK_SUBSCRIBE_MINUTES``)."""
    device = require_device(DeviceKind.KIOSK)
    ticket = get_ticket(db.session, ticket_id)
    now = utcnow()
    window = timedelta(minutes=current_app.config["NOTIFY_KIOSK_SUBSCRIBE_MINUTES"])
    if not kiosk_may_subscribe(device, ticket, now, window):
        raise NotFound("unknown_ticket", f"No ticket {ticket_id} just printed at this kiosk.")
    channel = phone_channel(db.session, ticket.site_id)
    if channel is None:
        raise ApiError("no_phone_channel", "This centre sends no text messages.", status=409)
    subscription = subscribe(
        db.session,
        site_id=ticket.site_id,
        channel=channel,
        address=data["phone"],
        via="kiosk",
        at=now,
        ticket_id=ticket.id,
        near_turn_ahead=NEAR_TURN_DEFAULT,
    )
    db.session.commit()
    return {
        "channel": channel,
        "phone": masked(channel, subscription.address),
        "near_turn_ahead": subscription.near_turn_ahead,
    }


@blp.route("/notify/<site_code>/sms/delivery/<token>", methods=["GET", "POST"])
@blp.response(204)
@sessionless
def sms_delivery_report(site_code, token):
    """The SMS gateway's delivery report (its callback), by query string, form or JSON. A
    report for no message of the site, or a repeat, changes nothing and is answered the same."""
    site = get_site(db.session, site_code)
    channel = site_channel(db.session, site.id, ChannelKind.SMS)
    if not receipts.authentic(channel, token):
        raise NotFound("unknown_callback", "No delivery reports are taken at this address.")
    assert channel is not None
    body = request.get_json(silent=True)
    report = {**request.args.to_dict(), **request.form.to_dict(), **(body if isinstance(body, dict) else {})}
    receipts.record_report(db.session, channel, report, utcnow())
    db.session.commit()
    return ""
