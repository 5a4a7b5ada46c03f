"""``/console``: log in, choose a counter, call and serve. The page drives the JSON API."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..web import js_strings

bp = Blueprint("console", __name__, template_folder="templates")

STRINGS = (
    "Sai tên đăng nhập hoặc mật khẩu.",
    "Không có ai đang chờ.",
    "Quầy {n}",
    "Đang mở",
    "Tạm dừng",
    "Đóng",
    "Không thực hiện được: {message}",
    "Mất kết nối, đang kết nối lại…",
    "Ưu tiên",
    "Chuyển đến quầy {n}",
    "Chưa gọi số nào.",
    "Bạn không có quyền ở trung tâm này.",
)


@bp.get("/console")
def console():
    return render_template("console/console.html", strings=js_strings(*STRINGS))
