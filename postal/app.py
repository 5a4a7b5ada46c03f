"""The clerk's pages, served on 127.0.0.1 by the client itself: they work with no server.

Views are thin: they read the form, call :class:`~.store.Store` (which writes each record and
its outbox operation together), wake the sync loop and print. What the clerk typed wrong comes
back as a readable Vietnamese message in the page, with the form as it was. The pages hold
personal data (the applicants), so they answer only to a browser on this machine (the Host
header must be local, against DNS rebinding), every form carries a session token (against
another site posting into them) and every answer the server's security headers (no injected
script runs, no other site frames them: :mod:`queue_server.headers`). A clerk logs in once per
shift (:mod:`.shift`); every page but the login asks for one, and records in their name.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import (
    Flask,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from hardware.scanning import ScanError, parse
from queue_server.dossiers import labels as dossier_labels
from queue_server.dossiers.rules import ID_NUMBER
from queue_server.headers import SecurityHeaders

from . import ClerkError, intake, shift
from .config import Settings
from .printing import (
    PrintError,
    local_time,
    manifest_for,
    post_office_name,
    print_manifest,
    print_receipt,
    receipt_for,
)
from .store import LOCAL_TZ, Kind, OpState, Store, iso, local_day, utcnow
from .sync import SyncLoop

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
# Pages open without a shift: the login itself, the style and script, the connection badge.
OPEN_ENDPOINTS = {"login", "static", "status"}
# How long saving an intake waits for the server (when it was reachable a moment ago), so that
# the receipt can carry the due date and the tracking link; offline it prints at once.
RECEIPT_WAIT_SECONDS = 4.0

KINDS = {
    Kind.RECEIVE: "Tiếp nhận hồ sơ",
    Kind.OPEN_MANIFEST: "Gửi bảng kê",
    Kind.SCAN: "Quét nhận hồ sơ",
    Kind.FINISH: "Kết thúc nhận bảng kê",
    Kind.DELIVER: "Phát kết quả",
    Kind.UNDELIVER: "Phát không thành công",
}
OP_STATES = {
    OpState.PENDING: "Chờ gửi",
    OpState.SENT: "Chờ gửi",
    OpState.DONE: "Đã gửi",
    OpState.REJECTED: "Bị từ chối",
}
MANIFEST_STATUSES = {
    "open": "Đang lập",
    "closed": "Đang chuyển",
    "receiving": "Đang nhận",
    "received": "Đã nhận xong",
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


def create_app(settings: Settings, store: Store, loop: SyncLoop | None = None) -> Flask:
    """The pages over ``store``; ``loop`` (when given) is woken after each record and shows
    the connection state in the header."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=store.secret_key(),
        # Several scans of one dossier, each at most the server's limit.
        MAX_CONTENT_LENGTH=5 * settings.attachment_max_bytes + 2**20,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions["postal"] = {
        "settings": settings,
        "store": store,
        "loop": loop,
        "throttle": shift.Throttle(),
    }
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)

    @app.before_request
    def guard():
        if request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS:
            abort(403)
        session.setdefault("csrf", secrets.token_urlsafe(24))
        if request.method == "POST":
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
            if not secrets.compare_digest(given, session["csrf"]):
                return _error_page(400, "Phiên làm việc đã hết hạn. Tải lại trang rồi làm lại thao tác.")
        g.clerk = shift.current(settings)
        if g.clerk is None and request.endpoint not in OPEN_ENDPOINTS:
            if request.is_json:
                return jsonify(error="Ca làm việc đã kết thúc: đăng nhập lại."), 401
            if request.method == "POST":
                flash("Ca làm việc đã kết thúc: đăng nhập lại rồi làm lại thao tác.", "warn")
            return redirect(url_for("login"))
        return None

    @app.context_processor
    def shared():
        catalogue = store.catalogue()
        return {
            "csrf_token": session.get("csrf", ""),
            "clerk": g.get("clerk"),
            "shift_started": local_time(session.get("shift_started")) if g.get("clerk") else "",
            "post_office": post_office_name(catalogue),
            "centre_names": {c["site"]: c["name"] for c in (catalogue or {}).get("centres", [])},
            "agency_code": (catalogue or {}).get("agency_code"),
            "sync": _status(store, loop),
            "op_states": OP_STATES,
            "kinds": KINDS,
            "dossier_statuses": dossier_labels.STATUS,
            "manifest_statuses": MANIFEST_STATUSES,
            "deliveries": intake.DELIVERIES,
            "fee_payments": intake.FEE_PAYMENTS,
        }

    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(intake.money, "money")
    app.add_template_filter(intake.document_line, "document_line")
    app.add_template_filter(refusal, "refusal")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limit = settings.attachment_max_bytes // 2**20
        return _error_page(413, f"Các tệp đính kèm quá lớn: mỗi bản quét tối đa {limit} MB, tối đa 5 tệp.")

    @app.errorhandler(ClerkError)
    def clerk_error(error):
        flash(str(error), "error")
        return redirect(request.referrer or url_for("intake_form"))

    _register(app, settings, store, loop)
    return app


