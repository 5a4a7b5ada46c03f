"""Request and response schemas of the dossier API (validation and the OpenAPI document).

The shapes are checked here; the rules (what a state allows, what a field must look like
for the law) are checked by :mod:`.lifecycle`.
"""

from marshmallow import Schema, fields, validate

from .deadlines import Unit
from .models import Delivery, DossierChannel, DossierStatus, FeePayment

DATETIME = {"format": "date-time"}


class ProcedureSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    department_name = fields.String(required=True)
    field = fields.String(allow_none=True)
    processing_amount = fields.Float(required=True)
    processing_unit = fields.String(required=True, validate=validate.OneOf(Unit.ALL))
    fee = fields.Integer(required=True, metadata={"description": "đồng"})
    documents = fields.List(fields.Dict(), required=True)
    postal_allowed = fields.Boolean(required=True)


class ProcedureQuerySchema(Schema):
    site = fields.String(required=True)
    postal = fields.Boolean(load_default=None, metadata={"description": "Only those the post may take"})


class ApplicantSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=20))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    email = fields.String(allow_none=True, validate=validate.Length(max=200))


class DocumentSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    originals = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    certified_copies = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    copies = fields.Integer(load_default=0, validate=validate.Range(0, 100))


class IntakeSchema(Schema):
    """A dossier as the intake officer (or the postal client) records it."""

    client_id = fields.String(
        validate=validate.Regexp(r"^[0-9A-Za-z_-]{8,40}$"),
        metadata={"description": "Chosen by the client; a retry with the same id returns the same dossier"},
    )
    procedure = fields.String(required=True, metadata={"description": "Procedure code at the site"})
    applicant = fields.Nested(ApplicantSchema, required=True)
    documents = fields.List(fields.Nested(DocumentSchema), load_default=list)
    sets = fields.Integer(load_default=1, validate=validate.Range(1, 50))
    delivery = fields.String(load_default=Delivery.COUNTER, validate=validate.OneOf(Delivery.ALL))
    delivery_address = fields.String(allow_none=True, validate=validate.Length(max=500))
    fee = fields.Integer(validate=validate.Range(min=0), metadata={"description": "Default: the procedure's"})
    fee_payment = fields.String(load_default=FeePayment.CASH, validate=validate.OneOf(FeePayment.ALL))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DossierCreateSchema(IntakeSchema):
    site = fields.String(required=True, metadata={"description": "The centre that receives it"})
    channel = fields.String(load_default=DossierChannel.COUNTER, validate=validate.OneOf(DossierChannel.ALL))
    ticket_id = fields.Integer(allow_none=True, metadata={"description": "The queue ticket it came with"})


class DossierPublicSchema(Schema):
    """What the receipt's holder may see: no personal data."""

    code = fields.String(required=True)
    site = fields.String(required=True)
    site_name = fields.String(required=True)
    procedure = fields.String(required=True)
    procedure_name = fields.String(required=True)
    department = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DossierStatus.ALL))
    channel = fields.String(required=True)
    delivery = fields.String(required=True)
    received_at = fields.String(required=True, metadata=DATETIME)
    due_at = fields.String(required=True, metadata=DATETIME)
    apology_due_at = fields.String(allow_none=True, metadata=DATETIME)
    paused = fields.Boolean(required=True)
    finished_at = fields.String(allow_none=True, metadata=DATETIME)
    outcome = fields.String(allow_none=True, validate=validate.OneOf(["early", "on_time", "late"]))
    returned_at = fields.String(allow_none=True, metadata=DATETIME)
    return_method = fields.String(allow_none=True)
    result_ready = fields.Boolean(required=True)


class KioskDossierSchema(DossierPublicSchema):
    return_service = fields.String(
        allow_none=True, metadata={"description": "Service to take a number for, when the result is ready"}
    )


class DossierRowSchema(DossierPublicSchema):
    applicant_name = fields.String(required=True)
    flags = fields.List(fields.String(), required=True)


class EventSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True, metadata=DATETIME)
    action = fields.String(required=True)
    status = fields.String(required=True)
    actor = fields.String(allow_none=True)
    from_party = fields.String(allow_none=True)
    to_party = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict(required=True)


class AttachmentSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = fields.String(required=True, metadata=DATETIME)


class DossierSchema(DossierPublicSchema):
    """The staff view."""

    client_id = fields.String(required=True)
    form_set = fields.String(required=True)
    intake_site = fields.String(required=True)
    applicant = fields.Nested(ApplicantSchema, required=True)
    documents = fields.List(fields.Dict(), required=True)
    sets = fields.Integer(required=True)
    delivery_address = fields.String(allow_none=True)
    fee = fields.Integer(required=True)
    fee_payment = fields.String(required=True)
    ticket_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    received_by = fields.String(allow_none=True)
    paused_seconds = fields.Integer(required=True)
    flags = fields.List(
        fields.String(validate=validate.OneOf(["due_soon", "overdue", "needs_apology"])), required=True
    )
    tracking_url = fields.String(required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)


class DossierQuerySchema(Schema):
    site = fields.String(required=True)
    status = fields.String(validate=validate.OneOf(DossierStatus.ALL))
    channel = fields.String(validate=validate.OneOf(DossierChannel.ALL))
    flag = fields.String(validate=validate.OneOf(["due_soon", "overdue", "needs_apology"]))
    received_from = fields.Date()
    received_to = fields.Date()
    q = fields.String(validate=validate.Length(min=2, max=100), metadata={"description": "Code or name"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ActionSchema(Schema):
    """The details an action needs (see each action's description in the API document)."""

    items = fields.List(fields.String(validate=validate.Length(min=1, max=500)))
    reason = fields.String(validate=validate.Length(max=2000))
    rules_reference = fields.String(validate=validate.Length(max=500))
    agency = fields.String(validate=validate.Length(max=300))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    documents = fields.List(fields.Nested(DocumentSchema))
    new_due_at = fields.DateTime(format="iso")
    signed_by = fields.String(validate=validate.Length(max=200))
    method = fields.String(validate=validate.OneOf(Delivery.ALL))
    recipient_name = fields.String(validate=validate.Length(max=200))
    recipient_id_number = fields.String(validate=validate.Length(max=20))
    proxy = fields.Boolean()
    authorisation = fields.String(validate=validate.Length(max=300))
    delivered_at = fields.DateTime(format="iso")
    attempted_at = fields.DateTime(format="iso")
