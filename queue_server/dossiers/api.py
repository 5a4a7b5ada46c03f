"""HTTP API of dossiers: thin views over :mod:`.lifecycle`, :mod:`.forms` and :mod:`.storage`.

Staff of the dossier's centre see and move it; the site (centre or post office) that took it
in sees it; anyone holding the receipt sees only its public view (the tracking page, the
kiosk). Personal data never leaves through the public view.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Response, request, send_file
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import or_, select

from ..audit.reads import What, read_view, reads_of, record_read
from ..auth.access import (
    Action,
    kiosk_may_see_dossier,
    reading_site,
    require,
    require_device,
    require_dossier_step,
    require_dossier_view,
    require_login,
    require_personal_data_reads,
)
from ..auth.models import DeviceKind, DeviceToken
from ..database import db, utcnow
from ..errors import ApiError, NotFound
from ..inputs import Schema, storable
from ..printing import operations as print_operations
from ..printing.presenters import job_body
from ..printing.schemas import PrintJobSchema
from ..security import limited, search_limit
from ..sites.lookups import get_site
from ..sites.models import Counter, Service, Site
from ..sites.province import province_site_ids, same_province
from ..storage import current_storage
from ..timefmt import iso
from ..web import public_url
from . import codes, fees, forms, formsets, guidance, lifecycle, registers
from .models import Attachment, Dossier, FormSettings, Procedure
from .presenters import dossier_public, dossier_row, dossier_staff, procedure_view, track_url
from .rules import CLIENT_ID, Delivery, DossierStatus
from .schemas import (
    ActionSchema,
    AttachmentSchema,
    ContactConsentSchema,
    DossierCreateSchema,
    DossierPublicSchema,
    DossierQuerySchema,
    DossierRowSchema,
    DossierSchema,
    FeeMoveSchema,
    FormSettingsSchema,
    FormSettingsUpdateSchema,
    KioskDossierSchema,
    PersonalDataReadSchema,
    ProcedureFoundSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    ProcedureSearchQuerySchema,
    TrackingBookSchema,
)

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1", description="Procedures and dossiers")

PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
# A PDF page of the book takes a worker's CPU for a while: long periods go to the spreadsheet.
MAX_BOOK_DAYS = {"pdf": 7, "xlsx": 366}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def carrier_site_id(dossier: Dossier) -> int | None:
    """The post office carrying the dossier's result, if any (it records the delivery)."""
    carrier = lifecycle.carrier_of(db.session(), dossier)
    return carrier.id if carrier is not None else None


def staff_dossier(code: str) -> Dossier:
    require_login()
    dossier = lifecycle.get_by_code(db.session(), code)
    require_dossier_view(dossier)
    return dossier


def record_staff_read(dossier: Dossier, what: str) -> None:
    """Record and commit the read of the dossier's personal data (:mod:`queue_server.audit.reads`)."""
    record_read(db.session(), what, dossier.code, site_id=reading_site(require_login(), dossier))
    db.session.commit()


@blp.route("/procedures", methods=["GET"])
@blp.arguments(ProcedureQuerySchema(), location="query")
@blp.response(200, ProcedureSchema(many=True))
def list_procedures(query):
    """The procedures a centre may take in (public: the citizen's guidance): its province's
    whole catalogue, each with the centre that handles it (Nghị định 118/2025 Điều 14)."""
    site = get_site(db.session, query["site"])
    statement = select(Procedure).where(Procedure.active.is_(True))
    if query.get("handled_here"):
        statement = statement.where(Procedure.site_id == site.id)
    else:
        statement = statement.where(Procedure.site_id.in_(province_site_ids(site)))
    if query.get("postal") is not None:
        statement = statement.where(Procedure.postal_allowed.is_(query["postal"]))
    own_first = (Procedure.site_id != site.id, Procedure.code)
    return [procedure_view(p) for p in db.session.scalars(statement.order_by(*own_first))]


