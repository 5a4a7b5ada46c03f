"""Return manifests and deliveries (bảng kê nhận, phát kết quả): the clerk scans a manifest
from the centre and each result in its bag, ends the reception, and records each delivery
to the citizen, or why it failed."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from queue_server.dossiers.rules import CLOCK_SKEW, ID_NUMBER
from queue_server.evaluations.criteria import TT01_2018

from .. import ClerkError
from ..extension import current_postal
from ..store import LOCAL_TZ, iso, local_now

bp = Blueprint("inbox", __name__)

# What each scan at the reception was (:meth:`~postal.store.Store.scan_in`), told the clerk.
SCANNED = {
    "manifest": ("ok", "Bắt đầu nhận bảng kê {code}: quét lần lượt từng hồ sơ."),
    "arrived": ("ok", "Đã nhận hồ sơ {scanned}."),
    "extra": ("warn", "Hồ sơ {scanned} không có trong bảng kê: đã ghi là thừa."),
    "again": ("warn", "{scanned} đã được quét trước đó."),
}


@bp.get("/inbox")
def inbox_list():
    return render_template("inbox.html", manifests=current_postal().store.inbox())


@bp.post("/inbox/open")
def inbox_open():
    """The clerk scanned a manifest's barcode on the inbox page: open that manifest."""
    postal = current_postal()
    code = request.form.get("code", "").strip()
    manifest = postal.store.inbox_manifest(code)
    if manifest is None:
        raise ClerkError(f"Không có bảng kê “{code}” trong danh sách nhận; bấm “Đồng bộ ngay” để tải lại.")
    if not manifest["finished"]:
        postal.store.scan_in(code, code, local_now())
        postal.kick()
    return redirect(url_for("inbox.inbox_view", code=code))


@bp.get("/inbox/<code>")
def inbox_view(code):
    manifest = current_postal().store.inbox_manifest(code) or abort(404)
    return render_template("inbox_manifest.html", manifest=manifest, last=request.args.get("last"))


@bp.post("/inbox/<code>/scan")
def inbox_scan(code):
    postal = current_postal()
    scanned = request.form.get("code", "").strip()
    if not scanned:
        raise ClerkError("Quét hoặc nhập mã hồ sơ.")
    outcome = postal.store.scan_in(code, scanned, local_now())
    postal.kick()
    category, message = SCANNED[outcome]
    flash(message.format(code=code, scanned=scanned), category)
    return redirect(url_for("inbox.inbox_view", code=code, last=scanned))


@bp.post("/inbox/<code>/finish")
def inbox_finish(code):
    postal = current_postal()
    counts = postal.store.finish_inbox(code, local_now())
    postal.kick()
    flash(
        f"Đã kết thúc nhận bảng kê {code}: nhận {counts['arrived']}, thiếu {counts['missing']},"
        f" thừa {counts['extra']}.",
        "warn" if counts["missing"] or counts["extra"] else "ok",
    )
    return redirect(url_for("inbox.inbox_view", code=code))


@bp.route("/inbox/<code>/deliver/<dossier>", methods=["GET", "POST"])
def inbox_deliver(code, dossier):
    postal = current_postal()
    manifest = postal.store.inbox_manifest(code) or abort(404)
    item = next((i for i in manifest["items"] if i["dossier"] == dossier), None) or abort(404)
    values = request.form.to_dict() if request.method == "POST" else {"outcome": "delivered"}
    errors: list[str] = []
    if request.method == "POST":
        try:
            delivered, body = delivery_body(request.form)
            answers = evaluation_answers(request.form) if delivered else None
            postal.store.record_delivery(code, dossier, delivered, body, answers)
        except ClerkError as error:
            errors = [str(error)]
        else:
            postal.kick()
            flash(
                f"Đã ghi nhận phát kết quả {dossier}."
                if delivered
                else f"Đã ghi phát không thành công {dossier}.",
                "ok",
            )
            return redirect(url_for("inbox.inbox_view", code=code))
    return (
        render_template(
            "deliver.html",
            manifest=manifest,
            item=item,
            values=values,
            errors=errors,
            criteria=TT01_2018.asked,
        ),
        422 if errors else 200,
    )


def parse_local(value: str | None, field: str) -> datetime:
    """A ``datetime-local`` field (the post office's time); empty means now."""
    if not value:
        return local_now()
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise ClerkError(f"{field}: thời điểm không hợp lệ.") from None
    if moment > local_now() + CLOCK_SKEW:
        raise ClerkError(f"{field}: thời điểm ở tương lai.")
    return moment


def evaluation_answers(form) -> dict | None:
    """The citizen's evaluation of the dossier, asked at the delivery (optional: none, or an
    answer to every question the citizen is asked, ``evaluations/criteria.py``). The server
    computes the other indices from the dossier's history when the operation arrives."""
    answers = {c.code: form.get(f"evaluation_{c.code}") for c in TT01_2018.asked}
    if not any(answers.values()):
        return None
    if not all(answers.values()):
        raise ClerkError("Đánh giá của công dân: chọn câu trả lời cho mọi tiêu chí, hoặc để trống cả ba.")
    return answers


def delivery_body(form) -> tuple[bool, dict]:
    """The delivery form as an operation's body (``dossier.deliver`` / ``undeliver``)."""
    errors = []
    delivered = form.get("outcome") == "delivered"
    if delivered:
        name = " ".join(form.get("recipient_name", "").split())
        id_number = form.get("recipient_id_number", "").replace(" ", "")
        proxy = form.get("proxy") == "1"
        authorisation = " ".join(form.get("authorisation", "").split())
        if not name:
            errors.append("Nhập họ tên người nhận kết quả.")
        if id_number and not ID_NUMBER.match(id_number):
            errors.append("Số định danh người nhận phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND).")
        if proxy and not authorisation:
            errors.append("Người nhận thay phải xuất trình giấy ủy quyền: ghi số, ngày của giấy ủy quyền.")
        at = parse_local(form.get("at"), "Thời điểm phát")
        body = {
            "recipient_name": name,
            "recipient_id_number": id_number or None,
            "proxy": proxy,
            "authorisation": authorisation or None,
            "delivered_at": iso(at),
        }
    elif form.get("outcome") == "undelivered":
        reason = " ".join(form.get("reason", "").split())
        if not reason:
            errors.append("Ghi lý do không phát được.")
        body = {"reason": reason, "attempted_at": iso(parse_local(form.get("at"), "Thời điểm phát"))}
    else:
        raise ClerkError("Chọn phát thành công hay không phát được.")
    if errors:
        raise ClerkError(" ".join(errors))
    return delivered, body
