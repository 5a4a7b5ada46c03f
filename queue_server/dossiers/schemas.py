"""Request and response schemas of the dossier API (validation and the OpenAPI document).

The shapes are checked here; the rules (what a state allows, what a field must look like
for the law) are checked by :mod:`.lifecycle`.
"""

from marshmallow import fields, validate

from ..inputs import Schema
from . import guidance, rules
from .deadlines import Unit
from .rules import (
    CLIENT_ID_PATTERN,
    Delivery,
    DossierChannel,
    DossierStatus,
    FeePayment,
    FeeStatus,
    IntakeDecision,
    NoticeChannel,
    Outcome,
    RequestChannel,
    ReturnPlace,
)

DATETIME = {"format": "date-time"}
FLAGS = ("payment_due", "transfer_due", "due_soon", "overdue", "needs_apology")


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
    site = fields.String(required=True, metadata={"description": "The centre that handles it"})
    site_name = fields.String(required=True)
    cutoff = fields.String(
        allow_none=True,
        metadata={"description": "HH:MM: received later, the time counts from the next working day"},
    )
    system_code = fields.String(
        allow_none=True, metadata={"description": "National centralised system (TT 04/2025)"}
    )
    payment_before_processing = fields.Boolean(
        required=True, metadata={"description": "The fee is paid before the dossier goes to processing"}
    )


class ProcedureQuerySchema(Schema):
    site = fields.String(
        required=True,
        metadata={"description": "A centre: the procedures of its province's catalogue that it may receive"},
    )
    postal = fields.Boolean(load_default=None, metadata={"description": "Only those the post may take"})
    handled_here = fields.Boolean(
        load_default=None, metadata={"description": "Only those the centre handles"}
    )


class ProcedureSearchQuerySchema(Schema):
    site = fields.String(
        required=True,
        metadata={"description": "The centre searching: its province's catalogue, its own first"},
    )
    q = fields.String(
        load_default="",
        validate=validate.Length(max=guidance.QUERY_MAX),
        metadata={"description": "Words, accents optional (dat dai finds Đất đai); empty finds nothing"},
    )
    limit = fields.Integer(
        load_default=guidance.SEARCH_LIMIT, validate=validate.Range(1, guidance.SEARCH_LIMIT_MAX)
    )


class ProcedureFoundSchema(ProcedureSchema):
    page_url = fields.String(
        required=True, metadata={"description": "The procedure's public page, for a phone"}
    )
    processing_time_text = fields.String(required=True, metadata={"description": "In the request's language"})
    fee_text = fields.String(required=True)
    postal_text = fields.String(
        required=True, metadata={"description": "Whether the post office may take it"}
    )


class ApplicantSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=rules.NAME_MAX))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=rules.ID_NUMBER_MAX))
    phone = fields.String(allow_none=True, validate=validate.Length(max=rules.PHONE_MAX))
    address = fields.String(allow_none=True, validate=validate.Length(max=rules.ADDRESS_MAX))
    email = fields.String(allow_none=True, validate=validate.Length(max=rules.EMAIL_MAX))


COPIES = validate.Range(rules.COPIES_MIN, rules.COPIES_MAX)


class DocumentSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=rules.DOCUMENT_NAME_MAX))
    originals = fields.Integer(load_default=0, validate=COPIES)
    certified_copies = fields.Integer(load_default=0, validate=COPIES)
    copies = fields.Integer(load_default=0, validate=COPIES)


# What the citizen must complete or add (Mẫu 02, supplement request): document names.
ITEMS = fields.List(
    fields.String(validate=validate.Length(min=1, max=rules.DOCUMENT_NAME_MAX)),
    validate=validate.Length(max=rules.DOCUMENTS_MAX),
)


