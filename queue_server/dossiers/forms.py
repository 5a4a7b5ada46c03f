"""The printable legal forms of a dossier, in the set it was received under (:mod:`.formsets`).

Each form is a Jinja template rendered to HTML and then to PDF by WeasyPrint; this module only
gathers what each form says from the dossier, its events and the issuing centre's form settings,
so a form's layout is changed in its template alone. Templates are looked up per set and kind:
``FORM_TEMPLATES_DIR/<set>/<kind>.html`` (a centre's own), then the built-in
``<set>/<kind>.html``, then the shared ``<kind>.html``. They are loaded by this module's own
Jinja environment rather than Flask's: the forms are needed outside a request (CLI, workers).

Every date and time is shown in the site's local time, as the citizen was told at the counter.
The tracking book is also written as XLSX, the format agencies file their reports in.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from hardware.layouts import ReceiptPrint

from ..errors import ApiError, Conflict
from ..sites.models import Site
from ..spreadsheets import write
from ..svgcodes import code128_svg, qr_svg
from . import fees, formsets, labels, registers
from .formsets import NEEDS, Form, FormKind, FormSet
from .models import Dossier, DossierEvent, FormSettings, Procedure
from .policy import Policy, SupplementRule
from .rules import Delivery, DossierStatus, FeeStatus, IntakeDecision, Outcome

# The two copies of the receipt: the centre files one, the applicant takes the other.
RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")


# -- formatting ---------------------------------------------------------------------------------


def local_time(value: datetime, site: Site) -> datetime:
    """An instant in the site's local time (stored times are UTC)."""
    return value.astimezone(site.tz)


def long_datetime(value: datetime | None) -> str:
    """``09 giờ 32 phút, ngày 27/10/2023``, the wording of the forms; dots when unknown."""
    if value is None:
        return "…………"
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"


def short_datetime(value: datetime | None) -> str:
    """``09:32 27/10/2023`` for the narrow columns of the tracking book."""
    return "" if value is None else f"{value:%H:%M %d/%m/%Y}"


def book_cell(value) -> str:
    """A tracking-book cell as printed: times short, nothing for what has not happened yet."""
    if isinstance(value, datetime):
        return short_datetime(value)
    return "" if value is None else str(value)


def long_date(value: date) -> str:
    """``ngày 27 tháng 10 năm 2023``, the date line under the national heading."""
    return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def return_place(dossier: Dossier) -> str:
    """Where the applicant collects the result, shared by Mẫu 01 and the thermal receipt."""
    if dossier.delivery == Delivery.POST:
        return f"{labels.DELIVERY[Delivery.POST]}: {dossier.delivery_address or ''}".strip()
    if dossier.delivery == Delivery.ONLINE:
        return f"{labels.DELIVERY[Delivery.ONLINE]} (kết quả điện tử)"
    place = dossier.return_site or dossier.site
    return f"{labels.DELIVERY[Delivery.COUNTER]}, {place.name}"


def fee_text(dossier: Dossier) -> str:
    """The fee and what became of it, e.g. ``75.000 đồng (tiền mặt)`` or ``75.000 đồng (đã
    hoàn trả)``."""
    return labels.fee_line(dossier.fee, dossier.fee_payment, dossier.fee_status)


