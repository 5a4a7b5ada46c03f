"""Request and response schemas of the notification channels and message templates in the
administration API."""

from __future__ import annotations

from marshmallow import fields, validate

from ..inputs import Schema
from .schemas import Text, optional_text, required_text


class ChannelInSchema(Schema):
    enabled = fields.Boolean(required=True)
    settings = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "The channel's own, checked by its class"},
    )
    secret = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "Write-only: omitted or null keeps the one set, empty removes it"},
    )


class ChannelSchema(Schema):
    channel = fields.String(required=True)
    configured = fields.Boolean(required=True, metadata={"description": "The site has set it up"})
    enabled = fields.Boolean(required=True)
    settings = fields.Dict(required=True)
    secret_set = fields.Boolean(required=True, metadata={"description": "A secret is set (never shown)"})
    callback_url = fields.String(
        allow_none=True, required=True, metadata={"description": "Where the gateway sends delivery reports"}
    )


class TestInSchema(Schema):
    address = required_text(320, metadata={"description": "A phone number or e-mail address to send to"})
    event = Text(
        load_default="ticket.near_turn",
        validate=validate.Length(max=40),
        metadata={"description": "Whose template a Zalo ZNS test sends"},
    )


class TestSchema(Schema):
    provider_ref = fields.String(allow_none=True, required=True)


class TemplateInSchema(Schema):
    subject = optional_text(300)
    body = required_text(2000)


class MeasureInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(max=2000))


class MeasureSchema(Schema):
    encoding = fields.String(required=True, validate=validate.OneOf(["gsm7", "ucs2"]))
    characters = fields.Integer(required=True)
    segments = fields.Integer(required=True)
    max_segments = fields.Integer(required=True)


class TemplateSchema(Schema):
    event = fields.String(required=True)
    channel = fields.String(required=True)
    language = fields.String(required=True)
    default_subject = fields.String(allow_none=True, required=True)
    default_body = fields.String(required=True)
    subject = fields.String(allow_none=True, required=True)
    body = fields.String(
        allow_none=True, required=True, metadata={"description": "The site's own; null: the default"}
    )


class TemplatesSchema(Schema):
    max_segments = fields.Integer(required=True)
    events = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    templates = fields.List(fields.Nested(TemplateSchema), required=True)
