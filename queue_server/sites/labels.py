"""The words of the site's calendar on the staff pages and in the reports' spreadsheets (message
ids, translated where they are shown)."""

from __future__ import annotations

from ..web import N_

# ISO weekdays (1 = Monday), as counter schedules write them.
WEEKDAYS = {
    "1": N_("Thứ Hai"),
    "2": N_("Thứ Ba"),
    "3": N_("Thứ Tư"),
    "4": N_("Thứ Năm"),
    "5": N_("Thứ Sáu"),
    "6": N_("Thứ Bảy"),
    "7": N_("Chủ nhật"),
}
WEEKDAYS_SHORT = {
    "1": N_("T2"),
    "2": N_("T3"),
    "3": N_("T4"),
    "4": N_("T5"),
    "5": N_("T6"),
    "6": N_("T7"),
    "7": N_("CN"),
}
