"""The icons a service may show on the kiosk: a small set drawn for this project, one SVG per
name in ``kiosk/static/icons/<name>.svg`` (a 24-unit line drawing the kiosk paints in the tile's
colour). The administration chooses one per service, or none; the labels say what each shows.
"""

from __future__ import annotations

from ..web import N_

ICONS: dict[str, str] = {
    "justice": N_("Cán cân (tư pháp)"),
    "family": N_("Gia đình (hộ tịch)"),
    "stamp": N_("Con dấu (chứng thực)"),
    "building": N_("Tòa nhà (xây dựng)"),
    "land": N_("Bản đồ (đất đai)"),
    "leaf": N_("Chiếc lá (môi trường)"),
    "sprout": N_("Mầm cây (nông nghiệp)"),
    "briefcase": N_("Cặp tài liệu (doanh nghiệp)"),
    "chart": N_("Biểu đồ (đầu tư)"),
    "factory": N_("Nhà máy (công thương)"),
    "health": N_("Chữ thập (y tế)"),
    "education": N_("Mũ tốt nghiệp (giáo dục)"),
    "people": N_("Mọi người (nội vụ, lao động)"),
    "culture": N_("Nốt nhạc (văn hóa)"),
    "support": N_("Trái tim (chính sách xã hội)"),
    "document": N_("Giấy tờ (trả kết quả)"),
    "mail": N_("Phong bì (bưu chính)"),
}
