"""HTTP API of ratings: thin views over :mod:`.operations`."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..actors import SYSTEM
from ..auth.access import current_actor, require_device
from ..auth.models import DeviceKind
from ..database import db
from ..inputs import Schema
from ..queueing.models import Ticket
from ..queueing.operations import get_ticket, get_ticket_by_token
from ..security import sessionless
from ..timefmt import iso
from . import operations
from .models import Rating, RatingChannel, RatingLevel
from .presenters import choices

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="Citizens' satisfaction ratings")


class RatingBodySchema(Schema):
    level = fields.String(required=True, validate=validate.OneOf(RatingLevel.ALL))
    reasons = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "Reason codes offered for the level (GET /ratings/reasons)"},
    )


class TabletRatingSchema(RatingBodySchema):
    ticket_id = fields.Integer(required=True)


class RatingSchema(Schema):
    ticket_id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "The ticket's number"})
    level = fields.String(required=True, validate=validate.OneOf(RatingLevel.ALL))
    reasons = fields.List(fields.String(), required=True)
    channel = fields.String(required=True, validate=validate.OneOf(RatingChannel.ALL))
    created_at = fields.String(required=True, metadata={"format": "date-time"})


class ReasonSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class LevelChoicesSchema(Schema):
    level = fields.String(required=True, validate=validate.OneOf(RatingLevel.ALL))
    label = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


def rating_view(ticket: Ticket, rating: Rating) -> dict:
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "level": rating.level,
        "reasons": rating.reasons,
        "channel": rating.channel,
        "created_at": iso(rating.created_at),
    }


@blp.route("/ratings", methods=["POST"])
@blp.arguments(TabletRatingSchema())
@blp.response(201, RatingSchema)
def rate_at_counter(data):
    """A rating from the counter's tablet (a ``rating`` device token of the counter that served
    the ticket), within minutes of the ticket being finished."""
    require_device(DeviceKind.RATING)
    ticket = get_ticket(db.session, data["ticket_id"])
    rating = operations.rate(
        db.session, ticket, data["level"], data["reasons"], RatingChannel.TABLET, current_actor()
    )
    db.session.commit()
    return rating_view(ticket, rating)


@blp.route("/track/<token>/rating", methods=["POST"])
@blp.arguments(RatingBodySchema())
@blp.response(201, RatingSchema)
@sessionless
def rate_from_phone(data, token):
    """A rating from the citizen's phone: the ticket's tracking key is the credential."""
    ticket = get_ticket_by_token(db.session, token)
    rating = operations.rate(db.session, ticket, data["level"], data["reasons"], RatingChannel.PHONE, SYSTEM)
    db.session.commit()
    return rating_view(ticket, rating)


@blp.route("/ratings/reasons", methods=["GET"])
@blp.response(200, LevelChoicesSchema(many=True))
def list_reasons():
    """The levels and the reasons offered for each, labelled in the request's language
    (``?lang=vi|en`` or Accept-Language)."""
    return choices()
