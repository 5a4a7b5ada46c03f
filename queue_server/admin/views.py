"""``/admin/devices``: every device of the supervisor's sites, its state and last contact."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..web import N_, js_strings

bp = Blueprint("admin", __name__, template_folder="templates")

STRINGS = (
    N_("Máy in: {state}"),
    N_("Chưa liên lạc"),
    N_("Đã thu hồi"),
    N_("Quầy {n}"),
    N_("Bạn cần đăng nhập với vai trò giám sát hoặc quản trị."),
    N_("bình thường"),
    N_("mất kết nối"),
    N_("hết giấy"),
    N_("sắp hết giấy"),
    N_("mở nắp"),
    N_("không rõ"),
    N_("không có máy in"),
)


@bp.get("/admin/devices")
def devices():
    return render_template("admin/devices.html", strings=js_strings(*STRINGS))