@blp.route("/procedures/search", methods=["GET"])
@blp.arguments(ProcedureSearchQuerySchema(), location="query")
@blp.response(200, ProcedureFoundSchema(many=True))
@limited(search_limit)
def search_procedures(query):
    """Search the catalogue a centre may take in by a few words, accents optional, best first
    (:mod:`.guidance`). Public, like the catalogue: the kiosk's "Tra cứu thủ tục" and anyone
    else; counted per device or address (``PROCEDURE_SEARCH_RATE_LIMIT``)."""
    site = get_site(db.session, query["site"])
    found = guidance.search_procedures(db.session, site, query["q"], query["limit"])
    return [
        {**procedure_view(p), **guidance.facts(p), "page_url": public_url(guidance.page_path(p))}
        for p in found
    ]


@blp.route("/procedures/<site_code>/<code>/print-checklist", methods=["POST"])
@blp.response(202, PrintJobSchema)
def print_checklist(site_code, code):
    """Print what to bring for a procedure (its documents, time, fee, post) on the calling
    kiosk's printer, with a QR code of its public page. Any procedure of the province."""
    device = require_device(*print_operations.PRINTING_KINDS)
    procedure = guidance.find_procedure(db.session, site_code, code)
    if procedure is None or not same_province(procedure.site, device.site):
        raise NotFound("unknown_procedure", f"No procedure {code} of {site_code} in this province.")
    job = print_operations.enqueue_checklist(
        db.session, device, guidance.checklist_payload(procedure, device.site)
    )
    db.session.commit()
    return job_body(job)


@blp.route("/dossiers", methods=["POST"])
@blp.arguments(DossierCreateSchema())
@blp.response(201, DossierSchema)
@blp.alt_response(200, schema=DossierSchema, description="Already created with this client_id")
def create_dossier(data):
    """Take in a dossier (tiếp nhận) at a centre's counter, or at a post office by its device,
    for a procedure that ``site`` handles. A centre may take in any procedure of its province
    (``intake_site``); the officer registers it with a receipt, or turns it away with
    guidance (Mẫu 02) or a refusal (Mẫu 03): ``decision``."""
    site = get_site(db.session, data.pop("site"))
    actor = require_login()
    wanted_intake = data.pop("intake_site", None)
    if actor.device is not None:
        intake_site = require_device(DeviceKind.POSTAL).site
        channel = "postal"
    else:
        intake_site = get_site(db.session, wanted_intake) if wanted_intake else site
        channel = data.pop("channel")
    require(Action.RECEIVE_DOSSIER, intake_site.id)
    procedure = lifecycle.get_procedure(db.session, site, data.pop("procedure"))
    dossier, created = lifecycle.receive(
        db.session, site, intake_site, procedure, actor, data, channel=channel
    )
    if created:
        fees.show_at_counter(db.session, dossier)
    db.session.commit()
    return dossier_staff(db.session, dossier), 201 if created else 200


@blp.route("/dossiers", methods=["GET"])
@blp.arguments(DossierQuerySchema(), location="query")
@blp.response(200, DossierRowSchema(many=True))
def list_dossiers(query):
    """A centre's dossiers, newest first, filtered: those it handles and those it received for
    another centre (``scope``); ``flag`` finds those needing attention."""
    site = get_site(db.session, query["site"])
    require(Action.PROCESS_DOSSIER, site.id)
    scope = {
        "handled": Dossier.site_id == site.id,
        "received": (Dossier.intake_site_id == site.id) & (Dossier.site_id != site.id),
        "all": or_(
            Dossier.site_id == site.id, Dossier.intake_site_id == site.id, Dossier.return_site_id == site.id
        ),
    }[query["scope"]]
    statement = select(Dossier).where(scope)
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
        statement = statement.where(
            or_(
                Dossier.code.ilike(pattern),
                Dossier.applicant_name.ilike(pattern),
                Dossier.applicant_id_number == query["q"].strip(),
                Dossier.applicant_phone.ilike(pattern),
            )
        )
    now = utcnow()
    if "flag" in query:
        # Only open dossiers can carry a flag; the working-time check runs on those.
        statement = statement.where(Dossier.status.in_(DossierStatus.OPEN)).order_by(Dossier.due_at)
        rows = (dossier_row(db.session, d, now) for d in db.session.scalars(statement))
        matching = [row for row in rows if query["flag"] in row["flags"]]
        return _searched(site, query, matching[query["offset"] : query["offset"] + query["limit"]])
    statement = statement.order_by(Dossier.received_at.desc(), Dossier.id.desc())
    statement = statement.offset(query["offset"]).limit(query["limit"])
    return _searched(site, query, [dossier_row(db.session, d, now) for d in db.session.scalars(statement)])