class IntakeSchema(Schema):
    """A dossier as the intake officer (or the postal client) records it."""

    client_id = fields.String(
        validate=validate.Regexp(CLIENT_ID_PATTERN),
        metadata={"description": "Chosen by the client; a retry with the same id returns the same dossier"},
    )
    procedure = fields.String(required=True, metadata={"description": "Procedure code at the site"})
    applicant = fields.Nested(ApplicantSchema, required=True)
    documents = fields.List(
        fields.Nested(DocumentSchema), load_default=list, validate=validate.Length(max=rules.DOCUMENTS_MAX)
    )
    sets = fields.Integer(
        load_default=rules.SETS_MIN, validate=validate.Range(rules.SETS_MIN, rules.SETS_MAX)
    )
    delivery = fields.String(load_default=Delivery.COUNTER, validate=validate.OneOf(Delivery.ALL))
    delivery_address = fields.String(allow_none=True, validate=validate.Length(max=rules.ADDRESS_MAX))
    return_to = fields.String(
        validate=validate.OneOf(ReturnPlace.ALL),
        metadata={
            "description": "Collected at a counter: where it was handed in (default) or the handling centre"
        },
    )
    fee = fields.Integer(
        validate=validate.Range(0, rules.FEE_MAX), metadata={"description": "Default: the procedure's"}
    )
    fee_payment = fields.String(load_default=FeePayment.CASH, validate=validate.OneOf(FeePayment.ALL))
    note = fields.String(allow_none=True, validate=validate.Length(max=rules.NOTE_MAX))


class DossierCreateSchema(IntakeSchema):
    site = fields.String(required=True, metadata={"description": "The centre that handles the procedure"})
    intake_site = fields.String(
        metadata={
            "description": "The centre where the citizen hands it in (default: site); any centre of the "
            "province (Nghị định 118/2025 Điều 14)"
        }
    )
    channel = fields.String(load_default=DossierChannel.COUNTER, validate=validate.OneOf(DossierChannel.ALL))
    ticket_id = fields.Integer(allow_none=True, metadata={"description": "The queue ticket it came with"})
    decision = fields.String(
        load_default=IntakeDecision.ACCEPT,
        validate=validate.OneOf(IntakeDecision.ALL),
        metadata={
            "description": "accept: register it with a receipt (Mẫu 01); incomplete: guidance on what to "
            "complete (Mẫu 02: items, reason); refuse: refusal (Mẫu 03: reason, rules_reference). Only "
            "an accepted dossier gets a due date, a book entry and a fee."
        },
    )
    items = ITEMS
    reason = fields.String(validate=validate.Length(max=rules.REASON_MAX))
    rules_reference = fields.String(validate=validate.Length(max=rules.RULES_REFERENCE_MAX))
    contact_consent = fields.Boolean(
        load_default=False,
        metadata={
            "description": "The applicant agrees to be contacted about the dossier by phone, SMS or Zalo "
            "(optional; ask them, never assume it)"
        },
    )


class ContactConsentSchema(Schema):
    """The applicant's consent to be contacted about the dossier (phone, SMS, Zalo)."""

    contact_consent = fields.Boolean(required=True, metadata={"description": "false: withdrawn"})
    via = fields.String(
        load_default="in_person",
        validate=validate.OneOf(RequestChannel.ALL),
        metadata={"description": "How the citizen said so"},
    )


class ConsentViewSchema(Schema):
    given = fields.Boolean(required=True)
    at = fields.String(allow_none=True, metadata=DATETIME)
    via = fields.String(allow_none=True, metadata={"description": "The intake's channel, or how asked later"})


class PersonalDataReadSchema(Schema):
    """One read of a dossier's personal data, from the audit trail."""

    at = fields.String(required=True, metadata=DATETIME)
    actor = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    what = fields.String(allow_none=True)


