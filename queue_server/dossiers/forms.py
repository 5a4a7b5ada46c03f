"""The printable legal forms of a dossier (Thông tư 01/2018/TT-VPCP, Mẫu 01-06).

Each form is one Jinja template under ``templates/forms/`` rendered to HTML and then to PDF by
WeasyPrint; this module only gathers what each form says from the dossier and its events, so a
form's layout is changed in its template alone. The templates are loaded by this module's own
Jinja environment rather than Flask's: the forms are needed outside a request (CLI, workers) and
do not depend on whether a blueprint of this package is registered.

Every date and time is shown in the site's local time, as the citizen was told at the counter.
The tracking book (Mẫu 06) is also written as XLSX, the format agencies file their reports in.
The dossier's ``form_set`` records the circular in force when it was received; only the
TT 01/2018 set has templates so far (TT 03/2025 renumbers the forms).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import qrcode
from barcode import Code128
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hardware.layouts import ReceiptPrint

from ..errors import ApiError, Conflict, NotFound
from ..sites.models import Site
from .deadlines import Outcome, Unit
from .models import Delivery, Dossier, DossierEvent, DossierStatus, FeePayment, Procedure

FORM_SET = "TT01/2018"


@dataclass(frozen=True)
class Form:
    """One legal form: its number in the circular, its title and how it is printed."""

    number: str
    title: str
    page_size: str  # a CSS @page size
    template: str


FORMS: dict[str, Form] = {
    form.number: form
    for form in (
        Form("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "A5 portrait", "forms/form_01.html"),
        Form("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "A5 portrait", "forms/form_02.html"),
        Form("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "A5 portrait", "forms/form_03.html"),
        Form("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "A5 portrait", "forms/form_04.html"),
        Form("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "A4 portrait", "forms/form_05.html"),
    )
}
"""The forms printed for one dossier, by number."""

TRACKING_BOOK = Form("06", "Sổ theo dõi hồ sơ", "A4 landscape", "forms/tracking_book.html")
"""Mẫu 06 covers many dossiers over a period, so it has its own functions."""

# The two copies of the receipt: the centre files one, the applicant takes the other.
RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")

UNIT_WORDS = {
    Unit.WORKING_DAYS: "ngày làm việc",
    Unit.WORKING_HOURS: "giờ làm việc",
    Unit.CALENDAR_DAYS: "ngày",
}
PAYMENT_WORDS = {
    FeePayment.CASH: "tiền mặt",
    FeePayment.BANK: "chuyển khoản qua ngân hàng",
    FeePayment.CARD: "thẻ ngân hàng",
    FeePayment.EXEMPT: "miễn phí, lệ phí",
    FeePayment.UNPAID: "chưa nộp",
}
RETURN_WORDS = {
    Delivery.COUNTER: "Tại quầy",
    Delivery.POST: "Qua bưu điện",
    Delivery.ONLINE: "Trực tuyến",
}
OUTCOME_WORDS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}


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


def money(amount: int) -> str:
    """``75.000 đồng``: Vietnamese groups thousands with dots."""
    return f"{amount:,} đồng".replace(",", ".")


def processing_time(procedure: Procedure) -> str:
    """The statutory processing time, e.g. ``15 ngày làm việc`` or ``0,5 ngày làm việc``."""
    amount = procedure.processing_amount
    number = f"{amount:g}".replace(".", ",")
    return f"{number} {UNIT_WORDS.get(procedure.processing_unit, procedure.processing_unit)}"


def return_place(dossier: Dossier) -> str:
    """Where the applicant collects the result, shared by Mẫu 01 and the thermal receipt."""
    if dossier.delivery == Delivery.POST:
        return f"Qua bưu điện: {dossier.delivery_address or ''}".strip()
    if dossier.delivery == Delivery.ONLINE:
        return "Trực tuyến (kết quả điện tử)"
    return "Tại quầy trả kết quả"


def fee_text(dossier: Dossier) -> str:
    """The fee and how it was paid, e.g. ``75.000 đồng (tiền mặt)``."""
    if dossier.fee_payment == FeePayment.EXEMPT:
        return "Miễn phí, lệ phí"
    if not dossier.fee:
        return "Không thu phí, lệ phí"
    return f"{money(dossier.fee)} ({PAYMENT_WORDS.get(dossier.fee_payment, dossier.fee_payment)})"


def book_entry(dossier: Dossier) -> tuple[int, str]:
    """The tracking-book volume (the year received) and entry (the code's daily sequence)."""
    return local_time(dossier.received_at, dossier.site).year, dossier.code.rsplit("-", 1)[-1]


# -- machine-readable codes ---------------------------------------------------------------------


def _runs(modules: str, y: int = 0, offset: int = 0) -> str:
    """SVG path commands for the runs of dark modules ("1") in one row, a rectangle per run:
    far fewer shapes than one per module, which keeps WeasyPrint's drawing fast."""
    commands, start = [], None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            length = index - start
            commands.append(f"M{offset + start} {y}h{length}v1h-{length}z")
            start = None
    return "".join(commands)


def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG: vector, so it stays sharp at any printer resolution."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(_runs("".join("1" if dark else "0" for dark in row), y) for y, row in enumerate(matrix))
    size = len(matrix)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}"'
        f' shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}"/></svg>'
    )


