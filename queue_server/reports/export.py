"""A report as tables: one sheet per section in XLSX (openpyxl), one CSV per section.

The JSON report keeps machine units (seconds, shares from 0 to 1) and keys; the files are read by
people, so they get the labels of the page's language, minutes and percentages. Names and reasons
typed by staff are written as text, never as formulas (:mod:`queue_server.spreadsheets`).
"""

from __future__ import annotations

import io
from datetime import date
from itertools import zip_longest

from flask_babel import get_locale, gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..dossiers import labels as dossier_labels
from ..dossiers.rules import FeePayment
from ..evaluations.criteria import VERDICT_LABELS, title_of
from ..notify import labels as notify_labels
from ..ratings.operations import LEVEL_LABELS
from ..sites.labels import WEEKDAYS
from ..spreadsheets import append, write_csv
from ..web import N_

SECTIONS = (
    "queue",
    "services",
    "daily",
    "heatmap",
    "counters",
    "officers",
    "dossiers",
    "satisfaction",
    "evaluations",
    "messages",
    "bookings",
    "fees",
)
# Sheet titles, and section names on the report page (translated there).
TITLES = {
    "queue": N_("Hàng đợi"),
    "services": N_("Theo dịch vụ"),
    "daily": N_("Theo ngày"),
    "heatmap": N_("Giờ cao điểm"),
    "counters": N_("Theo quầy"),
    "officers": N_("Theo cán bộ"),
    "dossiers": N_("Hồ sơ"),
    "satisfaction": N_("Mức độ hài lòng"),
    "evaluations": N_("Đánh giá giải quyết hồ sơ"),
    "messages": N_("Tin nhắn gửi công dân"),
    "bookings": N_("Lịch hẹn"),
    "fees": N_("Phí, lệ phí"),
}
# Column and figure names. A key ending in _s is a duration, written in minutes; one ending in
# _share is a share, written as a percentage; the labels say so.
LABELS = {
    "issued": N_("Số đã cấp"),
    "served": N_("Đã phục vụ"),
    "no_show": N_("Vắng mặt khi được gọi"),
    "waiting": N_("Đang chờ"),
    "at_counter": N_("Đang ở quầy"),
    "cancelled": N_("Không được gọi"),
    "wait_avg_s": N_("Chờ trung bình (phút)"),
    "wait_p90_s": N_("9 trên 10 người chờ không quá (phút)"),
    "service_avg_s": N_("Phục vụ trung bình (phút)"),
    "service_p90_s": N_("9 trên 10 lượt phục vụ không quá (phút)"),
    "within_target": N_("Được gọi trong thời gian cam kết"),
    "within_target_share": N_("Được gọi trong thời gian cam kết (%)"),
    "target_wait_s": N_("Thời gian chờ cam kết (phút)"),
    "service": N_("Mã dịch vụ"),
    "name": N_("Tên"),
    "date": N_("Ngày"),
    "counter": N_("Quầy"),
    "officer": N_("Cán bộ"),
    "busy_s": N_("Thời gian phục vụ (phút)"),
    "pause_s": N_("Tạm dừng (phút)"),
    "pauses": N_("Số lần tạm dừng"),
    "pause_reasons": N_("Tạm dừng theo lý do (phút)"),
    "ratings": N_("Lượt đánh giá"),
    "satisfied_share": N_("Hài lòng và rất hài lòng (%)"),
    "received": N_("Tiếp nhận"),
    "received_by_channel": N_("Tiếp nhận"),
    "received_for_others": N_("Tiếp nhận cho nơi khác giải quyết"),
    "handled": N_("Giải quyết (tiếp nhận ở mọi nơi)"),
    "handled_from_elsewhere": N_("Giải quyết hồ sơ nơi khác tiếp nhận"),
    "resolved": N_("Đã giải quyết"),
    "resolved_by_outcome": N_("Đã giải quyết"),
    "refused": N_("Từ chối giải quyết"),
    "stopped": N_("Dừng giải quyết theo yêu cầu"),
    "turned_away": N_("Không tiếp nhận (hướng dẫn hoàn thiện, từ chối)"),
    "on_time_share": N_("Đúng hạn hoặc trước hạn (%)"),
    "returned_by_post": N_("Trả kết quả qua bưu điện"),
    "by_level": N_("Số lượt"),
    "channel": N_("Kênh"),
    "sent": N_("Đã gửi"),
    "delivered": N_("Đã đến máy người nhận"),
    "failed": N_("Không gửi được"),
}
# The bookings' columns: "no-show" and "cancelled" mean something else for a booking than for a
# ticket (queries.py's definitions), so the bookings section has its own words.
BOOKING_LABELS = {
    **LABELS,
    "service_name": N_("Tên"),
    "booked": N_("Đã đặt lịch"),
    "checked_in": N_("Đến đúng hẹn"),
    "late": N_("Đến muộn (lấy số thường)"),
    "no_show": N_("Không đến"),
    "cancelled": N_("Đã hủy"),
    "booked_wait_avg_s": N_("Chờ trung bình của người đặt lịch (phút)"),
    "walk_in_wait_avg_s": N_("Chờ trung bình của người không đặt lịch (phút)"),
}
# The fees' figures and columns, in đồng (queries.fees), with the ways of paying.
FEE_LABELS = {
    **{method: text for method, text in dossier_labels.FEE_PAYMENT.items() if method in FeePayment.METHODS},
    "procedure": N_("Mã thủ tục"),
    "procedure_name": N_("Tên thủ tục"),
    "payments": N_("Số hồ sơ đã nộp"),
    "collected": N_("Đã thu (đồng)"),
    "refunded": N_("Đã hoàn trả (đồng)"),
    "due_count": N_("Số hồ sơ chưa nộp"),
    "due": N_("Chưa nộp (đồng)"),
    "cashless_share": N_("Tỷ lệ không dùng tiền mặt (%)"),
}
# The evaluations' figures and columns (queries.evaluations), with the verdicts.
EVALUATION_LABELS = {
    **VERDICT_LABELS,
    "evaluations": N_("Số lượt đánh giá"),
    "score_avg": N_("Điểm trung bình"),
    "max_score": N_("Điểm tối đa"),
    "field": N_("Lĩnh vực"),
    "agency": N_("Cơ quan giải quyết"),
    "officer": N_("Cán bộ"),
    "name": N_("Tên"),
    "number": N_("Tiêu chí"),
    "points_avg": N_("Điểm trung bình (tối đa 2)"),
}
# The parts of a figure that is split (dossiers by channel, ratings by level, ...).
PARTS = {**dossier_labels.CHANNEL, **dossier_labels.OUTCOME, **LEVEL_LABELS}


