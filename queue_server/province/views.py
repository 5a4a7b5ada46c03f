"""``/reports/province``: the reconciliation page of the hand-off to the provincial system, for
a site's supervisors and admins (``Action.PROVINCE_HANDOFF``): each dossier change told to the
province, when, how many attempts, acknowledged / refused (with the province's reason) /
waiting / failed, filtered by status and dossier code; "Gửi lại" for a refused or failed one;
and the site's link (endpoint, adapter, credentials whose secret is never shown back). Served
whole by the server (forms, no script): it shows no personal data."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import Action, require
from ..database import db
from ..dossiers import lifecycle
from ..errors import ApiError
from ..staffpages import chosen_site, signed_in, staff_context, translated
from ..web import N_
from . import operations, queries
from .models import Adapter, MessageStatus
from .presenters import link_view
from .statuses import ACTION_LABELS, DEFAULT_CODES

bp = Blueprint("province_pages", __name__, template_folder="templates", url_prefix="/reports/province")

STATUSES = {
    MessageStatus.PENDING: N_("Chờ gửi"),
    MessageStatus.SENDING: N_("Đang gửi"),
    MessageStatus.ACKNOWLEDGED: N_("Tỉnh đã nhận"),
    MessageStatus.REFUSED: N_("Tỉnh từ chối"),
    MessageStatus.FAILED: N_("Gửi không được"),
}
FILTERS = {
    "": N_("Tất cả"),
    "waiting": N_("Đang chờ"),
    MessageStatus.ACKNOWLEDGED: N_("Tỉnh đã nhận"),
    MessageStatus.REFUSED: N_("Tỉnh từ chối"),
    MessageStatus.FAILED: N_("Gửi không được"),
}
# What a message tells the province (statuses.payload), as the page names it.
FIELDS = {
    "dossier_code": N_("Mã hồ sơ"),
    "province_dossier_code": N_("Mã hồ sơ trên hệ thống tỉnh"),
    "procedure_code": N_("Mã thủ tục"),
    "status_code": N_("Mã trạng thái"),
    "at": N_("Thời điểm"),
    "agency_code": N_("Mã cơ quan"),
    "agency_name": N_("Cơ quan"),
    "due_at": N_("Hạn trả kết quả"),
}
ADAPTERS = {Adapter.JSON: N_("JSON qua HTTPS"), Adapter.SOAP: N_("SOAP qua HTTPS")}
LINK_ERRORS = {
    "missing_field": N_("Nhập địa chỉ tiếp nhận của hệ thống tỉnh."),
    "invalid_endpoint_url": N_("Địa chỉ tiếp nhận phải bắt đầu bằng https://."),
    "invalid_timeout": N_("Thời gian chờ từ 1 đến 120 giây."),
    "invalid_status_codes": N_(
        "Mã trạng thái gồm tối đa 20 chữ cái, chữ số, dấu chấm, gạch dưới hoặc gạch ngang."
    ),
    "invalid_field": N_("Giá trị không hợp lệ."),
}
NOTICES = {
    "resent": N_("Đã đưa lại vào hàng gửi."),
    "saved": N_("Đã lưu kết nối với hệ thống tỉnh."),
    "not_resendable": N_("Chỉ gửi lại được thông điệp bị từ chối hoặc gửi không được."),
}


def _page(site, sites, actor, *, error: str | None = None, status=200):
    session = db.session()
    status_filter = request.args.get("status", "")
    if status_filter not in FILTERS:
        status_filter = ""
    dossier = (request.args.get("dossier") or "").strip()[:60]
    rows = queries.messages(session, site, status_filter or None, dossier or None)
    context = staff_context(actor, site, sites, ())
    notice = NOTICES.get(request.args.get("done", ""))
    return (
        render_template(
            "province/reconciliation.html",
            nav="province",
            rows=rows,
            counts=queries.counts(session, site),
            link=link_view(operations.link_of(session, site)),
            statuses=translated(STATUSES),
            filters=translated(FILTERS),
            actions=translated(ACTION_LABELS),
            adapters=translated(ADAPTERS),
            fields=translated(FIELDS),
            defaults=DEFAULT_CODES,
            status_filter=status_filter,
            dossier=dossier,
            limit=queries.LIMIT,
            error=_(error) if error else None,
            notice=_(notice) if notice else None,
            resendable=MessageStatus.RESENDABLE,
            **context,
        ),
        status,
    )


@bp.get("")
def reconciliation_page():
    """The messages of ``?site=``, else of the first centre the user supervises."""
    actor = signed_in()
    site, sites = chosen_site(actor, Action.PROVINCE_HANDOFF, centres_only=True)
    return _page(site, sites, actor)


@bp.post("/<int:message_id>/resend")
def resend(message_id: int):
    actor = signed_in()
    site, _sites = chosen_site(actor, Action.PROVINCE_HANDOFF, centres_only=True)
    require(Action.PROVINCE_HANDOFF, site.id)
    session = db.session()
    done = "resent"
    try:
        message = operations.get_message(session, site, message_id)
        operations.resend(session, message, lifecycle.actor_name(actor))
        db.session.commit()
    except ApiError:
        db.session.rollback()
        done = "not_resendable"
    # Back to the same filters (url_for leaves out the None ones).
    status, dossier = request.form.get("status") or None, request.form.get("dossier") or None
    return redirect(
        url_for(".reconciliation_page", site=site.code, done=done, status=status, dossier=dossier)
    )


@bp.post("/link")
def save_link():
    actor = signed_in()
    site, sites = chosen_site(actor, Action.PROVINCE_HANDOFF, centres_only=True)
    require(Action.PROVINCE_HANDOFF, site.id)
    session = db.session()
    form = request.form
    current = operations.link_of(session, site)
    try:
        timeout = float(form.get("timeout_seconds") or 10)
    except ValueError:
        timeout = 0.0
    data = {
        "enabled": form.get("enabled") == "on",
        "adapter": form.get("adapter", Adapter.JSON),
        "endpoint_url": form.get("endpoint_url"),
        "username": form.get("username"),
        # A blank password field keeps the secret saved (it is never shown back).
        "secret": form.get("secret") or None,
        "timeout_seconds": timeout,
        # A code that differs from the default is the site's own ("" = not sent).
        "status_codes": {
            action: form.get(f"code-{action}", default).strip()
            for action, default in DEFAULT_CODES.items()
            if form.get(f"code-{action}", default).strip() != default
        },
        "personal_data": form.get("personal_data") == "on",
        "soap_action": current.soap_action if current is not None else None,
        "soap_namespace": current.soap_namespace if current is not None else None,
    }
    try:
        operations.save_link(session, site, data)
        db.session.commit()
    except ApiError as error:
        db.session.rollback()
        return _page(
            site, sites, actor, error=LINK_ERRORS.get(error.code, LINK_ERRORS["invalid_field"]), status=400
        )
    return redirect(url_for(".reconciliation_page", site=site.code, done="saved"))
