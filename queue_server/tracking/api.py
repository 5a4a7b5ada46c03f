"""The tracking pages' notifications: a citizen subscribes from ``/t/<key>`` or ``/d/<key>``.

No login: the tracking key in the address is the credential, as for a rating from the phone
(``ratings/api.py``). No CSRF token either (:func:`..security.sessionless`): a forged request
would need the key, and whoever has the key may subscribe anyway; no cookie of ours makes it
act for anyone. Each address may make ``TRACKING_SUBSCRIBE_RATE_LIMIT`` requests.

``kind`` is ``t`` (a ticket) or ``d`` (a dossier), as in the pages' addresses. The answers
never repeat the address: a page shows "subscribed", never whose phone or mailbox.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..database import db, utcnow
from ..dossiers.lifecycle import get_by_tracking_key
from ..errors import ApiError, Conflict, NotFound
from ..inputs import Schema
from ..notify import operations as notify
from ..notify.addresses import normalise
from ..notify.channels.webpush import check_subscription
from ..notify.models import ChannelKind, Subscription
from ..queueing.operations import get_ticket_by_token
from ..security import limited, sessionless, tracking_limit
from ..web import LANGUAGES

blp = Blueprint(
    "tracking_api", __name__, url_prefix="/api/v1", description="Notifications asked for on tracking pages"
)

# Where consent was given (Subscription.via).
VIA = "tracking"
KINDS = ("t", "d")


class AddressSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(ChannelKind.ALL))
    address = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The push endpoint, the e-mail address or the phone number"},
    )


class SubscribeSchema(AddressSchema):
    keys = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "Web Push: p256dh and auth"}
    )
    near_turn_ahead = fields.Integer(
        validate=validate.Range(1, notify.NEAR_TURN_MAX),
        metadata={"description": f"A ticket: told when this many are ahead ({notify.NEAR_TURN_DEFAULT})"},
    )
    language = fields.String(load_default="vi", validate=validate.OneOf(LANGUAGES))


class SubscriptionStateSchema(Schema):
    channel = fields.String(required=True)
    subscribed = fields.Boolean(required=True)
    near_turn_ahead = fields.Integer(allow_none=True)


def _subject(kind: str, key: str) -> tuple[int, dict[str, int]]:
    """The site and the subscription's subject (ticket or dossier) of a tracking key."""
    if kind == "t":
        ticket = get_ticket_by_token(db.session, key)
        return ticket.site_id, {"ticket_id": ticket.id}
    if kind == "d":
        dossier = get_by_tracking_key(db.session, key)
        return dossier.site_id, {"dossier_id": dossier.id}
    raise NotFound("not_found", "Tracking links are /t/<key> or /d/<key>.")


def _address(site_id: int, data: dict) -> str:
    """The address as stored, once the site offers the channel; a push endpoint checked."""
    channel = data["channel"]
    if channel not in notify.enabled_channels(db.session, site_id):
        raise Conflict("channel_off", "This centre sends no notifications on this channel.", field="channel")
    if channel != ChannelKind.WEBPUSH:
        return data["address"]
    allow_local = current_app.config["NOTIFY_PUSH_ALLOW_LOCAL"]
    endpoint, data["keys"] = check_subscription(data["address"], data.get("keys"), allow_local=allow_local)
    return endpoint


def _state(channel: str, subscription: Subscription | None) -> dict:
    live = subscription is not None and subscription.opted_out_at is None
    return {
        "channel": channel,
        "subscribed": live,
        "near_turn_ahead": subscription.near_turn_ahead if live and subscription else None,
    }


@blp.route("/track/<kind>/<key>/subscriptions", methods=["POST"])
@blp.arguments(SubscribeSchema())
@blp.response(201, SubscriptionStateSchema)
@blp.alt_response(409, description="channel_off: the centre does not use this channel")
@blp.alt_response(429, description="Too many requests from this address")
@limited(tracking_limit)
@sessionless
def subscribe(data, kind, key):
    """Be told about this ticket or dossier on a channel the centre uses: this browser (Web
    Push: the PushSubscription's endpoint and keys), an e-mail address or a phone. Subscribing
    again updates the choice and ends an earlier opt-out."""
    site_id, subject = _subject(kind, key)
    address = _address(site_id, data)
    near_turn = data.get("near_turn_ahead", notify.NEAR_TURN_DEFAULT) if kind == "t" else None
    subscription = notify.subscribe(
        db.session,
        site_id=site_id,
        channel=data["channel"],
        address=address,
        via=VIA,
        at=utcnow(),
        language=data["language"],
        near_turn_ahead=near_turn,
        keys=data.get("keys") if data["channel"] == ChannelKind.WEBPUSH else None,
        **subject,
    )
    db.session.commit()
    return _state(data["channel"], subscription)


@blp.route("/track/<kind>/<key>/subscriptions/state", methods=["POST"])
@blp.arguments(AddressSchema())
@blp.response(200, SubscriptionStateSchema)
@limited(tracking_limit)
@sessionless
def subscription_state(data, kind, key):
    """Whether this browser's push endpoint is subscribed (a POST: the endpoint is a secret of
    the browser's and stays out of addresses and logs). Web Push only: for a phone or an
    e-mail address it would tell anyone with the link whose they are."""
    _, subject = _subject(kind, key)
    if data["channel"] != ChannelKind.WEBPUSH:
        raise ApiError("invalid_channel", "Only a push subscription can be looked up.", field="channel")
    subscription = notify.find_subscription(db.session, data["channel"], data["address"].strip(), **subject)
    return _state(data["channel"], subscription)


@blp.route("/track/<kind>/<key>/subscriptions/off", methods=["POST"])
@blp.arguments(AddressSchema())
@blp.response(200, SubscriptionStateSchema)
@limited(tracking_limit)
@sessionless
def unsubscribe(data, kind, key):
    """Stop the notifications of this address about this ticket or dossier ("Tắt thông báo").
    The answer is the same whether the address was subscribed or not."""
    _, subject = _subject(kind, key)
    try:
        address = normalise(data["channel"], data["address"])
    except ApiError:
        address = None
    subscription = address and notify.find_subscription(db.session, data["channel"], address, **subject)
    if subscription:
        notify.opt_out(db.session, subscription, utcnow())
        db.session.commit()
    return _state(data["channel"], None)