def _label(key: str, labels: dict[str, str] = LABELS) -> str:
    return gettext(labels[key]) if key in labels else key


def _value(key: str, value):
    """A figure as a person reads it: minutes for durations, percentages for shares."""
    if value is None:
        return None
    if key.endswith("_s") or key == "pause_reasons":
        if isinstance(value, dict):
            return "; ".join(f"{reason}: {round(seconds / 60, 1)}" for reason, seconds in value.items())
        return round(value / 60, 1)
    if key.endswith("_share"):
        return round(value * 100, 1)
    if key == "date":
        return date.fromisoformat(value)  # a date cell, written in the reader's order
    if key == "channel":
        return gettext(notify_labels.CHANNEL[value]) if value in notify_labels.CHANNEL else value
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return value


def _columns(row: dict) -> list[str]:
    """The row's keys to write: ``name_en`` (``service_name_en``) only stands in for ``name``
    (``service_name``) in English."""
    return [key for key in row if not key.endswith("_en")]


def _cell(row: dict, key: str, english: bool):
    if english and row.get(f"{key}_en"):
        return row[f"{key}_en"]
    return _value(key, row[key])


def _english() -> bool:
    return str(get_locale() or "vi") == "en"


def _bookings(data: dict) -> list[list]:
    """Per day and service, a line of totals, then the two waits (booked and walk-in) below."""
    keys = ["date", "service", "service_name", *data["totals"]]
    english = _english()
    rows: list[list] = [[_label(key, BOOKING_LABELS) for key in keys]]
    rows += [[_cell(row, key, english) for key in keys] for row in data["by_day"]]
    rows.append([gettext("Tổng cộng"), None, None, *data["totals"].values()])
    rows += [
        [_label(key, BOOKING_LABELS), _value(key, data[key])]
        for key in ("booked_wait_avg_s", "walk_in_wait_avg_s")
    ]
    return rows