def code128_svg(data: str) -> Markup:
    """A Code128 barcode (symbols encoded by python-barcode) as inline SVG, stretched to the
    height the template gives it."""
    modules = Code128(data).build()[0]
    quiet = 10
    width = len(modules) + 2 * quiet
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {width} 1"'
        f' preserveAspectRatio="none" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="1" fill="#fff"/><path d="{_runs(modules, offset=quiet)}"/></svg>'
    )


# -- what each form says ------------------------------------------------------------------------


def _latest_event(dossier: Dossier, action: str, form: str) -> DossierEvent:
    for event in reversed(dossier.events):
        if event.action == action:
            return event
    raise Conflict(
        "form_not_applicable", f"Mẫu {form} needs a '{action}' event; dossier {dossier.code} has none."
    )


def _common(dossier: Dossier) -> dict:
    """What every form shows; a form dated by an event overrides ``issued_on``."""
    site = dossier.site
    received_at = local_time(dossier.received_at, site)
    return {
        "dossier": dossier,
        "agency": site.name,
        "procedure": dossier.procedure,
        "issued_on": received_at.date(),
        "received_at": received_at,
        "due_at": local_time(dossier.due_at, site),
    }


def _receipt(dossier: Dossier, track_url: str) -> dict:
    volume, entry = book_entry(dossier)
    return {
        "copies": RECEIPT_COPIES,
        "intake_site": dossier.intake_site if dossier.intake_site_id != dossier.site_id else None,
        "processing_time": processing_time(dossier.procedure),
        "return_place": return_place(dossier),
        "fee": fee_text(dossier),
        "volume": volume,
        "entry": entry,
        "barcode": code128_svg(dossier.code),
        "qr": qr_svg(track_url),
    }


def _supplement_request(dossier: Dossier) -> dict:
    event = _latest_event(dossier, "request_supplement", "02")
    return {
        "issued_on": local_time(event.at, dossier.site).date(),
        "items": event.data.get("items", []),
        "reason": event.data.get("reason", ""),
        "officer": event.actor_name or "",
    }


def _refusal(dossier: Dossier) -> dict:
    event = _latest_event(dossier, "refuse", "03")
    return {
        "issued_on": local_time(event.at, dossier.site).date(),
        "reason": event.data.get("reason", ""),
        "rules_reference": event.data.get("rules_reference") or "",
        "officer": event.actor_name or "",
    }


def _apology(dossier: Dossier) -> dict:
    event = _latest_event(dossier, "apologise", "04")
    site = dossier.site
    return {
        # The agency that is late apologises; its head signs.
        "agency": dossier.procedure.department.name,
        "issued_on": local_time(event.at, site).date(),
        "reason": event.data.get("reason", ""),
        "signed_by": event.data.get("signed_by") or "",
        "new_due_at": local_time(dossier.apology_due_at, site) if dossier.apology_due_at else None,
    }


def _control_sheet(dossier: Dossier) -> dict:
    site = dossier.site
    lead = dossier.procedure.department.name
    handovers = [
        {
            # At intake the applicant hands the dossier over.
            "from_party": event.from_party or (dossier.applicant_name if event.action == "receive" else ""),
            "at": local_time(event.at, site),
            "to_party": event.to_party,
            "outcome": OUTCOME_WORDS.get(event.data.get("outcome"), ""),
            "note": event.note or "",
        }
        for event in dossier.events
        if event.to_party
    ]
    # Agencies the dossier was sent to besides the lead one (cơ quan phối hợp).
    cooperating = list(
        dict.fromkeys(e.to_party for e in dossier.events if e.action == "transfer" and e.to_party != lead)
    )
    return {
        "lead_agency": lead,
        "cooperating": cooperating,
        "handovers": handovers,
    }


CONTEXT: dict[str, Callable[..., dict]] = {
    "01": _receipt,
    "02": _supplement_request,
    "03": _refusal,
    "04": _apology,
    "05": _control_sheet,
}


# -- rendering ----------------------------------------------------------------------------------

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters.update(long_datetime=long_datetime, long_date=long_date, book_cell=book_cell)


def _html(form: Form, context: dict) -> str:
    """Every form page repeats the national heading; ``copies`` lists the copies printed (one
    page each, a label on each), a single unlabelled one unless the form says otherwise."""
    context = {"copies": (None,), **context}
    return _templates.get_template(form.template).render(form=form, page_size=form.page_size, **context)


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


def _form(number: str, dossier: Dossier) -> Form:
    if number not in FORMS:
        raise NotFound("unknown_form", f"No form {number!r}; one of {', '.join(FORMS)}.")
    if dossier.form_set != FORM_SET:
        raise Conflict(
            "unsupported_form_set", f"Dossier {dossier.code} uses {dossier.form_set}; only {FORM_SET}."
        )
    return FORMS[number]


