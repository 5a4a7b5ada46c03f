"""What waits for the server: the outbox (operations waiting or refused), sending a refused
one again, "Đồng bộ ngay" and the connection badge the pages poll."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..extension import current_postal
from ..store import OpState

bp = Blueprint("outbox", __name__)


@bp.post("/operations/<op_id>/retry")
def operation_retry(op_id):
    postal = current_postal()
    postal.store.retry(op_id)
    postal.kick()
    flash("Thao tác sẽ được gửi lại.", "ok")
    return redirect(request.referrer or url_for("outbox.outbox"))


@bp.get("/outbox")
def outbox():
    store = current_postal().store
    return render_template(
        "outbox.html",
        rejected=store.operations(OpState.REJECTED),
        waiting=store.operations(OpState.PENDING) + store.operations(OpState.SENT),
    )


@bp.post("/sync")
def sync_now():
    loop = current_postal().loop
    if loop is not None:
        status = loop.syncer.status
        if not loop.wait_round(10):
            flash("Đang đồng bộ: kết quả hiện ở góc trên của trang.", "warn")
        elif status.state == "online":
            flash("Đã đồng bộ với máy chủ.", "ok")
        else:
            flash(f"Chưa đồng bộ được: {status.message}", "warn")
    return redirect(request.referrer or url_for("intake.intake_form"))


@bp.get("/status")
def status():
    return jsonify(current_postal().sync_status())