class DossierPublicSchema(Schema):
    """What the receipt's holder may see: no personal data."""

    code = fields.String(required=True)
    site = fields.String(required=True)
    site_name = fields.String(required=True)
    procedure = fields.String(required=True)
    procedure_name = fields.String(required=True)
    department = fields.String(required=True)
    receiving_site = fields.String(
        required=True, metadata={"description": "The one-stop unit that received it"}
    )
    receiving_site_name = fields.String(required=True)
    return_site = fields.String(
        allow_none=True, metadata={"description": "Where a counter hands the result back"}
    )
    return_site_name = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(DossierStatus.ALL))
    registered = fields.Boolean(required=True, metadata={"description": "False: turned away at intake"})
    channel = fields.String(required=True)
    delivery = fields.String(required=True)
    received_at = fields.String(required=True, metadata=DATETIME)
    counted_from = fields.String(allow_none=True, metadata=DATETIME)
    due_at = fields.String(allow_none=True, metadata=DATETIME)
    apology_due_at = fields.String(allow_none=True, metadata=DATETIME)
    paused = fields.Boolean(required=True)
    finished_at = fields.String(allow_none=True, metadata=DATETIME)
    outcome = fields.String(allow_none=True, validate=validate.OneOf(Outcome.ALL))
    returned_at = fields.String(allow_none=True, metadata=DATETIME)
    return_method = fields.String(allow_none=True)
    result_ready = fields.Boolean(required=True)


class KioskDossierSchema(DossierPublicSchema):
    return_service = fields.String(
        allow_none=True, metadata={"description": "Service to take a number for, when the result is ready"}
    )


class DossierRowSchema(DossierPublicSchema):
    intake_site = fields.String(required=True)
    applicant_name = fields.String(required=True)
    flags = fields.List(fields.String(validate=validate.OneOf(FLAGS)), required=True)


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
    purged_at = fields.String(
        allow_none=True, metadata={**DATETIME, "description": "Removed at the end of its retention"}
    )


class FormViewSchema(Schema):
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "Mẫu <number> - <title>"})
    form_set = fields.String(required=True)
    form_set_name = fields.String(required=True)
    filename = fields.String(required=True)


class BookEntrySchema(Schema):
    site = fields.String(required=True)
    year = fields.Integer(required=True)
    volume = fields.Integer(required=True)
    entry = fields.Integer(required=True)
    entry_label = fields.String(required=True)


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
    fee_status = fields.String(required=True, validate=validate.OneOf(FeeStatus.ALL))
    fee_paid_at = fields.String(allow_none=True, required=True, metadata=DATETIME)
    fee_receipt_number = fields.String(allow_none=True, required=True)
    fee_confirmed_by = fields.String(
        allow_none=True, required=True, metadata={"description": "Who confirmed the payment"}
    )
    ticket_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    received_by = fields.String(allow_none=True)
    book = fields.Nested(
        BookEntrySchema, allow_none=True, metadata={"description": "Its tracking-book entry"}
    )
    transfer_due_at = fields.String(allow_none=True, metadata=DATETIME)
    supplement_requests = fields.Integer(required=True)
    paused_seconds = fields.Integer(required=True)
    flags = fields.List(fields.String(validate=validate.OneOf(FLAGS)), required=True)
    tracking_url = fields.String(required=True)
    forms = fields.List(
        fields.Nested(FormViewSchema), required=True, metadata={"description": "What can be printed"}
    )
    events = fields.List(fields.Nested(EventSchema), required=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)
    contact_consent = fields.Nested(ConsentViewSchema, required=True)
    personal_data_purged_at = fields.String(allow_none=True, metadata=DATETIME)


