"""``/reports``: the report page and the live supervisor dashboard, shells over the JSON API.

The report page draws ``/api/v1/reports`` (the figures are defined in :mod:`.queries`) as tiles,
Chart.js charts and tables, and links the XLSX and CSV exports; the dashboard draws
``/api/v1/reports/live/<site>`` (:mod:`.live`) and fetches it again whenever the site's live
events say the queue moved. Only supervisors (of their sites) and admins see them: anyone not
logged in goes to the console's login and comes back, anyone else gets a readable 403 page.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext

from ..actors import Actor
from ..auth.access import Action
from ..database import utcnow
from ..dossiers import labels as dossier_labels
from ..dossiers.rules import FeePayment
from ..evaluations.criteria import CRITERIA, VERDICT_LABELS, title_of
from ..notify import labels as notify_labels
from ..ratings.operations import LEVEL_LABELS
from ..sites.calendar import business_date
from ..sites.labels import WEEKDAYS, WEEKDAYS_SHORT
from ..sites.models import Site
from ..staffpages import chosen_site, forbidden, signed_in, sites_where, staff_context, translated
from ..web import N_
from . import export

bp = Blueprint("reports_pages", __name__, template_folder="templates", url_prefix="/reports")

PRESETS = {
    "today": N_("Hôm nay"),
    "this_week": N_("Tuần này"),
    "this_month": N_("Tháng này"),
    "last_month": N_("Tháng trước"),
    "custom": N_("Tự chọn ngày"),
}
COUNTER_STATES = {"open": N_("Đang mở"), "paused": N_("Đang tạm dừng"), "closed": N_("Đóng")}

REPORT_STRINGS = (
    N_("Đang tải báo cáo…"),
    N_("Chưa có dữ liệu."),
    N_("Mọi trung tâm"),
    N_("{a} đến {b}"),
    N_("{n} phút"),
    N_("phút"),
    N_("Quầy {n}"),
    N_("Số đã cấp"),
    N_("Đã phục vụ"),
    N_("Không được gọi: {n}"),
    N_("Đang chờ: {n}"),
    N_("Phục vụ trung bình {n} phút"),
    N_("{share} số đã cấp"),
    N_("Vượt thời gian chờ cam kết"),
    N_("Cam kết: chờ không quá {n} phút"),
    N_("{n} hồ sơ đã giải quyết"),
    N_("{n} lượt đánh giá"),
    N_("Chờ trung bình (phút)"),
    N_("{day}, {hour} giờ: {n} số"),
    N_("Số cấp và số đã phục vụ mỗi ngày, {a} đến {b}: tổng {issued} số cấp, {served} số đã phục vụ."),
    N_("Thời gian chờ trung bình theo dịch vụ (phút): {items}."),
    N_("Hồ sơ tiếp nhận theo kênh: {items}."),
    N_("Hồ sơ đã giải quyết theo kết quả: {items}."),
    N_("Mức độ hài lòng: {items}."),
    N_("Tiếp nhận"),
    N_("Đã giải quyết"),
    N_("Đúng hạn hoặc trước hạn"),
    N_("Trả kết quả qua bưu điện"),
    N_("Số hồ sơ"),
    N_("Số lượt"),
    N_("Hài lòng và rất hài lòng"),
    N_("Ngày bắt đầu phải trước ngày kết thúc."),
    N_("Chọn ngày bắt đầu và ngày kết thúc."),
    N_("Đã đặt lịch"),
    N_("Đến đúng hẹn"),
    N_("Chờ trung bình, có lịch hẹn"),
    N_("Chờ trung bình, không có lịch hẹn"),
    N_("Đã thu"),
    N_("Đã hoàn trả"),
    N_("Chưa nộp ({n} hồ sơ)"),
    N_("Không dùng tiền mặt"),
    N_("Số lượt đánh giá"),
    N_("Điểm trung bình"),
)
DASHBOARD_STRINGS = (
    N_("Quầy {n}"),
    N_("từ {time}"),
    N_("Đang phục vụ số {number}"),
    N_("Không phục vụ số nào"),
    N_("Đã phục vụ hôm nay: {n}"),
    N_("{n} phút"),
    N_("phút"),
    N_("dưới 1 phút"),
    N_("Không ai chờ"),
    N_("Cập nhật lúc {time}"),
    N_("Đang nhận cập nhật trực tiếp."),
    N_("Vượt thời gian chờ cam kết"),
    N_("{open} mở · {paused} tạm dừng · {closed} đóng"),
)


def labels() -> dict[str, dict[str, str]]:
    return {
        "preset": translated(PRESETS),
        "channel": translated(dossier_labels.CHANNEL),
        "outcome": translated(dossier_labels.OUTCOME),
        "level": translated(LEVEL_LABELS),
        "weekday": translated(WEEKDAYS),
        "weekday_short": translated(WEEKDAYS_SHORT),
        "section": translated(export.TITLES),
        "counter_state": translated(COUNTER_STATES),
        "message_channel": translated(notify_labels.CHANNEL),
        "payment": translated(dossier_labels.FEE_PAYMENT),
        "verdict": translated(VERDICT_LABELS),
        "criterion": translated({code: title_of(code) for code in CRITERIA}),
    }


def supervised(actor: Actor) -> list[Site]:
    """The centres the user supervises (every centre for an admin); none: a readable 403."""
    sites = sites_where(actor, Action.SUPERVISE, centres_only=True)
    if not sites:
        forbidden()
    return sites


@bp.get("")
def report_page():
    """The report of ``?site=`` (a code, or ``all``) over ``?from=`` to ``?to=`` or a preset."""
    actor = signed_in()
    sites = supervised(actor)
    wanted = request.args.get("site")
    site = next((s for s in sites if s.code == wanted), None) if wanted not in (None, "all") else sites[0]
    if site is None:
        forbidden()
    context = staff_context(
        actor,
        site,
        sites,
        REPORT_STRINGS,
        labels=labels(),
        today=business_date(site, utcnow()).isoformat(),
        chosen="all" if wanted == "all" and len(sites) > 1 else site.code,
        preset=request.args.get("preset") if request.args.get("preset") in PRESETS else None,
        date_from=request.args.get("from"),
        date_to=request.args.get("to"),
        sections=list(export.SECTIONS),
    )
    fee_methods = [gettext(dossier_labels.FEE_PAYMENT[method]) for method in FeePayment.METHODS]
    return render_template(
        "reports/report.html", nav="report", presets=PRESETS, fee_methods=fee_methods, **context
    )


@bp.get("/live")
def choose_dashboard():
    """The dashboard of ``?site=``, else of the first centre the user supervises."""
    sites = supervised(signed_in())
    wanted = request.args.get("site")
    site = next((s for s in sites if s.code == wanted), sites[0])
    return redirect(url_for(".dashboard", site_code=site.code))


@bp.get("/live/<site_code>")
def dashboard(site_code: str):
    actor = signed_in()
    site, sites = chosen_site(actor, Action.SUPERVISE, centres_only=True, wanted=site_code)
    context = staff_context(actor, site, sites, DASHBOARD_STRINGS, labels=labels())
    return render_template(
        "reports/dashboard.html",
        nav="dashboard",
        site_switch_action=url_for(".choose_dashboard"),
        **context,
    )
