"""What the manifests' API reads and answers (its OpenAPI document is built from these); the
post office's sync answers its inbox with the same manifest (``sync/api.py``)."""

from __future__ import annotations

from marshmallow import fields, validate

from ..inputs import Schema
from .models import Direction, ManifestStatus


class ManifestCreateSchema(Schema):
    direction = fields.String(required=True, validate=validate.OneOf(Direction.ALL))
    from_site = fields.String(required=True)
    to_site = fields.String(required=True)
    client_id = fields.String(validate=validate.Regexp(r"^[0-9A-Za-z_-]{8,40}$"))


class DossierCodeSchema(Schema):
    dossier = fields.String(required=True, validate=validate.Length(min=1, max=60))


class ScanSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ManifestItemSchema(Schema):
    dossier = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["expected", "arrived", "missing", "extra"]))
    known = fields.Boolean(required=True, metadata={"description": "The code is a dossier of this system"})
    arrived_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ManifestSchema(Schema):
    code = fields.String(required=True)
    direction = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ManifestStatus.ALL))
    from_site = fields.String(required=True)
    to_site = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    closed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    received_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    items = fields.List(fields.Nested(ManifestItemSchema), required=True)


class ManifestQuerySchema(Schema):
    site = fields.String(required=True, metadata={"description": "Sender or recipient"})
    status = fields.String(validate=validate.OneOf(ManifestStatus.ALL))
