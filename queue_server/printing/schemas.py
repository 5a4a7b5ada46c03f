"""What the print jobs' API reads and answers (its OpenAPI document is built from these)."""

from __future__ import annotations

from marshmallow import fields, validate

from ..inputs import Schema


class PrintJobSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["queued", "sent", "printed", "failed"]))
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    printer = fields.String(
        allow_none=True, metadata={"description": "The device's printer as it last said (paper_out...)"}
    )
    created_at = fields.String(required=True)
    finished_at = fields.String(allow_none=True)
    payload = fields.Dict(metadata={"description": "What to print (for the device agent)"})


PRINTER_STATES = ["ok", "offline", "paper_out", "cover_open", "paper_low", "unknown", "none"]


class ResultSchema(Schema):
    printed = fields.Boolean(required=True)
    error = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    printer = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(PRINTER_STATES),
        metadata={"description": "The printer's state read after a failure: a fault makes the job wait"},
    )


class HeartbeatSchema(Schema):
    printer = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(PRINTER_STATES),
    )
    agent_version = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class DeviceSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    site = fields.String(required=True)
    counter_id = fields.Integer(allow_none=True)
    name = fields.String(required=True)