# -- the issuing centre's words -----------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """The top-left block and the date line: the governing body, the issuing centre or agency,
    the place."""

    governing_body: str | None
    issuer: str
    place_name: str | None


def settings_of(session: Session, site: Site, form_set: FormSet) -> FormSettings:
    """The centre's words for ``form_set``, or the defaults: no governing body line, the
    centre's own name, the province as the place, the set's symbols."""
    saved = session.scalar(
        select(FormSettings).where(FormSettings.site_id == site.id, FormSettings.form_set == form_set.code)
    )
    return saved or FormSettings(
        site_id=site.id, form_set=form_set.code, place_name=site.province, symbols={}
    )


def heading(session: Session, site: Site, form_set: FormSet, issuer: str | None = None) -> Heading:
    settings = settings_of(session, site, form_set)
    return Heading(
        governing_body=settings.governing_body,
        issuer=issuer or settings.centre_name or site.name,
        place_name=settings.place_name,
    )


def reference(session: Session, site: Site, form_set: FormSet, kind: str, number: int | None) -> str | None:
    """``12/PTCTN``: the notice's number in the issuing centre's register and its symbol."""
    if number is None:
        return None
    symbol = settings_of(session, site, form_set).symbols.get(kind) or form_set.symbols.get(kind)
    return f"{number}/{symbol}" if symbol else str(number)


# -- what each form says ------------------------------------------------------------------------


def _find_event(dossier: Dossier, kind: str) -> DossierEvent | None:
    """The latest event whose content form ``kind`` prints (for an intake that was turned away,
    the guidance or the refusal it recorded)."""
    wanted = NEEDS[kind]
    decision = IntakeDecision.INCOMPLETE if kind == FormKind.SUPPLEMENT_REQUEST else IntakeDecision.REFUSE
    for event in reversed(dossier.events):
        if event.action in wanted and (event.action != "turn_away" or event.data.get("decision") == decision):
            return event
    return None


def _event(dossier: Dossier, form: Form) -> DossierEvent:
    event = _find_event(dossier, form.kind)
    if event is None:
        raise Conflict(
            "form_not_applicable",
            f"{form.label} needs a '{NEEDS[form.kind][0]}' event; dossier {dossier.code} has none.",
        )
    return event


def _issuing_site(session: Session, dossier: Dossier, event: DossierEvent | None) -> Site:
    code = (event.data or {}).get("issuer") if event is not None else None
    if code:
        site = session.scalar(select(Site).where(Site.code == code))
        if site is not None:
            return site
    return dossier.receiving_site


def _common(dossier: Dossier) -> dict:
    """What every form shows; a form dated by an event overrides ``issued_on``."""
    site = dossier.receiving_site
    received_at = local_time(dossier.received_at, site)
    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "receiving_site": site,
        "issued_on": received_at.date(),
        "received_at": received_at,
        "due_at": local_time(dossier.due_at, site) if dossier.due_at else None,
    }


def _resubmission(dossier: Dossier) -> DossierEvent | None:
    return next((e for e in reversed(dossier.events) if e.action == "resubmit"), None)


def _receipt(session: Session, dossier: Dossier, event, track_url: str) -> dict:
    if not dossier.registered:
        raise Conflict(
            "form_not_applicable",
            f"Dossier {dossier.code} was not taken in: it has no receipt (see its Mẫu 02 or 03).",
        )
    site = dossier.receiving_site
    payment = fees.transfer(dossier)
    resubmitted = _resubmission(dossier)
    restarted = resubmitted is not None and resubmitted.data.get("rule") == SupplementRule.RESTART
    return {
        "copies": RECEIPT_COPIES,
        "intake_site": dossier.intake_site if dossier.intake_site_id != site.id else None,
        "handling_site": dossier.site if dossier.site_id != site.id else None,
        "processing_time": labels.processing_time(
            dossier.procedure.processing_amount, dossier.procedure.processing_unit
        ),
        "counted_from": local_time(dossier.counted_from, site) if dossier.counted_from else None,
        "completed_at": local_time(resubmitted.at, site) if resubmitted is not None and restarted else None,
        "return_place": return_place(dossier),
        "fee": fee_text(dossier),
        "volume": dossier.book_volume,
        "entry": registers.entry_label(dossier.book_entry),
        "barcode": code128_svg(dossier.code),
        "qr": qr_svg(track_url),
        "transfer": payment,
        # Paid before processing (fees.py): the receipt says so, and that the date moves with the wait.
        "pay_first": dossier.awaiting_payment,
        "pay_first_moves_due": dossier.awaiting_payment and Policy.current().payment_pauses_clock,
        "transfer_qr": qr_svg(payment.payload, "vietqr") if payment else None,
    }


def _supplement_request(session: Session, dossier: Dossier, event: DossierEvent) -> dict:
    return {
        "items": event.data.get("items", []),
        "reason": event.data.get("reason", ""),
        "officer": event.actor_name or "",
        "at_intake": event.action == "turn_away",
        "restarts": event.data.get("rule", SupplementRule.RESTART) == SupplementRule.RESTART,
    }


def _refusal(session: Session, dossier: Dossier, event: DossierEvent) -> dict:
    refunded = event.data.get("fee_status") in (FeeStatus.REFUNDED, FeeStatus.NOT_COLLECTED)
    return {
        "reason": event.data.get("reason", ""),
        "rules_reference": event.data.get("rules_reference") or "",
        "officer": event.actor_name or "",
        "fee_line": f"Phí, lệ phí: {fee_text(dossier)}." if refunded and dossier.fee else "",
    }


def _apology(session: Session, dossier: Dossier, event: DossierEvent) -> dict:
    site = dossier.site
    return {
        "reason": event.data.get("reason", ""),
        "signed_by": event.data.get("signed_by") or "",
        "new_due_at": local_time(dossier.apology_due_at, site) if dossier.apology_due_at else None,
        "due_at": local_time(datetime.fromisoformat(event.data["previous_due_at"]), site)
        if event.data.get("previous_due_at")
        else local_time(dossier.registered_due_at, site),
        "notified_by": ", ".join(
            labels.lower_first(labels.NOTICE_CHANNEL[way]) for way in event.data.get("notified_by") or []
        ),
    }


def _stop_notice(session: Session, dossier: Dossier, event: DossierEvent) -> dict:
    site = dossier.receiving_site
    return {
        "requested_on": date.fromisoformat(event.data["requested_on"]),
        "requested_via": labels.REQUEST_CHANNEL.get(event.data.get("requested_via", ""), ""),
        "reason": event.data.get("reason") or "",
        "state_before": labels.STATUS.get(event.data.get("from_status", ""), ""),
        "stopped_at": local_time(event.at, site),
        "fee_line": fee_text(dossier),
        "officer": event.actor_name or "",
    }


def _control_sheet(session: Session, dossier: Dossier, event) -> dict:
    if not dossier.registered:
        raise Conflict("form_not_applicable", f"Dossier {dossier.code} was not taken in: no control sheet.")
    site = dossier.receiving_site
    lead = dossier.procedure.department.name
    handovers = [
        {
            # At intake the applicant hands the dossier over.
            "from_party": event.from_party or (dossier.applicant_name if event.action == "receive" else ""),
            "at": local_time(event.at, site),
            "to_party": event.to_party,
            "outcome": labels.OUTCOME.get(event.data.get("outcome", ""), "")
            if event.data.get("outcome") in Outcome.TIMELINESS
            else "",
            "note": _handover_note(event),
        }
        for event in dossier.events
        if event.to_party
    ]
    # Agencies the dossier was sent to besides the lead one (cơ quan phối hợp).
    cooperating = list(
        dict.fromkeys(e.to_party for e in dossier.events if e.action == "transfer" and e.to_party != lead)
    )
    apology = next((e for e in reversed(dossier.events) if e.action == "apologise"), None)
    stop = next((e for e in reversed(dossier.events) if e.action == "stop"), None)
    resubmitted = _resubmission(dossier)
    return {
        "lead_agency": lead,
        "cooperating": cooperating,
        "handovers": handovers,
        "restarted_at": local_time(resubmitted.at, site)
        if resubmitted is not None and resubmitted.data.get("rule") == SupplementRule.RESTART
        else None,
        "apology": {
            "at": local_time(apology.at, site),
            "issuer": _issuing_site(session, dossier, apology).name,
            "new_due_at": local_time(dossier.apology_due_at, site) if dossier.apology_due_at else None,
            "late": bool(apology.data.get("late_notice")),
            "deadline": local_time(datetime.fromisoformat(apology.data["deadline"]), site)
            if apology.data.get("deadline")
            else None,
        }
        if apology is not None
        else None,
        "stopped_at": local_time(stop.at, site) if stop is not None else None,
    }


def _handover_note(event: DossierEvent) -> str:
    note = event.note or ""
    if event.action == "transfer" and event.data.get("in_time") is False:
        note = "; ".join(part for part in (note, "Chuyển sau thời hạn chuyển hồ sơ") if part)
    return note


# A form's own fields: (session, dossier, event, **extra) -> the template's context.
CONTEXT: dict[str, Callable[..., dict]] = {
    FormKind.RECEIPT: _receipt,
    FormKind.SUPPLEMENT_REQUEST: _supplement_request,
    FormKind.REFUSAL: _refusal,
    FormKind.APOLOGY: _apology,
    FormKind.STOP_NOTICE: _stop_notice,
    FormKind.CONTROL_SHEET: _control_sheet,
}
assert set(CONTEXT) == set(FormKind.DOSSIER)


# -- the forms of a dossier ---------------------------------------------------------------------


@dataclass(frozen=True)
class DossierForm:
    """A form as a person sees it in a list: which set, number and title, its file name."""

    form_set: FormSet
    form: Form
    filename: str

    def view(self) -> dict:
        return {
            "kind": self.form.kind,
            "number": self.form.number,
            "title": self.form.title,
            "label": self.form.label,
            "form_set": self.form_set.code,
            "form_set_name": self.form_set.name,
            "filename": f"{self.filename}.pdf",
        }


def _acted_on(dossier: Dossier, kind: str) -> date | None:
    """The day of the act a form records, for a kind the dossier's own set lacks."""
    actions = NEEDS.get(kind, ())
    event = next((e for e in reversed(dossier.events) if e.action in actions), None)
    return local_time(event.at, dossier.receiving_site).date() if event else None


