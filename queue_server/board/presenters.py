"""The board's figures as a reader reads them: plain numbers, and each share with its
denominator ("92 % (115/125)"), so that a share of a handful of dossiers reads as what it is."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from ..web import N_
from .figures import Tally

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


def period(tally: Tally) -> dict:
    """A period's overall figures, its satisfaction and its per-field rows."""
    return {
        "first": tally.first,
        "last": tally.last,
        "overall": row(tally.overall),
        "satisfied": ratio(tally.satisfied, tally.ratings),
        "fields": [{"name": name or _(NO_FIELD), **row(counts)} for name, counts in tally.fields],
    }