def _searched(site: Site, query: dict, rows: list[dict]) -> list[dict]:
    """A search (``q``: a name, an ID number, a phone) finds people, not only dossiers: what it
    found is recorded as a read (the words searched for are not). A list without ``q`` shows
    the names a centre works with all day and is not recorded: the entries would bury the
    reads that matter."""
    if "q" in query and rows:
        record_read(db.session(), What.SEARCH, [row["code"] for row in rows], site_id=site.id)
        db.session.commit()
    return rows


def _local_midnight(site: Site, day) -> datetime:
    return datetime.combine(day, time(0), site.tz)


@blp.route("/dossiers/<code>", methods=["GET"])
@blp.response(200, DossierSchema)
def get_dossier(code):
    """A dossier with its applicant, history (Mẫu 05), attachments and flags (staff only).
    Each call is recorded as a read of the applicant's personal data."""
    dossier = staff_dossier(code)
    record_staff_read(dossier, What.DETAIL)
    return dossier_staff(db.session, dossier)


@blp.route("/dossiers/<code>/contact-consent", methods=["PUT"])
@blp.arguments(ContactConsentSchema())
@blp.response(200, DossierSchema)
def put_contact_consent(data, code):
    """The applicant gives or withdraws their consent to be contacted about the dossier by
    phone, SMS or Zalo (``via``: how they said so). Staff of the dossier's centres."""
    dossier = lifecycle.get_by_code(db.session, code)
    actor = require_dossier_step("contact_consent", dossier)
    lifecycle.set_contact_consent(db.session, dossier, actor, data["contact_consent"], data["via"])
    db.session.commit()
    return dossier_staff(db.session, dossier)


@blp.route("/dossiers/<code>/personal-data-reads", methods=["GET"])
@blp.response(200, PersonalDataReadSchema(many=True))
def personal_data_reads(code):
    """Who read the dossier's personal data, newest first (the last 200): its supervisors and
    admins."""
    dossier = lifecycle.get_by_code(db.session, code)
    require_personal_data_reads(dossier)
    return [read_view(entry) for entry in reads_of(db.session, [dossier.code], limit=200)]


@blp.route("/dossiers/<code>/actions/<action>", methods=["POST"])
@blp.arguments(ActionSchema())
@blp.response(200, DossierSchema)
def take_action(data, code, action):
    """Move the dossier on: request_supplement (items, reason; once), resubmit, refuse (reason,
    rules_reference), stop (requested_via, requested_at, reason: the citizen's request, until
    a result exists), transfer (agency), start_processing, apologise (reason, new_due_at,
    signed_by, notified_by; once), result_ready, return (method, recipient_name, proxy,
    authorisation), deliver / undeliver (by post, recorded by the post office)."""
    if action not in lifecycle.ACTIONS:
        raise NotFound("unknown_action", f"Unknown action {action!r}.")
    dossier = lifecycle.get_by_code(db.session, code)
    carrier = carrier_site_id(dossier) if action in ("deliver", "undeliver") else None
    actor = require_dossier_step(action, dossier, carrier)
    lifecycle.apply(db.session, dossier, action, actor, data)
    db.session.commit()
    return dossier_staff(db.session, dossier)


@blp.route("/dossiers/<code>/fee/<move>", methods=["POST"])
@blp.arguments(FeeMoveSchema())
@blp.response(200, DossierSchema)
def move_fee(data, code, move):
    """The fee's payment record: confirm (method, receipt_number, paid_at: the citizen paid),
    change (amount, reason), waive (reason), refund (reason, receipt_number). Staff of the
    receiving or returning centre."""
    if move not in fees.MOVES:
        raise NotFound("unknown_move", f"Unknown fee move {move!r}.")
    dossier = lifecycle.get_by_code(db.session, code)
    actor = require_dossier_step("fee", dossier)
    fees.move(db.session, dossier, move, actor, data)
    db.session.commit()
    return dossier_staff(db.session, dossier)