def resolve(dossier: Dossier, name: str) -> DossierForm:
    """The dossier's form ``name`` (a number in its set, or a kind)."""
    form_set, form = formsets.form_for(dossier.form_set, name, _acted_on(dossier, name))
    return DossierForm(form_set, form, form.filename(dossier.code))


def available(dossier: Dossier) -> list[DossierForm]:
    """The forms that can be printed for the dossier now, in their set's order: the receipt and
    the control sheet of a registered dossier, and each notice whose event happened."""
    found = [
        resolve(dossier, kind)
        for kind in FormKind.DOSSIER
        if (dossier.registered if kind not in NEEDS else _find_event(dossier, kind) is not None)
    ]
    return sorted(found, key=lambda f: (f.form_set.code != dossier.form_set, f.form.number))


# -- rendering ----------------------------------------------------------------------------------

BUILT_IN = Path(__file__).parent / "templates" / "forms"


@cache
def _environment(override: Path | None) -> Environment:
    """One Jinja environment per template folder a centre may have (its own before ours)."""
    loaders = [FileSystemLoader(str(override))] if override is not None else []
    environment = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(BUILT_IN))]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        long_datetime=long_datetime, long_date=long_date, book_cell=book_cell, money=labels.money
    )
    return environment


def _templates() -> Environment:
    folder = current_app.config.get("FORM_TEMPLATES_DIR") if has_app_context() else None
    return _environment(Path(folder) if folder and Path(folder).is_dir() else None)


