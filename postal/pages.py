"""What every page of the client shares: the guard in front of each request, the values and
filters every template reads, the words for the outbox, and the error pages.

The pages hold personal data (the applicants), so they answer only to a browser on this machine
(the Host header must be local, against DNS rebinding), every form carries a session token
(against another site posting into them) and every page but the login asks for a clerk's shift
(:mod:`.shift`). :func:`~.app.create_app` registers these on the application, so that they
cover every blueprint.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import abort, flash, g, jsonify, redirect, render_template, request, session, url_for

from queue_server import scans
from queue_server.dossiers import labels as dossier_labels
from queue_server.dossiers import rules as dossier_rules
from queue_server.manifests.labels import STATUS as MANIFEST_STATUSES
from queue_server.sync.protocol import OperationKind

from . import ClerkError, intake, shift
from .extension import current_postal
from .printing import local_time, post_office_name
from .store import OpState

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
# Pages open without a shift: the login itself, the style and script, the connection badge.
OPEN_ENDPOINTS = {"shift.login", "static", "outbox.status"}
# Scans one intake may carry: the request's size allows this many, each at the server's limit.
SCANS_MAX = 5

KINDS = {
    OperationKind.RECEIVE: "Tiếp nhận hồ sơ",
    OperationKind.OPEN_MANIFEST: "Gửi bảng kê",
    OperationKind.SCAN: "Quét nhận hồ sơ",
    OperationKind.FINISH: "Kết thúc nhận bảng kê",
    OperationKind.DELIVER: "Phát kết quả",
    OperationKind.UNDELIVER: "Phát không thành công",
}
OP_STATES = {
    OpState.PENDING: "Chờ gửi",
    OpState.SENT: "Chờ gửi",
    OpState.DONE: "Đã gửi",
    OpState.REJECTED: "Bị từ chối",
}
# The server's refusals, said the way the clerk can act on them (its own message follows).
REFUSALS = {
    "invalid_received_at": "Thời điểm tiếp nhận bị từ chối (quá cũ hoặc ở tương lai): kiểm tra đồng hồ máy.",
    "not_postal": "Thủ tục không còn được nhận qua bưu điện.",
    "unknown_procedure": "Thủ tục không còn trong danh mục của trung tâm.",
    "unknown_site": "Trung tâm không còn trong danh mục.",
    "unknown_dossier": "Máy chủ chưa có hồ sơ này.",
    "unknown_manifest": "Máy chủ không có bảng kê này.",
    "invalid_applicant": "Thông tin người nộp không hợp lệ.",
    "missing_field": "Thiếu thông tin bắt buộc.",
    "invalid_code": "Mã không hợp lệ.",
    "conflict": "Trùng với dữ liệu đã có trên máy chủ (mã đã được dùng).",
    "on_other_manifest": "Hồ sơ đã nằm trong bảng kê khác.",
    "wrong_manifest": "Hồ sơ không thuộc trung tâm của bảng kê.",
    "manifest_received": "Bảng kê đã được nhận xong.",
    "manifest_open": "Bảng kê chưa được bên gửi chốt.",
    "invalid_transition": "Trạng thái hồ sơ trên máy chủ không cho phép thao tác này.",
    "forbidden": "Bưu điện không có quyền với hồ sơ hay bảng kê này.",
}


def guard():
    """Before every request: a local browser, a valid form token, a clerk on shift."""
    if request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS:
        abort(403)
    session.setdefault("csrf", secrets.token_urlsafe(24))
    if request.method == "POST":
        given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
        if not secrets.compare_digest(given, session["csrf"]):
            return error_page(400, "Phiên làm việc đã hết hạn. Tải lại trang rồi làm lại thao tác.")
    g.clerk = shift.current(current_postal().settings)
    if g.clerk is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.is_json:
            return jsonify(error="Ca làm việc đã kết thúc: đăng nhập lại."), 401
        if request.method == "POST":
            flash("Ca làm việc đã kết thúc: đăng nhập lại rồi làm lại thao tác.", "warn")
        return redirect(url_for("shift.login"))
    return None


def shared() -> dict:
    """What every template reads: the session's token and clerk, the post office, the
    connection badge, and the words of the server's and the outbox's states."""
    postal = current_postal()
    catalogue = postal.store.catalogue()
    return {
        "csrf_token": session.get("csrf", ""),
        "clerk": g.get("clerk"),
        "shift_started": local_time(session.get("shift_started")) if g.get("clerk") else "",
        "post_office": post_office_name(catalogue),
        "centre_names": {c["site"]: c["name"] for c in (catalogue or {}).get("centres", [])},
        "agency_code": (catalogue or {}).get("agency_code"),
        "sync": postal.sync_status(),
        "op_states": OP_STATES,
        "kinds": KINDS,
        "dossier_statuses": dossier_labels.STATUS,
        "manifest_statuses": MANIFEST_STATUSES,
        "deliveries": intake.DELIVERIES,
        "fee_payments": intake.FEE_PAYMENTS,
        "rules": dossier_rules,
        "scans": scans,
        "DossierStatus": dossier_rules.DossierStatus,
        "OperationKind": OperationKind,
        "OpState": OpState,
    }


def refusal(op: dict) -> str:
    """Why the server refused an operation, in Vietnamese with the server's own words."""
    known = REFUSALS.get(op.get("error_code") or "", "Máy chủ từ chối.")
    return f"{known} ({op['error_message']})" if op.get("error_message") else known


FILTERS: dict[str, Callable[..., str]] = {
    "local_time": local_time,
    "money": intake.money,
    "document_line": intake.document_line,
    "refusal": refusal,
}


def error_page(status: int, message: str):
    return render_template("error.html", message=message), status


def too_large(error):
    """The scans of one intake together exceed the request's limit (``MAX_CONTENT_LENGTH``)."""
    limit = current_postal().settings.attachment_max_bytes // 2**20
    return error_page(
        413, f"Các tệp đính kèm quá lớn: mỗi bản quét tối đa {limit} MB, tối đa {SCANS_MAX} tệp."
    )


def clerk_error(error: ClerkError):
    """What the clerk asked cannot be done: say why on the page they came from."""
    flash(str(error), "error")
    return redirect(request.referrer or url_for("intake.intake_form"))
