"""A report as tables: one sheet per section in XLSX (openpyxl), one CSV per section."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..web import N_

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
SECTIONS = ("queue", "services", "daily", "heatmap", "counters", "officers", "dossiers", "satisfaction")
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
}


def _flat(value):
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return value


def table(report: dict, section: str) -> list[list]:
    """The section as rows, the first of which is the header."""
    data = report[section]
    if section == "heatmap":
        return [["Ngày", *[f"{hour:02d}h" for hour in range(24)]]] + [
            [WEEKDAYS[day], *counts] for day, counts in enumerate(data)
        ]
    if isinstance(data, dict):
        rows = [["Chỉ số", "Giá trị"]]
        for key, value in data.items():
            if isinstance(value, dict):
                rows.extend([f"{key}.{sub}", item] for sub, item in value.items())
            else:
                rows.append([key, value])
        return rows
    if not data:
        return [["(không có dữ liệu)"]]
    header = list(data[0])
    return [header] + [[_flat(row[key]) for key in header] for row in data]


def to_csv(report: dict, section: str) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Vietnamese correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerows(table(report, section))
    return buffer.getvalue()


def to_xlsx(report: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for section in SECTIONS:
        sheet = book.create_sheet(TITLES[section])
        sheet.append([f"{TITLES[section]} – {', '.join(report['sites'])}, {report['from']} → {report['to']}"])
        sheet["A1"].font = Font(bold=True, size=13)
        rows = table(report, section)
        for row in rows:
            sheet.append(row)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A3"
        for index, column in enumerate(zip(*rows, strict=False), 1):
            width = max(len(str(value)) for value in column if value is not None) if column else 8
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