def refusal(op: dict) -> str:
    """Why the server refused an operation, in Vietnamese with the server's own words."""
    known = REFUSALS.get(op.get("error_code") or "", "Máy chủ từ chối.")
    return f"{known} ({op['error_message']})" if op.get("error_message") else known


def _status(store: Store, loop: SyncLoop | None) -> dict:
    counts = store.counts()
    status = loop.syncer.status if loop else None
    state = status.state if status else "unknown"
    labels = {
        "online": "Đã kết nối",
        "offline": "Mất kết nối",
        "refused": "Máy chủ từ chối",
        "unknown": "Chưa đồng bộ",
    }
    last = (
        status.last_success.isoformat() if status and status.last_success else store.get_meta("last_sync_at")
    )
    return {
        "state": state,
        "label": labels[state],
        "message": status.message if status else "",
        "pending": counts["pending"] + counts["sent"],
        "rejected": counts["rejected"],
        "uploads": counts["uploads"],
        "last_success": local_time(last),
    }


def _error_page(status: int, message: str):
    return render_template("error.html", message=message), status


def _now() -> datetime:
    return utcnow().astimezone(LOCAL_TZ)


def _parse_local(value: str | None, field: str) -> datetime:
    """A ``datetime-local`` field (the post office's time); empty means now."""
    if not value:
        return _now()
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise ClerkError(f"{field}: thời điểm không hợp lệ.") from None
    if moment > _now() + timedelta(minutes=5):
        raise ClerkError(f"{field}: thời điểm ở tương lai.")
    return moment


