"""Taking in dossiers (tiếp nhận): the intake form, corrections before the server has the
dossier, the scanner's CCCD, and the list of the day's intakes with their receipts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for

from hardware.scanning import ScanError, parse
from queue_server.dossiers import rules
from queue_server.dossiers.rules import Delivery, FeePayment

from .. import ClerkError, intake
from ..extension import current_postal
from ..printing import print_receipt, receipt_for, try_print
from ..store import OpState, local_day, local_now, utcnow

bp = Blueprint("intake", __name__)

# How long saving an intake waits for the server (when it was reachable a moment ago), so that
# the receipt can carry the due date and the tracking link; offline it prints at once.
RECEIPT_WAIT_SECONDS = 4.0


def print_dossier(code: str, wait: bool) -> str | None:
    """Print the receipt; first let the sync push it if the server was just reachable."""
    postal = current_postal()
    loop = postal.loop
    if wait and loop is not None and loop.syncer.status.state == "online":
        loop.wait_round(RECEIPT_WAIT_SECONDS)
    dossier = postal.store.dossier(code) or abort(404)
    error = try_print(print_receipt, postal.settings.printer, receipt_for(dossier, postal.store.catalogue()))
    if error is None:
        postal.store.mark_printed(code)
    return error


def render_intake(values: dict, errors: list[str], status: int = 200, editing: dict | None = None):
    postal = current_postal()
    catalogue = postal.store.catalogue()
    return (
        render_template(
            "intake.html",
            catalogue=catalogue,
            procedure_facts=intake.procedure_facts(catalogue),
            notice=intake.privacy_notice(catalogue),
            values=values,
            errors=errors,
            editing=editing,
            extra=intake.EXTRA,
            counts=intake.COUNTS,
            scan_max_mb=postal.settings.attachment_max_bytes // 2**20,
        ),
        status,
    )


def uploads() -> list[intake.Upload]:
    return [
        intake.Upload(file.filename or "scan", file.read())
        for file in request.files.getlist("attachments")
        if file and file.filename
    ]


@bp.get("/")
def home():
    return redirect(url_for("intake.intake_form"))


@bp.get("/intake")
def intake_form():
    catalogue = current_postal().store.catalogue() or {}
    centres = catalogue.get("centres") or []
    values = {
        "site": centres[0]["site"] if len(centres) == 1 else "",
        # The server's defaults for what the form leaves out (IntakeSchema).
        "sets": str(rules.SETS_MIN),
        "fee_payment": FeePayment.CASH,
        "delivery": Delivery.COUNTER,
    }
    return render_intake(values, [])


@bp.post("/intake")
def intake_save():
    postal = current_postal()
    store = postal.store
    try:
        body, names, attachments = intake.parse(
            request.form, uploads(), store.catalogue(), postal.settings.attachment_max_bytes, g.clerk.name
        )
        code = store.add_dossier(body, names, local_now(), attachments)
    except intake.IntakeInvalid as invalid:
        return render_intake(request.form.to_dict(), invalid.errors, 422)
    except ClerkError as error:
        return render_intake(request.form.to_dict(), [str(error)], 422)
    postal.kick()
    failure = print_dossier(code, wait=True)
    if failure:
        flash(f"Đã lưu hồ sơ {code} nhưng chưa in được biên nhận. {failure}", "warn")
    else:
        flash(f"Đã lưu hồ sơ {code} và in biên nhận.", "ok")
    return redirect(url_for("intake.dossier_list", highlight=code))


@bp.route("/dossiers/<code>/edit", methods=["GET", "POST"])
def dossier_edit(code):
    postal = current_postal()
    store = postal.store
    dossier = store.dossier(code) or abort(404)
    if dossier["state"] not in OpState.EDITABLE:
        raise ClerkError(f"Hồ sơ {code} đã gửi lên máy chủ nên không sửa được nữa.")
    if request.method == "GET":
        return render_intake(intake.form_values(dossier["body"], store.catalogue()), [], editing=dossier)
    try:
        # The clerk who received the dossier stays its receiver when another one corrects it.
        receiver = dossier["body"]["received_by_name"]
        body, names, _ = intake.parse(
            request.form, [], store.catalogue(), postal.settings.attachment_max_bytes, receiver
        )
        store.update_dossier(code, body, names)
    except intake.IntakeInvalid as invalid:
        return render_intake(request.form.to_dict(), invalid.errors, 422, editing=dossier)
    except ClerkError as error:
        return render_intake(request.form.to_dict(), [str(error)], 422, editing=dossier)
    postal.kick()
    flash(f"Đã sửa hồ sơ {code}; hồ sơ sẽ được gửi lại.", "ok")
    return redirect(url_for("intake.dossier_view", code=code))


@bp.post("/scan")
def scan():
    """What a scanner typed into a scan field: a CCCD fills the applicant or recipient."""
    text = (request.get_json(silent=True) or {}).get("text", "")
    try:
        scanned = parse(text)
    except ScanError:
        return jsonify(error="Không đọc được mã vừa quét: hãy quét mã QR trên căn cước công dân."), 422
    if scanned.kind != "citizen_id":
        return jsonify(error="Mã vừa quét không phải mã QR trên căn cước công dân."), 422
    fields = scanned.fields
    return jsonify(
        name=fields["full_name"],
        id_number=fields["id_number"],
        address=fields["address"],
        date_of_birth=fields["date_of_birth"].strftime("%d/%m/%Y"),
        sex=fields["sex"],
    )


@bp.get("/dossiers")
def dossier_list():
    search = (request.args.get("q") or "").strip()
    try:
        day = date.fromisoformat(request.args["day"]) if request.args.get("day") else local_day(utcnow())
    except ValueError:
        day = local_day(utcnow())
    dossiers = current_postal().store.dossiers(None if search else day, search or None)
    return render_template(
        "dossiers.html",
        dossiers=dossiers,
        day=day,
        search=search,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        highlight=request.args.get("highlight"),
    )


@bp.get("/dossiers/<code>")
def dossier_view(code):
    store = current_postal().store
    dossier = store.dossier(code) or abort(404)
    found = intake.find_procedure(store.catalogue(), dossier["site"], dossier["procedure"])
    return render_template(
        "dossier.html",
        dossier=dossier,
        processing_time=intake.processing_time(found[1]) if found else "",
    )


@bp.post("/dossiers/<code>/print")
def dossier_print(code):
    error = print_dossier(code, wait=False)
    flash(error or f"Đã in lại biên nhận {code}.", "warn" if error else "ok")
    return redirect(url_for("intake.dossier_view", code=code))
