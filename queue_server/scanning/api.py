"""``POST /api/v1/scans``: what a scanned text is (ticket, booking, dossier code, chip ID card).

The ID card's fields are personal data: they go back only to staff and to post-office
devices, which fill an intake form with them, and each such read is recorded in the audit trail
(:mod:`queue_server.audit.reads`); anyone else learns only that it was an ID card.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from hardware.scanning import ScanError, parse

from ..audit.reads import record_id_card_read
from ..auth.access import current_actor, may_read_id_card, require_device
from ..auth.models import DeviceKind
from ..database import db
from ..errors import ApiError
from ..inputs import Schema
from ..live import send_to_device

blp = Blueprint("scanning", __name__, url_prefix="/api/v1", description="Scanned codes")


class ScanInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


SCAN_KINDS = ["ticket", "dossier_link", "booking", "dossier", "manifest", "citizen_id"]


class ScanOutSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SCAN_KINDS))
    value = fields.String(allow_none=True, metadata={"description": "Ticket key or dossier code"})
    # Named apart from Schema.fields (the schema's own fields), as "fields" in the answer.
    fields_ = fields.Dict(
        attribute="fields",
        data_key="fields",
        metadata={"description": "Decoded fields (ID card: staff and post offices only)"},
    )


def _read(text: str) -> dict:
    try:
        scan = parse(text)
    except ScanError as error:
        raise ApiError("unreadable_scan", str(error), 422, reason=error.reason) from None
    actor = current_actor()
    if scan.kind == "citizen_id":
        if not may_read_id_card(actor):
            return {"kind": scan.kind, "value": None, "fields": {}}
        record_id_card_read(db.session(), actor)
        db.session.commit()
    details = {
        key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in scan.fields.items()
    }
    return {"kind": scan.kind, "value": scan.value, "fields": details}


@blp.route("/scans", methods=["POST"])
@blp.arguments(ScanInSchema())
@blp.response(200, ScanOutSchema)
def read_scan(data):
    """Recognise a scanned text; a clear 422 for anything this system does not know, whose
    ``reason`` (``empty``, ``unknown_code``, ``bad_date``, ``bad_id_card``) a screen says in
    its own language: the message is English, for logs and developers."""
    return _read(data["text"])


@blp.route("/devices/me/scans", methods=["POST"])
@blp.arguments(ScanInSchema())
@blp.response(200, ScanOutSchema)
def forward_scan(data):
    """For a device agent: what its serial scanner read, passed on to the device's own pages."""
    device = require_device(*DeviceKind.ALL)
    try:
        result = _read(data["text"])
    except ApiError as error:
        send_to_device(device.id, "scan", {"error": {"code": error.code, "message": error.message}})
        raise
    send_to_device(device.id, "scan", result)
    return result
