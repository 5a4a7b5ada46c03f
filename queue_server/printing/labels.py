"""What a printer's states are called (what a device says of its printer: ``hardware.printers``),
for the administration's device list and the managers' alerts."""

from __future__ import annotations

from ..web import N_

PRINTER_STATES = {
    "ok": N_("bình thường"),
    "offline": N_("mất kết nối"),
    "paper_out": N_("hết giấy"),
    "paper_low": N_("sắp hết giấy"),
    "cover_open": N_("mở nắp"),
    "unknown": N_("không rõ"),
    "none": N_("không có máy in"),
}
