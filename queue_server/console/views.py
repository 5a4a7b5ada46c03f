"""``/console``: log in, choose a counter, call and serve. The page drives the JSON API."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..web import N_, js_strings

bp = Blueprint("console", __name__, template_folder="templates")

STRINGS = (
    N_("Sai tên đăng nhập hoặc mật khẩu."),
    N_("Không có ai đang chờ."),
    N_("Quầy {n}"),
    N_("Đang mở"),
    N_("Tạm dừng"),
    N_("Đóng"),
    N_("Không thực hiện được: {message}"),
    N_("Mất kết nối, đang kết nối lại…"),
    N_("Ưu tiên"),
    N_("Chuyển đến quầy {n}"),
    N_("Chưa gọi số nào."),
    N_("Bạn không có quyền ở trung tâm này."),
)


@bp.get("/console")
def console():
    return render_template("console/console.html", strings=js_strings(*STRINGS))
