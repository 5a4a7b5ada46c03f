"""``/console``: log in, choose a counter, call and serve. The page drives the JSON API.

The dossier pages (:mod:`.dossiers`) and the manifest pages (:mod:`.manifests`) hang below it.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..auth.access import PasswordChangeRequired, current_actor, lands_on_manager_home
from ..web import N_, js_strings
from .dossiers import bp as dossiers_bp
from .manifests import bp as manifests_bp
from .pages import API_ERRORS, signed_in, translated

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
    N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}."),
    N_("{n} giây"),
    N_("{n} phút"),
)
PASSWORD_STRINGS = (
    N_("Hai mật khẩu mới không khớp nhau."),
    N_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."),
    N_("Không thực hiện được: {message}"),
    N_("Không kết nối được máy chủ."),
    N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}."),
    N_("{n} giây"),
    N_("{n} phút"),
)


@bp.get("/console")
def console():
    """Log in, then choose a counter. Supervisors and admins start on their home instead
    (:func:`~queue_server.auth.access.lands_on_manager_home`); ``?choose=1`` brings them to the
    counters when they serve themselves."""
    try:
        actor = current_actor()
    except PasswordChangeRequired:
        actor = None  # the page's script sends them to change it
    if lands_on_manager_home(actor) and not request.args.get("choose"):
        return redirect(url_for("manage.home"))
    return render_template("console/console.html", strings=js_strings(*STRINGS))


@bp.get("/console/password")
def password():
    """Change one's own password; a session whose password someone else chose is sent here
    and may do nothing else until it is changed (:mod:`queue_server.auth.access`)."""
    actor = signed_in()
    return render_template(
        "console/password.html",
        user=actor.user,
        page_config={
            "t": js_strings(*PASSWORD_STRINGS),
            "errors": translated(API_ERRORS),
            "next": request.args.get("next") or "",
        },
    )
