"""HTTP API of dossiers: thin views over :mod:`.lifecycle`, :mod:`.forms` and :mod:`.storage`.

Staff of the dossier's centre see and move it; the site (centre or post office) that took it
in sees it; anyone holding the receipt sees only its public view (the tracking page, the
kiosk). Personal data never leaves through the public view.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Response, request, send_file
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import or_, select

from ..auth.access import Action, allowed, require, require_device, require_login
from ..auth.models import DeviceKind, DeviceToken
from ..database import db, utcnow
from ..errors import ApiError, Forbidden, NotFound
from ..printing import operations as print_operations
from ..printing.api import PrintJobSchema, job_body
from ..queueing.api import get_site
from ..sites.models import Counter, Service, Site
from . import codes, forms, lifecycle
from .models import Attachment, Delivery, Dossier, DossierStatus, Procedure
from .presenters import dossier_public, dossier_row, dossier_staff, track_url
from .schemas import (
    ActionSchema,
    AttachmentSchema,
    DossierCreateSchema,
    DossierPublicSchema,
    DossierQuerySchema,
    DossierRowSchema,
    DossierSchema,
    KioskDossierSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
)
from .storage import current_storage

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1", description="Procedures and dossiers")

PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
# A PDF page of the book takes a worker's CPU for a while: long periods go to the spreadsheet.
MAX_BOOK_DAYS = {"pdf": 7, "xlsx": 366}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def procedure_view(procedure: Procedure) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "department": procedure.department.code,
        "department_name": procedure.department.name,
        "field": procedure.field,
        "processing_amount": procedure.processing_amount,
        "processing_unit": procedure.processing_unit,
        "fee": procedure.fee,
        "documents": procedure.documents,
        "postal_allowed": procedure.postal_allowed,
    }


def may_see(actor, dossier: Dossier) -> bool:
    """The dossier's staff: its centre's officers, and whoever took it in."""
    return allowed(actor, Action.PROCESS_DOSSIER, dossier.site_id) or allowed(
        actor, Action.RECEIVE_DOSSIER, dossier.intake_site_id
    )


def staff_dossier(code: str) -> Dossier:
    actor = require_login()
    dossier = lifecycle.get_by_code(db.session, code)
    if not may_see(actor, dossier):
        raise Forbidden("forbidden", "Only the dossier's staff may see it.")
    return dossier


@blp.route("/procedures", methods=["GET"])
@blp.arguments(ProcedureQuerySchema, location="query")
@blp.response(200, ProcedureSchema(many=True))
def list_procedures(query):
    """The procedures a centre takes in (public: the citizen's guidance)."""
    site = get_site(query["site"])
    statement = select(Procedure).where(Procedure.site_id == site.id, Procedure.active.is_(True))
    if query.get("postal") is not None:
        statement = statement.where(Procedure.postal_allowed.is_(query["postal"]))
    return [procedure_view(p) for p in db.session.scalars(statement.order_by(Procedure.code))]


@blp.route("/dossiers", methods=["POST"])
@blp.arguments(DossierCreateSchema)
@blp.response(201, DossierSchema)
@blp.alt_response(200, schema=DossierSchema, description="Already created with this client_id")
def create_dossier(data):
    """Receive a dossier (tiếp nhận) at a centre's counter, or at a post office by its device."""
    site = get_site(data.pop("site"))
    actor = require_login()
    if actor.device is not None:
        intake_site = require_device(DeviceKind.POSTAL).site
        channel = "postal"
    else:
        intake_site = site
        channel = data.pop("channel")
    require(Action.RECEIVE_DOSSIER, intake_site.id)
    procedure = lifecycle.get_procedure(db.session, site, data.pop("procedure"))
    dossier, created = lifecycle.receive(
        db.session, site, intake_site, procedure, actor, data, channel=channel
    )
    db.session.commit()
    return dossier_staff(db.session, dossier), 201 if created else 200


@blp.route("/dossiers", methods=["GET"])
@blp.arguments(DossierQuerySchema, location="query")
@blp.response(200, DossierRowSchema(many=True))
def list_dossiers(query):
    """A centre's dossiers, newest first, filtered; ``flag`` finds those needing attention."""
    site = get_site(query["site"])
    require(Action.PROCESS_DOSSIER, site.id)
    statement = select(Dossier).where(Dossier.site_id == site.id)
    if "status" in query:
        statement = statement.where(Dossier.status == query["status"])
    if "channel" in query:
        statement = statement.where(Dossier.channel == query["channel"])
    if "received_from" in query:
        statement = statement.where(Dossier.received_at >= _local_midnight(site, query["received_from"]))
    if "received_to" in query:
        end = _local_midnight(site, query["received_to"]) + timedelta(days=1)
        statement = statement.where(Dossier.received_at < end)
    if "q" in query:
        pattern = f"%{query['q']}%"
        statement = statement.where(or_(Dossier.code.ilike(pattern), Dossier.applicant_name.ilike(pattern)))
    now = utcnow()
    if "flag" in query:
        # Only open dossiers can carry a flag; the working-time check runs on those.
        statement = statement.where(Dossier.status.in_(DossierStatus.OPEN)).order_by(Dossier.due_at)
        rows = (dossier_row(db.session, d, now) for d in db.session.scalars(statement))
        matching = [row for row in rows if query["flag"] in row["flags"]]
        return matching[query["offset"] : query["offset"] + query["limit"]]
    statement = statement.order_by(Dossier.received_at.desc(), Dossier.id.desc())
    statement = statement.offset(query["offset"]).limit(query["limit"])
    return [dossier_row(db.session, d, now) for d in db.session.scalars(statement)]


def _local_midnight(site: Site, day) -> datetime:
    return datetime.combine(day, time(0), site.tz)


@blp.route("/dossiers/<code>", methods=["GET"])
@blp.response(200, DossierSchema)
def get_dossier(code):
    """A dossier with its applicant, history (Mẫu 05), attachments and flags (staff only)."""
    return dossier_staff(db.session, staff_dossier(code))


@blp.route("/dossiers/<code>/actions/<action>", methods=["POST"])
@blp.arguments(ActionSchema)
@blp.response(200, DossierSchema)
def take_action(data, code, action):
    """Move the dossier on: request_supplement (items, reason), resubmit, refuse (reason,
    rules_reference), transfer (agency), start_processing, apologise (reason, new_due_at,
    signed_by; once), result_ready, return (method, recipient_name, proxy, authorisation),
    deliver / undeliver (by post, recorded by the post office)."""
    if action not in lifecycle.ACTIONS:
        raise NotFound("unknown_action", f"Unknown action {action!r}.")
    dossier = lifecycle.get_by_code(db.session, code)
    if action in ("deliver", "undeliver"):
        actor = require_login()
        if not _delivering_post_office(actor, dossier):
            raise Forbidden("forbidden", "Only the post office that carries the result records this.")
    else:
        actor = require(Action.PROCESS_DOSSIER, dossier.site_id)
    lifecycle.apply(db.session, dossier, action, actor, data)
    db.session.commit()
    return dossier_staff(db.session, dossier)


def _delivering_post_office(actor, dossier: Dossier) -> bool:
    from ..manifests.operations import carrier_of

    carrier = carrier_of(db.session, dossier)
    return carrier is not None and allowed(actor, Action.HANDOVER, carrier.id)


@blp.route("/dossiers/<code>/forms/<form>.pdf", methods=["GET"])
@blp.response(200, description="The form as a PDF", content_type="application/pdf")
def form_pdf(code, form):
    """Form 01 (receipt), 02 (supplement request), 03 (refusal), 04 (apology), 05 (control sheet)."""
    dossier = staff_dossier(code)
    extra = {"track_url": track_url(dossier)} if form == "01" else {}
    html = forms.render_html(form, dossier, **extra)
    disposition = f'inline; filename="{dossier.code}-mau-{form}.pdf"'
    return Response(_drawn(html), mimetype="application/pdf", headers={"Content-Disposition": disposition})


def _drawn(html: str) -> bytes:
    """The PDF of a form read from the database, drawn once the request's reads are over (see
    :func:`~.forms.html_to_pdf`)."""
    db.session.rollback()
    return forms.html_to_pdf(html)


class PrintReceiptSchema(Schema):
    device_id = fields.Integer(
        load_default=None, metadata={"description": "A printing device of the site (default: the caller)"}
    )
    counter = fields.Integer(
        load_default=None, metadata={"description": "Or: the number of the counter whose PC prints it"}
    )


@blp.route("/dossiers/<code>/print-receipt", methods=["POST"])
@blp.arguments(PrintReceiptSchema)
@blp.response(202, PrintJobSchema)
def print_receipt(data, code):
    """Print the citizen's 80 mm receipt (Mẫu 01 with Code128, QR and the tracking link) on a
    printing device of the site: the calling device, or the one staff name."""
    dossier = staff_dossier(code)
    actor = require_login()
    device = actor.device
    if actor.user is not None and data["device_id"] is not None:
        device = db.session.get(DeviceToken, data["device_id"])
    elif actor.user is not None and data["counter"] is not None:
        device = _counter_printer(dossier.intake_site_id, data["counter"])
    if device is None or device.revoked_at is not None:
        raise NotFound("unknown_device", "Name a printing device (device_id or counter) of this site.")
    job = print_operations.enqueue_receipt(
        db.session, device, dossier, forms.receipt_payload(dossier, track_url(dossier))
    )
    db.session.commit()
    return job_body(job)


def _counter_printer(site_id: int, number: int) -> DeviceToken | None:
    """The PC of a counter (its ``counter`` device token), which prints at that counter."""
    return db.session.scalar(
        select(DeviceToken)
        .join(Counter, Counter.id == DeviceToken.counter_id)
        .where(
            Counter.site_id == site_id,
            Counter.number == number,
            DeviceToken.kind == DeviceKind.COUNTER,
            DeviceToken.revoked_at.is_(None),
        )
        .order_by(DeviceToken.id.desc())
        .limit(1)
    )


@blp.route("/sites/<site_code>/tracking-book.<any(pdf, xlsx):fmt>", methods=["GET"])
@blp.response(200, description="Mẫu 06 as PDF or XLSX")
def tracking_book(site_code, fmt):
    """The tracking book (Mẫu 06) of the dossiers received between ``from`` and ``to`` (dates)."""
    site = get_site(site_code)
    require(Action.PROCESS_DOSSIER, site.id)
    try:
        first = datetime.strptime(request.args["from"], "%Y-%m-%d").date()
        last = datetime.strptime(request.args["to"], "%Y-%m-%d").date()
    except (KeyError, ValueError):
        raise ApiError("invalid_period", "Give from=YYYY-MM-DD and to=YYYY-MM-DD.") from None
    longest = MAX_BOOK_DAYS[fmt]
    if last < first or (last - first).days >= longest:
        raise ApiError(
            "invalid_period", f"The period runs forwards and covers at most {longest} days as {fmt.upper()}."
        )
    dossiers = forms.tracking_book_dossiers(db.session, site, first, last)
    name = f"so-theo-doi-{site.code}-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        body, mimetype = forms.tracking_book_xlsx(site, dossiers, first, last), XLSX_TYPE
    else:
        body, mimetype = _drawn(forms.tracking_book_html(site, dossiers, first, last)), "application/pdf"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@blp.route("/dossiers/<code>/attachments", methods=["POST"])
@blp.response(201, AttachmentSchema)
@blp.alt_response(200, schema=AttachmentSchema, description="Already stored with this client_id")
def add_attachment(code):
    """Attach a scan (multipart ``file``; optional ``client_id`` makes a retry harmless)."""
    dossier = staff_dossier(code)
    actor = require_login()
    client_id = request.form.get("client_id") or None
    if client_id is not None:
        existing = db.session.scalar(select(Attachment).where(Attachment.client_id == client_id))
        if existing is not None and existing.dossier_id == dossier.id:
            return _attachment_view(existing), 200
        if existing is not None:
            raise ApiError("client_id_taken", "This client_id belongs to another attachment.", 409)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError("missing_file", "Send the scan as the multipart field 'file'.")
    stored = current_storage().save(upload.stream)
    attachment = Attachment(
        client_id=client_id,
        filename=(upload.filename or "scan")[-255:],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        created_at=utcnow(),
        uploaded_by_id=actor.user_id,
        uploaded_by_device_id=actor.device_id,
    )
    dossier.attachments.append(attachment)
    db.session.commit()
    return _attachment_view(attachment), 201


def _attachment_view(attachment: Attachment) -> dict:
    from .presenters import attachment_view

    return attachment_view(attachment)


@blp.route("/dossiers/<code>/attachments/<int:attachment_id>", methods=["GET"])
@blp.response(200, description="The scan's bytes")
def get_attachment(code, attachment_id):
    """Download a scan (the dossier's staff only)."""
    dossier = staff_dossier(code)
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("unknown_attachment", f"Dossier {code} has no attachment {attachment_id}.")
    return send_file(
        current_storage().open(attachment.storage_key),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        etag=attachment.sha256,
    )


@blp.route("/public/dossiers/<key>", methods=["GET"])
@blp.response(200, DossierPublicSchema)
def public_dossier(key):
    """Status and dates for whoever holds the receipt's link: no personal data."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.tracking_key == key))
    if dossier is None:
        raise NotFound("unknown_dossier", "No dossier has this tracking link.")
    return dossier_public(dossier)


@blp.route("/kiosk/dossiers/<ref>", methods=["GET"])
@blp.response(200, KioskDossierSchema)
def kiosk_dossier(ref):
    """A receipt scanned at a kiosk of the dossier's centre (its code from the barcode, or the
    tracking key from the QR code): the public view, and the service to take a number for
    when the result is ready to collect."""
    device = require_device(DeviceKind.KIOSK)
    by = Dossier.code if codes.looks_like_code(ref) else Dossier.tracking_key
    dossier = db.session.scalar(select(Dossier).where(by == ref))
    if dossier is None or dossier.site_id != device.site_id:
        raise NotFound("unknown_dossier", "This centre has no dossier with that code.")
    return {**dossier_public(dossier), "return_service": return_service(dossier)}


def return_service(dossier: Dossier) -> str | None:
    """The service that hands this dossier's result back, once it is ready at the counter."""
    if dossier.status != DossierStatus.RESULT_READY or dossier.delivery != Delivery.COUNTER:
        return None
    return db.session.scalar(
        select(Service.code)
        .where(
            Service.site_id == dossier.site_id,
            Service.returns_results.is_(True),
            Service.active.is_(True),
        )
        .order_by(Service.sort_order)
        .limit(1)
    )