def _html(form_set: FormSet, form: Form, context: dict) -> str:
    """Every form page repeats the heading; ``copies`` lists the copies printed (one page each,
    a label on each), a single unlabelled one unless the form says otherwise."""
    context = {"copies": (None,), "reference": None, **context}
    template = _templates().select_template([f"{form_set.folder}/{form.kind}.html", f"{form.kind}.html"])
    return template.render(form=form, form_set=form_set, page_size=form.page_size, **context)


# WeasyPrint reports each layout step at INFO: noise in a server's log.
logging.getLogger("weasyprint").setLevel(logging.WARNING)


def html_to_pdf(html: str) -> bytes:
    """Draw a form's HTML as PDF. A server calls it outside any database transaction.

    Drawing takes up to a second of CPU, and the first drawing in a process also loads
    WeasyPrint, which looks for its libraries by running ``ldconfig``: a gevent worker serves
    other requests meanwhile. A transaction held across it would keep a PostgreSQL connection
    from the pool that long, and on SQLite the write lock every transaction takes
    (``database.begin_immediate``): every other writer would wait for the drawing.
    """
    # Imported here: WeasyPrint takes about a second to import, which processes that never
    # print a form (the CLI, the live-update workers) should not pay.
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango is missing: scripts/system-deps.sh installs it
        raise ApiError(
            "pdf_unavailable", f"This server cannot draw PDFs ({error}); install libpango.", 503
        ) from None
    return HTML(string=html).write_pdf()


def render_html(name: str, dossier: Dossier, **extra) -> str:
    """The dossier's form ``name`` (a number in its set, e.g. "05", or a kind, e.g.
    "stop_notice") as HTML, in the set the dossier was received under.

    The receipt needs ``track_url`` (the public tracking link, printed as a QR code); the others
    take no extras. Notices print their latest event and raise a 409 when the dossier has none.
    """
    session = object_session(dossier)
    assert session is not None  # a dossier read from the database
    chosen = resolve(dossier, name)
    form_set, form = chosen.form_set, chosen.form
    event = _event(dossier, form) if form.kind in NEEDS else None
    issuer_site = _issuing_site(session, dossier, event)
    context = {**_common(dossier), **CONTEXT[form.kind](session, dossier, event, **extra)}
    if event is not None:
        context["issued_on"] = local_time(event.at, issuer_site).date()
    issuer = dossier.procedure.department.name if form.kind == FormKind.APOLOGY else None
    context["heading"] = heading(session, issuer_site, form_set, issuer)
    context["issuer"] = context["heading"].issuer
    number = (event.data or {}).get("number") if event is not None else None
    context["reference"] = reference(session, issuer_site, form_set, form.kind, number)
    return _html(form_set, form, context)