class DossierQuerySchema(Schema):
    site = fields.String(required=True)
    status = fields.String(validate=validate.OneOf(DossierStatus.ALL))
    channel = fields.String(validate=validate.OneOf(DossierChannel.ALL))
    flag = fields.String(validate=validate.OneOf(FLAGS))
    scope = fields.String(
        load_default="all",
        validate=validate.OneOf(["all", "handled", "received"]),
        metadata={
            "description": "handled: the site handles them; received: taken in here for another centre"
        },
    )
    received_from = fields.Date()
    received_to = fields.Date()
    q = fields.String(
        validate=validate.Length(min=2, max=100), metadata={"description": "Code, name, ID number or phone"}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class FeeMoveSchema(Schema):
    """A move of the fee: confirm (method, receipt_number, paid_at), change (amount, reason),
    waive (reason), refund (reason, receipt_number)."""

    method = fields.String(validate=validate.OneOf(FeePayment.METHODS))
    receipt_number = fields.String(allow_none=True, validate=validate.Length(max=rules.RECEIPT_NUMBER_MAX))
    paid_at = fields.String(
        allow_none=True, validate=validate.Length(min=10, max=40), metadata={"description": "ISO 8601"}
    )
    amount = fields.Integer(validate=validate.Range(1, rules.FEE_MAX), metadata={"description": "đồng"})
    reason = fields.String(validate=validate.Length(max=rules.NOTE_MAX))


class ActionSchema(Schema):
    """The details an action needs (see each action's description in the API document)."""

    items = ITEMS
    reason = fields.String(validate=validate.Length(max=rules.REASON_MAX))
    rules_reference = fields.String(validate=validate.Length(max=rules.RULES_REFERENCE_MAX))
    agency = fields.String(validate=validate.Length(max=rules.AGENCY_MAX))
    note = fields.String(allow_none=True, validate=validate.Length(max=rules.NOTE_MAX))
    documents = fields.List(fields.Nested(DocumentSchema), validate=validate.Length(max=rules.DOCUMENTS_MAX))
    new_due_at = fields.String(
        validate=validate.Length(min=10, max=40),
        metadata={"description": "A date (its close) or an ISO 8601 instant; moved to a working instant"},
    )
    signed_by = fields.String(validate=validate.Length(max=rules.NAME_MAX))
    notified_by = fields.List(
        fields.String(validate=validate.OneOf(NoticeChannel.ALL)),
        validate=validate.Length(max=len(NoticeChannel.ALL)),
        metadata={"description": "How the citizen was told of the apology and new date"},
    )
    requested_via = fields.String(
        validate=validate.OneOf(RequestChannel.ALL), metadata={"description": "How the stop was asked for"}
    )
    requested_at = fields.String(
        validate=validate.Length(min=10, max=40),
        metadata={"description": "The day of the stop request (ISO date)"},
    )
    method = fields.String(validate=validate.OneOf(Delivery.ALL))
    recipient_name = fields.String(validate=validate.Length(max=rules.NAME_MAX))
    recipient_id_number = fields.String(validate=validate.Length(max=rules.ID_NUMBER_MAX))
    proxy = fields.Boolean()
    authorisation = fields.String(validate=validate.Length(max=rules.RULES_REFERENCE_MAX))
    delivered_at = fields.DateTime(format="iso")
    attempted_at = fields.DateTime(format="iso")


class TrackingBookSchema(Schema):
    year = fields.Integer(required=True)
    volume = fields.Integer(required=True, metadata={"description": "Quyển số"})
    first_entry = fields.Integer(required=True, metadata={"description": "The year's numbering goes on"})
    opened_at = fields.String(allow_none=True, metadata=DATETIME)
    opened_by = fields.String(allow_none=True)


class FormSettingsFormSchema(Schema):
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    assumed = fields.String(required=True, metadata={"description": "What the layout assumes"})


class FormSettingsSchema(Schema):
    site = fields.String(required=True)
    form_set = fields.String(required=True)
    form_set_name = fields.String(required=True)
    governing_body = fields.String(allow_none=True, metadata={"description": "First heading line"})
    centre_name = fields.String(allow_none=True, metadata={"description": "Second line (default: the site)"})
    place_name = fields.String(allow_none=True, metadata={"description": "Before the date: <place>, ngày"})
    symbols = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    forms = fields.List(fields.Nested(FormSettingsFormSchema), required=True)


class FormSettingsUpdateSchema(Schema):
    governing_body = fields.String(allow_none=True, validate=validate.Length(max=300))
    centre_name = fields.String(allow_none=True, validate=validate.Length(max=300))
    place_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    symbols = fields.Dict(
        keys=fields.String(validate=validate.Length(max=30)),
        values=fields.String(validate=validate.Length(max=40)),
        metadata={"description": "Per notice: supplement_request, refusal, apology, stop_notice"},
    )