def _register(app: Flask, settings: Settings, store: Store, loop: SyncLoop | None) -> None:
    def kick() -> None:
        if loop is not None:
            loop.kick()

    def try_print(action, *args) -> str | None:
        try:
            action(settings.printer, *args)
        except PrintError as error:
            return str(error)
        return None

    def print_dossier(code: str, wait: bool) -> str | None:
        """Print the receipt; first let the sync push it if the server was just reachable."""
        if wait and loop is not None and loop.syncer.status.state == "online":
            loop.wait_round(RECEIPT_WAIT_SECONDS)
        dossier = store.dossier(code)
        error = try_print(print_receipt, receipt_for(dossier, store.catalogue()))
        if error is None:
            store.mark_printed(code)
        return error

    @app.get("/")
    def home():
        return redirect(url_for("intake_form"))

    # --- the clerk's shift ----------------------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET" and g.clerk is not None:
            return redirect(url_for("intake_form"))
        username = request.form.get("username", "")
        error = None
        if request.method == "POST":
            throttle = app.extensions["postal"]["throttle"]
            try:
                clerk = shift.begin(settings, throttle, username, request.form.get("password", ""))
            except shift.LoginRefused as refused:
                error = str(refused)
            else:
                flash(f"Bắt đầu ca làm việc của {clerk.name}.", "ok")
                return redirect(url_for("intake_form"))
        return (
            render_template("login.html", clerks=settings.clerks, username=username, error=error),
            401 if error else 200,
        )

    @app.post("/logout")
    def logout():
        name = g.clerk.name
        shift.end()
        flash(f"Đã kết thúc ca làm việc của {name}.", "ok")
        return redirect(url_for("login"))

    # --- intake ---------------------------------------------------------------------------

    def render_intake(values: dict, errors: list[str], status: int = 200, editing: dict | None = None):
        catalogue = store.catalogue()
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
            ),
            status,
        )

    def uploads() -> list[intake.Upload]:
        return [
            intake.Upload(file.filename or "scan", file.read())
            for file in request.files.getlist("attachments")
            if file and file.filename
        ]

    @app.get("/intake")
    def intake_form():
        catalogue = store.catalogue() or {}
        centres = catalogue.get("centres") or []
        values = {
            "site": centres[0]["site"] if len(centres) == 1 else "",
            "sets": "1",
            "fee_payment": "cash",
            "delivery": "counter",
        }
        return render_intake(values, [])

    @app.post("/intake")
    def intake_save():
        try:
            body, names, attachments = intake.parse(
                request.form, uploads(), store.catalogue(), settings.attachment_max_bytes, g.clerk.name
            )
            code = store.add_dossier(body, names, _now(), attachments)
        except intake.IntakeInvalid as invalid:
            return render_intake(request.form.to_dict(), invalid.errors, 422)
        except ClerkError as error:
            return render_intake(request.form.to_dict(), [str(error)], 422)
        kick()
        error = print_dossier(code, wait=True)
        if error:
            flash(f"Đã lưu hồ sơ {code} nhưng chưa in được biên nhận. {error}", "warn")
        else:
            flash(f"Đã lưu hồ sơ {code} và in biên nhận.", "ok")
        return redirect(url_for("dossier_list", highlight=code))

    @app.route("/dossiers/<code>/edit", methods=["GET", "POST"])
    def dossier_edit(code):
        dossier = store.dossier(code) or abort(404)
        if dossier["state"] not in (OpState.PENDING, OpState.REJECTED):
            raise ClerkError(f"Hồ sơ {code} đã gửi lên máy chủ nên không sửa được nữa.")
        if request.method == "GET":
            return render_intake(intake.form_values(dossier["body"], store.catalogue()), [], editing=dossier)
        try:
            # The clerk who received the dossier stays its receiver when another one corrects it.
            receiver = dossier["body"]["received_by_name"]
            body, names, _ = intake.parse(
                request.form, [], store.catalogue(), settings.attachment_max_bytes, receiver
            )
            store.update_dossier(code, body, names)
        except intake.IntakeInvalid as invalid:
            return render_intake(request.form.to_dict(), invalid.errors, 422, editing=dossier)
        except ClerkError as error:
            return render_intake(request.form.to_dict(), [str(error)], 422, editing=dossier)
        kick()
        flash(f"Đã sửa hồ sơ {code}; hồ sơ sẽ được gửi lại.", "ok")
        return redirect(url_for("dossier_view", code=code))

    @app.post("/scan")
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

    # --- today's intakes --------------------------------------------------------------------

    @app.get("/dossiers")
    def dossier_list():
        search = (request.args.get("q") or "").strip()
        try:
            day = date.fromisoformat(request.args["day"]) if request.args.get("day") else local_day(utcnow())
        except ValueError:
            day = local_day(utcnow())
        dossiers = store.dossiers(None if search else day, search or None)
        return render_template(
            "dossiers.html",
            dossiers=dossiers,
            day=day,
            search=search,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            highlight=request.args.get("highlight"),
        )

    @app.get("/dossiers/<code>")
    def dossier_view(code):
        dossier = store.dossier(code) or abort(404)
        found = intake.find_procedure(store.catalogue(), dossier["site"], dossier["procedure"])
        return render_template(
            "dossier.html",
            dossier=dossier,
            processing_time=intake.processing_time(found[1]) if found else "",
        )

    @app.post("/dossiers/<code>/print")
    def dossier_print(code):
        store.dossier(code) or abort(404)
        error = print_dossier(code, wait=False)
        flash(error or f"Đã in lại biên nhận {code}.", "warn" if error else "ok")
        return redirect(url_for("dossier_view", code=code))

    @app.post("/operations/<op_id>/retry")
    def operation_retry(op_id):
        store.retry(op_id)
        kick()
        flash("Thao tác sẽ được gửi lại.", "ok")
        return redirect(request.referrer or url_for("outbox"))

    @app.get("/outbox")
    def outbox():
        return render_template(
            "outbox.html",
            rejected=store.operations(OpState.REJECTED),
            waiting=store.operations(OpState.PENDING) + store.operations(OpState.SENT),
        )

    @app.post("/sync")
    def sync_now():
        if loop is not None:
            status = loop.syncer.status
            if not loop.wait_round(10):
                flash("Đang đồng bộ: kết quả hiện ở góc trên của trang.", "warn")
            elif status.state == "online":
                flash("Đã đồng bộ với máy chủ.", "ok")
            else:
                flash(f"Chưa đồng bộ được: {status.message}", "warn")
        return redirect(request.referrer or url_for("intake_form"))

    @app.get("/status")
    def status():
        return jsonify(_status(store, loop))

    # --- manifests to the centre ------------------------------------------------------------

    @app.get("/manifests")
    def manifest_list():
        catalogue = store.catalogue() or {}
        unassigned = store.unassigned()
        centres = [
            {**centre, "dossiers": [d for d in unassigned if d["site"] == centre["site"]]}
            for centre in catalogue.get("centres", [])
        ]
        return render_template("manifests.html", manifests=store.manifests(), centres=centres)

    @app.post("/manifests")
    def manifest_create():
        site = request.form.get("site", "")
        centre = next((c for c in (store.catalogue() or {}).get("centres", []) if c["site"] == site), None)
        if centre is None:
            raise ClerkError("Chọn trung tâm nhận bảng kê.")
        manifest_id = store.create_manifest(site, centre["name"], request.form.getlist("dossiers"))
        flash("Đã lập bảng kê nháp: kiểm tra danh sách rồi chốt và in.", "ok")
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    @app.get("/manifests/<int:manifest_id>")
    def manifest_view(manifest_id):
        manifest = store.manifest(manifest_id) or abort(404)
        candidates = store.unassigned(manifest["to_site"]) if manifest["state"] == "draft" else []
        remote_items = (manifest["remote"] or {}).get("items", [])
        return render_template(
            "manifest.html",
            manifest=manifest,
            candidates=candidates,
            remote_states={item["dossier"]: item["state"] for item in remote_items},
            remote_extras=[item for item in remote_items if item["state"] == "extra"],
        )

    @app.post("/manifests/<int:manifest_id>/add")
    def manifest_add(manifest_id):
        store.add_to_manifest(manifest_id, request.form.getlist("dossiers"))
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    @app.post("/manifests/<int:manifest_id>/remove")
    def manifest_remove(manifest_id):
        store.remove_from_manifest(manifest_id, request.form.get("dossier", ""))
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    @app.post("/manifests/<int:manifest_id>/delete")
    def manifest_delete(manifest_id):
        store.delete_draft(manifest_id)
        flash("Đã hủy bảng kê nháp.", "ok")
        return redirect(url_for("manifest_list"))

    @app.post("/manifests/<int:manifest_id>/close")
    def manifest_close(manifest_id):
        code = store.close_manifest(manifest_id, _now(), g.clerk.name)
        kick()
        error = try_print(print_manifest, manifest_for(store.manifest(manifest_id), store.catalogue()))
        if error:
            flash(f"Đã chốt bảng kê {code} nhưng chưa in được. {error}", "warn")
        else:
            flash(f"Đã chốt và in bảng kê {code}.", "ok")
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    @app.post("/manifests/<int:manifest_id>/print")
    def manifest_print(manifest_id):
        manifest = store.manifest(manifest_id) or abort(404)
        if manifest["state"] != "closed":
            raise ClerkError("Chốt bảng kê trước khi in.")
        error = try_print(print_manifest, manifest_for(manifest, store.catalogue()))
        flash(error or f"Đã in lại bảng kê {manifest['code']}.", "warn" if error else "ok")
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    @app.post("/manifests/<int:manifest_id>/reopen")
    def manifest_reopen(manifest_id):
        store.reopen_manifest(manifest_id)
        flash("Bảng kê đã mở lại: sửa danh sách rồi chốt lại.", "ok")
        return redirect(url_for("manifest_view", manifest_id=manifest_id))

    # --- return manifests and deliveries ------------------------------------------------------

    @app.get("/inbox")
    def inbox_list():
        return render_template("inbox.html", manifests=store.inbox())

    @app.post("/inbox/open")
    def inbox_open():
        """The clerk scanned a manifest's barcode on the inbox page: open that manifest."""
        code = request.form.get("code", "").strip()
        manifest = store.inbox_manifest(code)
        if manifest is None:
            raise ClerkError(
                f"Không có bảng kê “{code}” trong danh sách nhận; bấm “Đồng bộ ngay” để tải lại."
            )
        if not manifest["finished"]:
            store.scan_in(code, code, _now())
            kick()
        return redirect(url_for("inbox_view", code=code))

    @app.get("/inbox/<code>")
    def inbox_view(code):
        manifest = store.inbox_manifest(code) or abort(404)
        return render_template("inbox_manifest.html", manifest=manifest, last=request.args.get("last"))

    @app.post("/inbox/<code>/scan")
    def inbox_scan(code):
        scanned = request.form.get("code", "").strip()
        if not scanned:
            raise ClerkError("Quét hoặc nhập mã hồ sơ.")
        outcome = store.scan_in(code, scanned, _now())
        kick()
        messages = {
            "manifest": ("ok", f"Bắt đầu nhận bảng kê {code}: quét lần lượt từng hồ sơ."),
            "arrived": ("ok", f"Đã nhận hồ sơ {scanned}."),
            "extra": ("warn", f"Hồ sơ {scanned} không có trong bảng kê: đã ghi là thừa."),
            "again": ("warn", f"{scanned} đã được quét trước đó."),
        }
        category, message = messages[outcome]
        flash(message, category)
        return redirect(url_for("inbox_view", code=code, last=scanned))

    @app.post("/inbox/<code>/finish")
    def inbox_finish(code):
        counts = store.finish_inbox(code, _now())
        kick()
        flash(
            f"Đã kết thúc nhận bảng kê {code}: nhận {counts['arrived']}, thiếu {counts['missing']},"
            f" thừa {counts['extra']}.",
            "warn" if counts["missing"] or counts["extra"] else "ok",
        )
        return redirect(url_for("inbox_view", code=code))

    @app.route("/inbox/<code>/deliver/<dossier>", methods=["GET", "POST"])
    def inbox_deliver(code, dossier):
        manifest = store.inbox_manifest(code) or abort(404)
        item = next((i for i in manifest["items"] if i["dossier"] == dossier), None) or abort(404)
        values = request.form.to_dict() if request.method == "POST" else {"outcome": "delivered"}
        errors: list[str] = []
        if request.method == "POST":
            try:
                delivered, body = _delivery_body(request.form)
                store.record_delivery(code, dossier, delivered, body)
            except ClerkError as error:
                errors = [str(error)]
            else:
                kick()
                flash(
                    f"Đã ghi nhận phát kết quả {dossier}."
                    if delivered
                    else f"Đã ghi phát không thành công {dossier}.",
                    "ok",
                )
                return redirect(url_for("inbox_view", code=code))
        return (
            render_template("deliver.html", manifest=manifest, item=item, values=values, errors=errors),
            422 if errors else 200,
        )


def _delivery_body(form) -> tuple[bool, dict]:
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
        at = _parse_local(form.get("at"), "Thời điểm phát")
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
        body = {"reason": reason, "attempted_at": iso(_parse_local(form.get("at"), "Thời điểm phát"))}
    else:
        raise ClerkError("Chọn phát thành công hay không phát được.")
    if errors:
        raise ClerkError(" ".join(errors))
    return delivered, body