@blp.route("/dossiers/<code>/forms/<form>.pdf", methods=["GET"])
@blp.response(200, description="The form as a PDF", content_type="application/pdf")
def form_pdf(code, form):
    """A form of the dossier, in the set it was received under: by its number in that set
    (``01``..``06`` of Thông tư 01/2018, ``01``..``07`` of Thông tư 03/2025) or its kind
    (``receipt``, ``supplement_request``, ``refusal``, ``apology``, ``stop_notice``,
    ``control_sheet``). The dossier's ``forms`` list what can be printed now."""
    dossier = staff_dossier(code)
    chosen = forms.resolve(dossier, form)
    record_staff_read(dossier, What.form(chosen.form.number))
    extra = {"track_url": track_url(dossier)} if chosen.form.kind == "receipt" else {}
    html = forms.render_html(form, dossier, **extra)
    disposition = f'inline; filename="{chosen.filename}.pdf"'
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
@blp.arguments(PrintReceiptSchema())
@blp.response(202, PrintJobSchema)
def print_receipt(data, code):
    """Print the citizen's 80 mm receipt (Mẫu 01 with Code128, QR and the tracking link) on a
    printing device of the site: the calling device, or the one staff name."""
    dossier = staff_dossier(code)
    actor = require_login()
    record_read(db.session, What.RECEIPT_PRINT, dossier.code, site_id=reading_site(actor, dossier))
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
@blp.response(200, description="The tracking book as PDF or XLSX")
def tracking_book(site_code, fmt):
    """The site's tracking book (Mẫu 06 of Thông tư 01/2018, Mẫu 07 of Thông tư 03/2025, by the
    period's last day): the dossiers it registered between ``from`` and ``to`` (dates), each
    under its own entry number."""
    site = get_site(db.session, site_code)
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
    name = f"{forms.tracking_book_filename(site, first, last)}.{fmt}"
    if dossiers:
        record_read(
            db.session, What.tracking_book(first, last, fmt), [d.code for d in dossiers], site_id=site.id
        )
        db.session.commit()
    if fmt == "xlsx":
        body, mimetype = forms.tracking_book_xlsx(site, dossiers, first, last), XLSX_TYPE
    else:
        html = forms.tracking_book_html(db.session, site, dossiers, first, last)
        body, mimetype = _drawn(html), "application/pdf"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@blp.route("/sites/<site_code>/tracking-books", methods=["GET"])
@blp.response(200, TrackingBookSchema(many=True))
def list_tracking_books(site_code):
    """The volumes of the site's tracking book, newest first."""
    site = get_site(db.session, site_code)
    require(Action.PROCESS_DOSSIER, site.id)
    return [{**book, "opened_at": iso(book["opened_at"])} for book in registers.volumes(db.session, site)]


@blp.route("/sites/<site_code>/tracking-books", methods=["POST"])
@blp.response(201, TrackingBookSchema)
def open_tracking_book(site_code):
    """Open a new volume of this year's book (the current one is full): its entries continue the
    year's numbering (Thông tư 01/2018). Supervisors."""
    site = get_site(db.session, site_code)
    actor = require(Action.SUPERVISE, site.id)
    book = registers.open_book(db.session, site, utcnow(), lifecycle.actor_name(actor))
    db.session.commit()
    view = registers.book_view(book)
    return {**view, "opened_at": iso(view["opened_at"])}, 201


def form_settings_view(site: Site, form_set: str) -> dict:
    chosen = formsets.get_set(form_set)
    settings = forms.settings_of(db.session(), site, chosen)
    return {
        "site": site.code,
        "form_set": chosen.code,
        "form_set_name": chosen.name,
        "governing_body": settings.governing_body,
        "centre_name": settings.centre_name,
        "place_name": settings.place_name,
        "symbols": {**chosen.symbols, **(settings.symbols or {})},
        "forms": [
            {"kind": form.kind, "number": form.number, "title": form.title, "assumed": form.assumed}
            for form in chosen.forms
        ],
    }


@blp.route("/sites/<site_code>/form-settings/<path:form_set>", methods=["GET"])
@blp.response(200, FormSettingsSchema)
def get_form_settings(site_code, form_set):
    """What the centre writes on one form set's forms (staff of the site)."""
    site = get_site(db.session, site_code)
    require(Action.PROCESS_DOSSIER, site.id)
    return form_settings_view(site, form_set)


