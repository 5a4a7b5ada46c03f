"""``/console``: log in, choose a counter, call and serve. The page drives the JSON API.

The counter is in the address (``/console?site=<code>&counter=<number>``): a reload, or a
bookmark, opens the same counter, and two tabs may work two counters. Everything the page
shows of the counter comes from the server (the counter's API, the live snapshot and events).

The dossier pages (:mod:`.dossiers`) and the manifest pages (:mod:`.manifests`) hang below it.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale

from ..auth.access import Action, PasswordChangeRequired, allowed, current_actor, lands_on_manager_home
from ..staffpages import API_ERRORS, signed_in, sites_where, translated
from ..web import N_, js_strings
from .bookings import bp as bookings_bp
from .dossiers import bp as dossiers_bp
from .manifests import bp as manifests_bp

bp = Blueprint("console", __name__, template_folder="templates")
bp.register_blueprint(dossiers_bp)
bp.register_blueprint(manifests_bp)
bp.register_blueprint(bookings_bp)

STRINGS = (
    N_("Sai tên đăng nhập hoặc mật khẩu."),
    N_("Không có ai đang chờ."),
    N_("Quầy {n}"),
    N_("Quầy {n} · {site}"),
    N_("Đang mở"),
    N_("Tạm dừng"),
    N_("Tạm dừng: {reason}"),
    N_("Đã đóng"),
    N_("Ưu tiên"),
    N_("Chưa gọi số nào."),
    N_("Đã gọi, chờ công dân đến quầy"),
    N_("Đang phục vụ"),
    N_("Bạn không có quyền ở trung tâm này."),
    N_("Trực: {names}"),
    N_("Theo lịch trực hôm nay"),
    N_("Đang có cán bộ: {name}"),
    N_("Không có quầy {n} ở trung tâm này."),
    N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}."),
    N_("Xếp số {number} lại vào hàng chờ"),
    N_("Lĩnh vực khác"),
    N_("Quầy đang mở"),
    N_("Quầy đang tạm dừng"),
    N_("Quầy đã đóng"),
)
PASSWORD_STRINGS = (
    N_("Hai mật khẩu mới không khớp nhau."),
    N_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."),
    N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}."),
)

# The queue API's errors the console can meet, said to the officer instead of the API's English
# (with the staff pages' own, API_ERRORS: an expired session, a stale page, no permission).
QUEUE_ERRORS = {
    "counter_not_open": N_("Quầy đang tạm dừng hoặc đã đóng: bấm “Mở lại quầy” trước khi gọi số."),
    "wrong_state": N_("Số này vừa được xử lý ở nơi khác. Màn hình đã cập nhật, vui lòng xem lại."),
    "unknown_ticket": N_("Không tìm thấy số thứ tự này."),
    "unknown_counter": N_("Không tìm thấy quầy này."),
    "unknown_service": N_("Trung tâm không có dịch vụ này."),
    "service_inactive": N_("Dịch vụ này đang tạm ngừng."),
    "service_full": N_("Dịch vụ này đã hết số trong ngày."),
    "invalid_transfer": N_("Chọn một dịch vụ hoặc một quầy để chuyển đến."),
    "reason_required": N_("Chọn lý do tạm dừng."),
    "expired": N_("Số này thuộc ngày làm việc trước, không xếp lại vào hàng chờ được."),
    "too_many_requests": N_("Thao tác quá nhanh. Vui lòng đợi giây lát rồi thử lại."),
}


def _signed_in_actor():
    """The member of staff looking at the page, or None: the page then offers the login (and
    one whose password must be changed is sent to the change by the script)."""
    try:
        actor = current_actor()
    except PasswordChangeRequired:
        return None
    return actor if actor is not None and actor.user is not None else None


@bp.get("/console")
def console():
    """Log in, then choose a counter. Supervisors and admins start on their home instead
    (:func:`~queue_server.auth.access.lands_on_manager_home`); ``?choose=1`` brings them to the
    counters when they serve themselves."""
    actor = _signed_in_actor()
    if lands_on_manager_home(actor) and not request.args.get("choose"):
        return redirect(url_for("manage.home"))
    config = {
        "lang": str(get_locale() or "vi"),
        "t": js_strings(*STRINGS),
        "errors": translated({**API_ERRORS, **QUEUE_ERRORS}),
        "site": request.args.get("site") or None,
        "counter": request.args.get("counter", type=int),
    }
    if actor is not None:
        # The sites whose counters this member of staff may work (the rule: auth/access.py).
        config["sites"] = [
            {
                "code": site.code,
                "name": site.name,
                "start_step": site.use_start_step,
                "supervises": allowed(actor, Action.SUPERVISE, site.id),
            }
            for site in sites_where(actor, Action.OPERATE_COUNTER, centres_only=True)
        ]
    return render_template("console/console.html", config=config)


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
