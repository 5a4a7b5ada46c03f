"""HTTP API of notifications for staff: the messages sent about a dossier or a ticket, with
their outcome, for whoever may see that dossier or supervise that ticket's site. Addresses
are masked (presenters.py), so reading them is not a read of personal data."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields

from ..auth.access import Action, require, require_dossier_view, require_login
from ..database import db
from ..dossiers import lifecycle
from ..inputs import Schema
from ..queueing.operations import get_ticket
from .presenters import notification_view
from .queries import messages_about

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Notifications to citizens")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    event = fields.String(
        required=True, metadata={"description": "e.g. ticket.near_turn, dossier.result_ready"}
    )
    channel = fields.String(required=True)
    recipient = fields.String(required=True, metadata={"description": "masked"})
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    error = fields.String(allow_none=True)
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