def _fees(data: dict) -> list[list]:
    """The totals, then per day (with each way of paying), then per procedure."""
    rows: list[list] = [[gettext("Chỉ số"), gettext("Giá trị")]]
    rows += [[_label(key, FEE_LABELS), _value(key, value)] for key, value in data["totals"].items()]
    rows += [[_label(line["method"], FEE_LABELS), line["collected"]] for line in data["by_method"]]
    day_keys = ["date", "payments", "collected", *FeePayment.METHODS]
    rows += [[], [_label(key, {**FEE_LABELS, "date": N_("Ngày")}) for key in day_keys]]
    rows += [[_value(key, row[key]) for key in day_keys] for row in data["by_day"]]
    procedure_keys = ["procedure", "procedure_name", "payments", "collected"]
    rows += [[], [_label(key, FEE_LABELS) for key in procedure_keys]]
    rows += [[row[key] for key in procedure_keys] for row in data["by_procedure"]]
    return rows


def _evaluations(data: dict) -> list[list]:
    """The totals, then the average points of each index, then per field, agency and officer."""
    labels = EVALUATION_LABELS
    rows: list[list] = [[gettext("Chỉ số"), gettext("Giá trị")]]
    rows += [[_label(key, labels), value] for key, value in data["totals"].items()]
    rows += [[], [_label("number", labels), gettext("Tên"), _label("points_avg", labels)]]
    rows += [
        [line["number"], gettext(title_of(line["code"])), line["points_avg"]] for line in data["by_index"]
    ]
    figures = ["evaluations", "score_avg", *VERDICT_LABELS]
    for group, keys in (
        ("by_field", ["field"]),
        ("by_agency", ["agency"]),
        ("by_officer", ["officer", "name"]),
    ):
        rows += [[], [_label(key, labels) for key in (*keys, *figures)]]
        rows += [[line[key] for key in (*keys, *figures)] for line in data[group]]
    return rows


def table(report: dict, section: str) -> list[list]:
    """The section as rows, the first of which is the header."""
    data = report[section]
    if section == "heatmap":
        return [[gettext("Ngày"), *[f"{hour:02d}h" for hour in range(24)]]] + [
            [gettext(WEEKDAYS[str(day + 1)]), *counts] for day, counts in enumerate(data)
        ]
    if section == "bookings":
        return _bookings(data)
    if section == "fees":
        return _fees(data)
    if section == "evaluations":
        return _evaluations(data)
    if isinstance(data, dict):
        rows = [[gettext("Chỉ số"), gettext("Giá trị")]]
        for key, value in data.items():
            if isinstance(value, dict):
                rows.extend(
                    [f"{_label(key)}: {gettext(PARTS[part]) if part in PARTS else part}", item]
                    for part, item in value.items()
                )
            else:
                rows.append([_label(key), _value(key, value)])
        return rows
    if not data:
        return [[gettext("(không có dữ liệu)")]]
    english = _english()
    keys = _columns(data[0])
    return [[_label(key) for key in keys]] + [[_cell(row, key, english) for key in keys] for row in data]


def to_csv(report: dict, section: str) -> str:
    """One section in the ``CSV_DIALECT`` (:mod:`queue_server.spreadsheets`)."""
    buffer = io.StringIO()
    write_csv(buffer, table(report, section))
    return buffer.getvalue()


def to_xlsx(report: dict) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook opens on
    for section in SECTIONS:
        title = gettext(TITLES[section])
        sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
        append(sheet, [f"{title} – {', '.join(report['sites'])}, {report['from']} → {report['to']}"])
        sheet["A1"].font = Font(bold=True, size=13)
        rows = table(report, section)
        for row in rows:
            append(sheet, row)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A3"
        for index, column in enumerate(zip_longest(*rows), 1):
            width = max((len(str(value)) for value in column if value is not None), default=8)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