def render_pdf(name: str, dossier: Dossier, **extra) -> bytes:
    """The dossier's form ``name`` as PDF (see :func:`render_html`)."""
    return html_to_pdf(render_html(name, dossier, **extra))


# -- the tracking book --------------------------------------------------------------------------

# (key, header, XLSX column width in characters, PDF column width in per cent)
BOOK_COLUMNS = (
    ("no", "STT", 6, 3),
    ("code", "Mã hồ sơ", 26, 13),
    ("procedure", "Tên thủ tục hành chính", 36, 11),
    ("sets", "Số lượng hồ sơ (bộ)", 9, 4),
    ("applicant", "Tên cá nhân, tổ chức", 24, 8),
    ("contact", "Địa chỉ, số điện thoại", 32, 8),
    ("lead_agency", "Cơ quan chủ trì giải quyết", 24, 7),
    ("received_at", "Ngày, giờ nhận hồ sơ", 17, 6),
    ("due_at", "Ngày, giờ hẹn trả kết quả", 17, 6),
    ("transferred_at", "Chuyển hồ sơ đến cơ quan giải quyết", 17, 6),
    ("finished_at", "Nhận kết quả từ cơ quan giải quyết", 17, 6),
    ("returned_at", "Trả kết quả cho cá nhân, tổ chức", 17, 6),
    ("return_method", "Hình thức trả", 14, 5),
    ("signature", "Ký nhận", 14, 5),
    ("notes", "Ghi chú", 24, 6),
)
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def tracking_book_dossiers(session: Session, site: Site, period_from: date, period_to: date) -> list[Dossier]:
    """The dossiers entered in the site's book that were received between the two local dates
    (inclusive), in the book's order, with what the book reads loaded up front (one query per
    relationship, not per dossier)."""
    start = datetime.combine(period_from, time.min, site.tz)
    end = datetime.combine(period_to + timedelta(days=1), time.min, site.tz)
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.book_site_id == site.id, Dossier.received_at >= start, Dossier.received_at < end)
            .order_by(Dossier.book_year, Dossier.book_entry)
            .options(
                selectinload(Dossier.procedure).selectinload(Procedure.department),
                selectinload(Dossier.events),
            )
        )
    )


def _book_notes(dossier: Dossier, site: Site) -> str:
    notes = []
    if dossier.outcome == Outcome.REFUSED:
        notes.append("Từ chối giải quyết")
    if dossier.status == DossierStatus.STOPPED or dossier.outcome == Outcome.STOPPED:
        notes.append("Dừng giải quyết theo yêu cầu")
    if dossier.apology_due_at is not None:
        notes.append(f"Xin lỗi, hẹn lại {short_datetime(local_time(dossier.apology_due_at, site))}")
    if dossier.site_id != site.id:
        notes.append(f"Giải quyết tại {dossier.site.name}")
    if dossier.note:
        notes.append(dossier.note)
    return "; ".join(notes)


def book_rows(site: Site, dossiers: Iterable[Dossier]) -> list[dict]:
    """One row per dossier, numbered by its own entry in the book, times local and aware."""

    def local(value: datetime | None) -> datetime | None:
        return None if value is None else local_time(value, site)

    rows = []
    for dossier in sorted(dossiers, key=lambda d: (d.book_year or 0, d.book_entry or 0, d.id)):
        transfer = next((e for e in dossier.events if e.action == "transfer"), None)
        contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
        rows.append(
            {
                "no": registers.entry_label(dossier.book_entry),
                "code": dossier.code,
                "procedure": dossier.procedure.name,
                "sets": dossier.sets,
                "applicant": dossier.applicant_name,
                "contact": contact,
                "lead_agency": dossier.procedure.department.name,
                "received_at": local(dossier.received_at),
                "due_at": local(dossier.promised_at),
                "transferred_at": local(transfer.at if transfer else None),
                "finished_at": local(dossier.finished_at),
                "returned_at": local(dossier.returned_at),
                "return_method": labels.DELIVERY.get(
                    dossier.return_method or "", dossier.return_method or ""
                ),
                "signature": "",
                "notes": _book_notes(dossier, site),
            }
        )
    return rows


