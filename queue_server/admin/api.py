"""Supervisor views over HTTP: the devices of a site."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from ..auth.access import Action, require
from ..auth.models import DeviceToken
from ..database import db
from ..queueing.api import get_site
from ..queueing.presenters import iso
from ..sites.models import Counter

blp = Blueprint("admin_api", __name__, url_prefix="/api/v1", description="Supervision")


class DeviceStateSchema(Schema):
    id = fields.Integer(required=True)
    site = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    counter = fields.Integer(allow_none=True, metadata={"description": "Counter number"})
    revoked = fields.Boolean(required=True)
    last_seen_at = fields.String(allow_none=True)
    health = fields.Dict(allow_none=True, metadata={"description": "Printer state, agent version"})


@blp.route("/sites/<site_code>/devices", methods=["GET"])
@blp.response(200, DeviceStateSchema(many=True))
def site_devices(site_code):
    """Every device of the site with its state and last contact (supervisors and admins)."""
    site = get_site(site_code)
    require(Action.SUPERVISE, site.id)
    devices = db.session.scalars(
        select(DeviceToken).where(DeviceToken.site_id == site.id).order_by(DeviceToken.kind, DeviceToken.id)
    ).all()
    numbers = dict(
        db.session.execute(select(Counter.id, Counter.number).where(Counter.site_id == site.id)).all()
    )
    return [
        {
            "id": device.id,
            "site": site.code,
            "kind": device.kind,
            "name": device.name,
            "counter": numbers.get(device.counter_id),
            "revoked": device.revoked,
            "last_seen_at": iso(device.last_seen_at),
            "health": device.health,
        }
        for device in devices
    ]
