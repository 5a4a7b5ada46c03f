"""The board's figures as a reader reads them: plain numbers, and each share with its
denominator ("92 % (115/125)"), so that a share of a handful of dossiers reads as what it is."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from ..web import N_
from .figures import Board, Tally

NO_FIELD = N_("Lĩnh vực khác")
NO_FIGURE = "–"  # a share of nothing (no result, no rating, no fee paid in the period)


def number(value: int) -> str:
    """A count with the page's thousands separator (Vietnamese writes 1.234, English 1,234)."""
    text = f"{value:,}"
    return text.replace(",", ".") if str(get_locale() or "vi") == "vi" else text


def ratio(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage with both counts, or a dash for none."""
    if not whole:
        return NO_FIGURE
    return f"{round(100 * part / whole)} % ({number(part)}/{number(whole)})"


def late(counts: dict[str, int]) -> str:
    """Late results, and how many of them came with an apology and a new date."""
    if not counts["late"]:
        return number(0)
    return _("{late} (xin lỗi, hẹn lại: {apologised})").format(
        late=number(counts["late"]), apologised=number(counts["apologised"])
    )


def row(counts: dict[str, int]) -> dict[str, str]:
    """One line of figures (a field's, or the whole site's), in the table's order."""
    return {
        "received": number(counts["received"]),
        "returned": number(counts["returned"]),
        "on_time": ratio(counts["in_time"], counts["resolved"]),
        "late": late(counts),
        "digitised": ratio(counts["digitised"], counts["received"]),
        "cashless": ratio(counts["cashless"], counts["fees_paid"]),
    }


# The table's columns, in order, with their headings.
COLUMNS = {
    "received": N_("Hồ sơ tiếp nhận"),
    "returned": N_("Đã trả kết quả"),
    "on_time": N_("Đúng hạn, trước hạn"),
    "late": N_("Quá hạn"),
    "digitised": N_("Số hóa hồ sơ"),
    "cashless": N_("Thanh toán không dùng tiền mặt"),
}


# The site's figures, in order: the table's, and satisfaction (the site's only, see figures.py).
FIGURES = {**COLUMNS, "satisfied": N_("Hài lòng, rất hài lòng")}


def period(tally: Tally) -> dict:
    """A period's overall figures (:data:`FIGURES`) and its per-field rows."""
    return {
        "first": tally.first,
        "last": tally.last,
        "overall": {**row(tally.overall), "satisfied": ratio(tally.satisfied, tally.ratings)},
        "fields": [{"name": name or _(NO_FIELD), **row(counts)} for name, counts in tally.fields],
    }


def month_title(tally: Tally) -> str:
    return _("Tháng {month}/{year}").format(month=tally.first.month, year=tally.first.year)


def updated(board: Board) -> str:
    return _("Số liệu cập nhật lúc {time}").format(time=board.local_time.strftime("%H:%M %d/%m/%Y"))


def slide(board: Board, qr_url: str) -> dict:
    """The hall's slide of the board: this month's figures, and the QR code of the page that
    has the rest (per field, this year)."""
    overall = period(board.month)["overall"]
    return {
        "title": _("Kết quả giải quyết thủ tục hành chính"),
        "period": month_title(board.month),
        "figures": [
            {"name": name, "label": _(label), "value": overall[name]} for name, label in FIGURES.items()
        ],
        "updated": updated(board),
        "qr": qr_url,
        "more": _("Quét mã để xem theo từng lĩnh vực và cả năm"),
    }
