"""``GET /api/v1/audit``: supervisors search the trail of their sites; admins of every site."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..auth.access import Action, require, require_at
from ..database import db
from ..inputs import Schema
from ..sites.lookups import get_site
from . import search

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit trail")


class AuditQuerySchema(Schema):
    site = fields.String(metadata={"description": "Omit for every site (admins only)"})
    actor = fields.String(validate=validate.Length(min=1, max=100))
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "What, or on what"})
    source = fields.String(validate=validate.OneOf(search.SOURCES))
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class AuditRowSchema(Schema):
    source = fields.String(required=True, validate=validate.OneOf(search.SOURCES))
    at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    action = fields.String(required=True)
    subject = fields.String(allow_none=True)
    changes = fields.Raw(required=True)
    event = fields.String(
        allow_none=True, metadata={"description": "login, login_failed, personal_data_read...: not a change"}
    )
    details = fields.Raw(allow_none=True)
    user_agent = fields.String(allow_none=True)


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditQuerySchema(), location="query")
@blp.response(200, AuditRowSchema(many=True))
def audit(query):
    """Who changed what, when and from which address (dates are the site's local dates)."""
    if "site" in query:
        site = get_site(db.session, query["site"])
        require(Action.SUPERVISE, site.id)
        site_ids, tz = [site.id], site.tz
    else:
        require_at(Action.SUPERVISE, None)  # every site: admins only
        site_ids, tz = None, ZoneInfo("Asia/Ho_Chi_Minh")
    since, until = search.window(query.get("date_from"), query.get("date_to"), tz)
    return search.search(
        db.session,
        search.Query(
            site_ids=site_ids,
            actor=query.get("actor"),
            text=query.get("q"),
            since=since,
            until=until,
            source=query.get("source"),
            limit=query["limit"],
        ),
    )
