"""``/console``: log in, choose a counter, call and serve. The page drives the JSON API.

The dossier pages (:mod:`.dossiers`) and the manifest pages (:mod:`.manifests`) hang below it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from ..web import N_, js_strings
from .dossiers import bp as dossiers_bp
from .manifests import bp as manifests_bp

bp = Blueprint("console", __name__, template_folder="templates")
bp.register_blueprint(dossiers_bp)
bp.register_blueprint(manifests_bp)

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
    N_("Trực: {names}"),
    N_("Theo lịch trực hôm nay"),
)


@bp.get("/console")
def console():
    return render_template("console/console.html", strings=js_strings(*STRINGS))