def _book_form(period_to: date) -> tuple[FormSet, Form]:
    """The book printed for a period is that of the set in force on its last day."""
    form_set = formsets.in_force(period_to)
    form = form_set.get(FormKind.TRACKING_BOOK)
    assert form is not None  # every set has its tracking book (formsets)
    return form_set, form


def _period(dossiers: list[Dossier], period_from: date, period_to: date) -> str:
    volumes = sorted({(d.book_year, d.book_volume) for d in dossiers if d.book_volume})
    books = ", ".join(f"quyển số {volume}/{year}" for year, volume in volumes)
    period = f"Từ ngày {period_from:%d/%m/%Y} đến ngày {period_to:%d/%m/%Y}"
    return f"{period} ({books})" if books else period


def tracking_book_html(
    session: Session, site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date
) -> str:
    dossiers = list(dossiers)
    form_set, form = _book_form(period_to)
    return _html(
        form_set,
        form,
        {
            "heading": heading(session, site, form_set),
            "issued_on": period_to,
            "period": _period(dossiers, period_from, period_to),
            "columns": BOOK_COLUMNS,
            "rows": book_rows(site, dossiers),
        },
    )


def render_tracking_book_pdf(
    session: Session, site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date
) -> bytes:
    """The tracking book of the dossiers as an A4 landscape PDF."""
    return html_to_pdf(tracking_book_html(session, site, dossiers, period_from, period_to))


def tracking_book_filename(site: Site, period_from: date, period_to: date) -> str:
    _, form = _book_form(period_to)
    return (
        f"{site.code}-mau-{form.number}-{formsets.slug(form.title)}-{period_from:%Y%m%d}-{period_to:%Y%m%d}"
    )


def tracking_book_xlsx(site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date) -> bytes:
    """The tracking book as a spreadsheet: the same columns as the PDF, times as real
    date-time cells in local time (Excel has no time zones), the header kept in view, what
    citizens and officers typed as text, never as formulas (:mod:`queue_server.spreadsheets`)."""
    dossiers = list(dossiers)
    form_set, form = _book_form(period_to)
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one empty worksheet
    sheet.title = form.title
    last = get_column_letter(len(BOOK_COLUMNS))
    write(sheet, 1, 1, f"{form.title.upper()} (Mẫu {form.number}, {form_set.name})")
    sheet["A1"].font = Font(bold=True, size=14)
    write(sheet, 2, 1, f"{site.name}. {_period(dossiers, period_from, period_to)}")
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    for ref in ("A1", "A2"):
        sheet[ref].alignment = Alignment(horizontal="center")

    header_row = 4
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, (_, header, width, _) in enumerate(BOOK_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[header_row].height = 45

    for offset, row in enumerate(book_rows(site, dossiers), start=1):
        for index, (key, *_) in enumerate(BOOK_COLUMNS, start=1):
            value = row[key]
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            cell = write(sheet, header_row + offset, index, value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT

    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# -- the thermal receipt ------------------------------------------------------------------------


def receipt_payload(dossier: Dossier, track_url: str) -> dict:
    """The print-job payload of the 80 mm receipt: the fields of ``hardware.layouts.ReceiptPrint``,
    worded as on Mẫu 01 so the two copies the citizen may hold never disagree."""
    if not dossier.registered:
        raise Conflict("form_not_applicable", f"Dossier {dossier.code} was not taken in: it has no receipt.")
    site = dossier.receiving_site
    return asdict(
        ReceiptPrint(
            centre=site.name,
            dossier_code=dossier.code,
            applicant=dossier.applicant_name,
            procedure=dossier.procedure.name,
            received_at=long_datetime(local_time(dossier.received_at, site)),
            due_at=long_datetime(local_time(dossier.registered_due_at, site)),
            return_by=return_place(dossier),
            fee=fee_text(dossier),
            track_url=track_url,
            officer=dossier.received_by_name or "",
            **_transfer_print(fees.transfer(dossier)),
        )
    )


def _transfer_print(payment: fees.Transfer | None) -> dict:
    """The thermal receipt's lines of a fee paid by transfer, worded as on Mẫu 01."""
    if payment is None:
        return {}
    account = " – ".join(part for part in (payment.account_number, payment.account_name) if part)
    lines = (
        f"Số tiền: {labels.money(payment.amount)}",
        f"Tài khoản: {account}" + (f", {payment.bank_name}" if payment.bank_name else ""),
        f"Nội dung chuyển khoản: {payment.memo}",
    )
    return {"transfer_qr": payment.payload, "transfer_lines": lines}
