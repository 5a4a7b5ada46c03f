"""Request and response schemas of the province hand-off's API."""

from __future__ import annotations

from marshmallow import fields, validate

from ..dossiers import rules
from ..dossiers.rules import Delivery, FeePayment
from ..dossiers.schemas import ApplicantSchema, DocumentSchema
from ..inputs import Schema
from .models import Adapter, MessageStatus


class LinkInSchema(Schema):
    enabled = fields.Boolean(required=True)
    adapter = fields.String(required=True, validate=validate.OneOf(Adapter.ALL))
    endpoint_url = fields.String(required=True, validate=validate.Length(max=500))
    username = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    secret = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "Write-only: omitted or null keeps the one set, empty removes it"},
    )
    timeout_seconds = fields.Float(load_default=10.0, metadata={"description": "1 to 120 seconds"})
    status_codes = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={"description": "The site's national code by action, over the defaults; '' = not sent"},
    )
    personal_data = fields.Boolean(load_default=False)
    soap_action = fields.String(allow_none=True, load_default=None)
    soap_namespace = fields.String(allow_none=True, load_default=None)


class LinkSchema(Schema):
    configured = fields.Boolean(required=True)
    enabled = fields.Boolean(required=True)
    adapter = fields.String(required=True)
    endpoint_url = fields.String(allow_none=True, required=True)
    username = fields.String(allow_none=True, required=True)
    secret_set = fields.Boolean(required=True, metadata={"description": "A secret is set (never shown)"})
    timeout_seconds = fields.Float(required=True)
    status_codes = fields.Dict(required=True, metadata={"description": "Every action's code in force"})
    own_codes = fields.Dict(required=True, metadata={"description": "The site's own, over the defaults"})
    personal_data = fields.Boolean(required=True)
    soap_action = fields.String(allow_none=True, required=True)
    soap_namespace = fields.String(allow_none=True, required=True)


class MessageSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    dossier_code = fields.String(required=True)
    action = fields.String(required=True)
    status_code = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)
    answered_at = fields.DateTime(allow_none=True, required=True)
    http_status = fields.Integer(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    province_ref = fields.String(allow_none=True, required=True)
    payload = fields.Dict(required=True)


class MessageQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf((*MessageStatus.ALL, "waiting")))
    dossier = fields.String(load_default=None, validate=validate.Length(max=60))


class ImportInSchema(Schema):
    """A dossier as the province sends it (docs/province.md): the applicant and documents as
    at the counter (the dossiers' own schemas); the rules are checked by intake."""

    province_code = fields.String(
        required=True, metadata={"description": "The province's own code of the dossier: one import per code"}
    )
    procedure_code = fields.String(
        required=True, metadata={"description": "A procedure of the site's catalogue"}
    )
    received_at = fields.String(
        load_default=None, metadata={"description": "When the province received it, with its offset"}
    )
    applicant = fields.Nested(ApplicantSchema, required=True)
    documents = fields.List(
        fields.Nested(DocumentSchema), load_default=list, validate=validate.Length(max=rules.DOCUMENTS_MAX)
    )
    delivery = fields.String(
        load_default=Delivery.COUNTER, metadata={"description": "counter (this site's) or post"}
    )
    delivery_address = fields.String(allow_none=True, load_default=None)
    fee = fields.Integer(
        load_default=None,
        validate=validate.Range(0, rules.FEE_MAX),
        metadata={"description": "Default: the procedure's"},
    )
    fee_payment = fields.String(load_default=None, validate=validate.OneOf(FeePayment.ALL))
    note = fields.String(allow_none=True, load_default=None)


class ImportedSchema(Schema):
    province_code = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "The dossier's code here"})
    status = fields.String(required=True)
    delivery = fields.String(required=True)
    due_at = fields.DateTime(allow_none=True, required=True)
    created = fields.Boolean(required=True)