@blp.route("/sites/<site_code>/form-settings/<path:form_set>", methods=["PUT"])
@blp.arguments(FormSettingsUpdateSchema())
@blp.response(200, FormSettingsSchema)
def put_form_settings(data, site_code, form_set):
    """Change the heading lines, the place on the date line and the symbols after a notice's
    number (``Số: 12/PTCTN``) of one form set. Supervisors of the site."""
    site = get_site(db.session, site_code)
    require(Action.SUPERVISE, site.id)
    chosen = formsets.get_set(form_set)
    unknown = set(data.get("symbols") or {}) - set(formsets.FormKind.NUMBERED)
    if unknown:
        raise ApiError(
            "invalid_symbols", f"Only numbered notices have symbols, not {', '.join(sorted(unknown))}."
        )
    settings = db.session.scalar(
        select(FormSettings).where(FormSettings.site_id == site.id, FormSettings.form_set == chosen.code)
    )
    if settings is None:
        settings = FormSettings(site_id=site.id, form_set=chosen.code, symbols={})
        db.session.add(settings)
    for key in ("governing_body", "centre_name", "place_name"):
        if key in data:
            setattr(settings, key, (data[key] or "").strip() or None)
    if "symbols" in data:
        settings.symbols = {
            kind: symbol.strip() for kind, symbol in data["symbols"].items() if symbol.strip()
        }
    db.session.commit()
    return form_settings_view(site, chosen.code)


@blp.route("/dossiers/<code>/attachments", methods=["POST"])
@blp.response(201, AttachmentSchema)
@blp.alt_response(200, schema=AttachmentSchema, description="Already stored with this client_id")
def add_attachment(code):
    """Attach a scan (multipart ``file``; optional ``client_id`` makes a retry harmless)."""
    dossier = staff_dossier(code)
    actor = require_login()
    client_id = request.form.get("client_id") or None
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise ApiError("invalid_client_id", "client_id must be 8 to 40 letters, digits, - or _.")
    if client_id is not None:
        existing = db.session.scalar(select(Attachment).where(Attachment.client_id == client_id))
        if existing is not None and existing.dossier_id == dossier.id:
            return _attachment_view(existing), 200
        if existing is not None:
            raise ApiError("client_id_taken", "This client_id belongs to another attachment.", 409)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError("missing_file", "Send the scan as the multipart field 'file'.")
    if not storable(upload.filename or ""):
        raise ApiError("invalid_filename", "The file's name holds a character that cannot be stored.")
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
    """Download a scan (the dossier's staff only); each download is recorded as a read. A scan
    removed at the end of its retention is gone (410)."""
    dossier = staff_dossier(code)
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("unknown_attachment", f"Dossier {code} has no attachment {attachment_id}.")
    if attachment.purged_at is not None:
        raise ApiError("scan_removed", "This scan was removed at the end of its retention period.", 410)
    record_staff_read(dossier, What.scan(attachment.id))
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
    return dossier_public(lifecycle.get_by_tracking_key(db.session, key))


@blp.route("/kiosk/dossiers/<ref>", methods=["GET"])
@blp.response(200, KioskDossierSchema)
def kiosk_dossier(ref):
    """A receipt scanned at a kiosk of the dossier's centre (its code from the barcode, or the
    tracking key from the QR code): the public view, and the service to take a number for
    when the result is ready to collect."""
    device = require_device(DeviceKind.KIOSK)
    by = Dossier.code if codes.looks_like_code(ref) else Dossier.tracking_key
    dossier = db.session.scalar(select(Dossier).where(by == ref))
    if dossier is None or not kiosk_may_see_dossier(device, dossier):
        raise NotFound("unknown_dossier", "This centre has no dossier with that code.")
    return {**dossier_public(dossier), "return_service": return_service(dossier, device.site_id)}


def return_service(dossier: Dossier, site_id: int) -> str | None:
    """The service of ``site_id`` that hands this dossier's result back, once it is ready at
    that centre's counter."""
    if dossier.delivery != Delivery.COUNTER or (dossier.return_site_id or dossier.site_id) != site_id:
        return None
    if not lifecycle.result_at_return_site(dossier):
        return None
    return db.session.scalar(
        select(Service.code)
        .where(
            Service.site_id == site_id,
            Service.returns_results.is_(True),
            Service.active.is_(True),
        )
        .order_by(Service.sort_order)
        .limit(1)
    )