def render_html(form: str, dossier: Dossier, **extra) -> str:
    """Form ``form`` ("01".."05") of the dossier as HTML.

    Mẫu 01 needs ``track_url`` (the public tracking link, printed as a QR code); the others take
    no extras. Mẫu 02, 03 and 04 print the latest request_supplement, refuse or apologise event
    and raise a 409 when the dossier has none.
    """
    spec = _form(form, dossier)
    return _html(spec, {**_common(dossier), **CONTEXT[form](dossier, **extra)})


def render_pdf(form: str, dossier: Dossier, **extra) -> bytes:
    """Form ``form`` of the dossier as PDF (see :func:`render_html` for the extras)."""
    return html_to_pdf(render_html(form, dossier, **extra))


# -- the tracking book (Mẫu 06) -----------------------------------------------------------------

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
    """The site's dossiers received between the two local dates (inclusive), in book order,
    with what the book reads loaded up front (one query per relationship, not per dossier)."""
    start = datetime.combine(period_from, time.min, site.tz)
    end = datetime.combine(period_to + timedelta(days=1), time.min, site.tz)
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.site_id == site.id, Dossier.received_at >= start, Dossier.received_at < end)
            .order_by(Dossier.received_at, Dossier.id)
            .options(
                selectinload(Dossier.procedure).selectinload(Procedure.department),
                selectinload(Dossier.events),
            )
        )
    )


def _book_notes(dossier: Dossier, site: Site) -> str:
    notes = []
    if dossier.status == DossierStatus.REFUSED:
        notes.append("Từ chối tiếp nhận giải quyết")
    if dossier.apology_due_at is not None:
        notes.append(f"Xin lỗi, hẹn lại {short_datetime(local_time(dossier.apology_due_at, site))}")
    if dossier.note:
        notes.append(dossier.note)
    return "; ".join(notes)


def book_rows(site: Site, dossiers: Iterable[Dossier]) -> list[dict]:
    """One row per dossier, in the order received, with times local and aware."""

    def local(value: datetime | None) -> datetime | None:
        return None if value is None else local_time(value, site)

    rows = []
    for number, dossier in enumerate(sorted(dossiers, key=lambda d: (d.received_at, d.id)), start=1):
        transfer = next((e for e in dossier.events if e.action == "transfer"), None)
        contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
        rows.append(
            {
                "no": number,
                "code": dossier.code,
                "procedure": dossier.procedure.name,
                "sets": dossier.sets,
                "applicant": dossier.applicant_name,
                "contact": contact,
                "lead_agency": dossier.procedure.department.name,
                "received_at": local(dossier.received_at),
                "due_at": local(dossier.due_at),
                "transferred_at": local(transfer.at if transfer else None),
                "finished_at": local(dossier.finished_at),
                "returned_at": local(dossier.returned_at),
                "return_method": RETURN_WORDS.get(dossier.return_method, dossier.return_method or ""),
                "signature": "",
                "notes": _book_notes(dossier, site),
            }
        )
    return rows


def _period(period_from: date, period_to: date) -> str:
    return f"Từ ngày {period_from:%d/%m/%Y} đến ngày {period_to:%d/%m/%Y}"


def tracking_book_html(site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date) -> str:
    return _html(
        TRACKING_BOOK,
        {
            "agency": site.name,
            "issued_on": period_to,
            "period": _period(period_from, period_to),
            "columns": BOOK_COLUMNS,
            "rows": book_rows(site, dossiers),
        },
    )


def render_tracking_book_pdf(
    site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date
) -> bytes:
    """The tracking book (Mẫu 06) of the dossiers as an A4 landscape PDF."""
    return html_to_pdf(tracking_book_html(site, dossiers, period_from, period_to))


def tracking_book_xlsx(site: Site, dossiers: Iterable[Dossier], period_from: date, period_to: date) -> bytes:
    """The tracking book as a spreadsheet: the same columns as the PDF, times as real
    date-time cells in local time (Excel has no time zones), the header kept in view."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ theo dõi hồ sơ"
    last = get_column_letter(len(BOOK_COLUMNS))
    sheet["A1"] = f"{TRACKING_BOOK.title.upper()} (Mẫu {TRACKING_BOOK.number})"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{site.name}. {_period(period_from, period_to)}"
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    for cell in ("A1", "A2"):
        sheet[cell].alignment = Alignment(horizontal="center")

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
            cell = sheet.cell(row=header_row + offset, column=index, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# -- the thermal receipt ------------------------------------------------------------------------


def receipt_payload(dossier: Dossier, track_url: str) -> dict:
    """The print-job payload of the 80 mm receipt: the fields of ``hardware.layouts.ReceiptPrint``,
    worded as on Mẫu 01 so the two copies the citizen may hold never disagree."""
    site = dossier.site
    return asdict(
        ReceiptPrint(
            centre=site.name,
            dossier_code=dossier.code,
            applicant=dossier.applicant_name,
            procedure=dossier.procedure.name,
            received_at=long_datetime(local_time(dossier.received_at, site)),
            due_at=long_datetime(local_time(dossier.due_at, site)),
            return_by=return_place(dossier),
            fee=fee_text(dossier),
            track_url=track_url,
            officer=dossier.received_by_name or "",
        )
    )
