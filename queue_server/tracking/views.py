"""``/t/<token>``: a ticket's status on the citizen's phone, and the QR code that leads there;
``/d/<key>``: a dossier's status and dates, from the QR code of its receipt, and once its result
exists the citizen's evaluation of how it was handled (evaluations/);
``/p/<centre>/<code>``: a procedure of the catalogue (what to bring, time, fee, post), from
the QR code of the checklist the kiosk prints.

Tokens and keys are unguessable; the pages show no personal data (a procedure's page is the
public catalogue).

The ticket's and the dossier's pages offer notifications (:func:`notify_offer`): this browser's
Web Push where the site uses it and the browser can, else an e-mail address or a phone on the
channels the site uses; ``/push-worker.js`` is the service worker that shows the messages.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..database import db
from ..dossiers import fees, guidance, labels
from ..dossiers.models import Dossier
from ..dossiers.presenters import track_url as dossier_track_url
from ..dossiers.rules import DossierStatus
from ..evaluations import operations as evaluations
from ..evaluations.presenters import FORM_STRINGS as EVALUATION_STRINGS
from ..evaluations.presenters import evaluation_view
from ..evaluations.presenters import form as evaluation_form
from ..notify import vapid
from ..notify.models import ChannelKind
from ..notify.operations import NEAR_TURN_DEFAULT, NEAR_TURN_MAX, enabled_channels
from ..queueing.estimates import ticket_standing
from ..queueing.models import Ticket
from ..queueing.presenters import ticket_public, track_url
from ..ratings import operations as ratings
from ..ratings.presenters import FORM_STRINGS, choices
from ..svgcodes import qr_svg as inline_qr
from ..web import N_, js_strings, page_error, public_url, qr_svg

bp = Blueprint("tracking", __name__, template_folder="templates")

STATUS_TEXTS = (
    N_("Đang chờ"),
    N_("Mời ông/bà đến quầy số {counter}"),
    N_("Đang được phục vụ tại quầy số {counter}"),
    N_("Đã hoàn thành. Cảm ơn ông/bà!"),
    N_("Số của ông/bà đã qua lượt vì vắng mặt khi được gọi. Mời ông/bà đến quầy để được gọi lại."),
    N_("Đã chuyển sang dịch vụ khác, vẫn giữ chỗ"),
    N_("Phiếu đã hủy"),
    N_("Còn {n} người trước ông/bà"),
    N_("Còn 1 người trước ông/bà"),  # English says "1 person", not "1 people"
    N_("Thời gian chờ dự kiến: khoảng {minutes} phút"),
    N_("Chưa có cán bộ tiếp nhận"),
    N_("Ông/Bà là người tiếp theo"),
)


# What the pages' notification block (tracking/_notify.html, static/js/track-notify.js) says.
NOTIFY_STRINGS = (
    N_("Đã bật thông báo trên trình duyệt này"),
    N_(
        "Trình duyệt đang chặn thông báo của trang này. Ông/Bà có thể cho phép trong cài đặt của trình duyệt."
    ),
    N_("Không bật được thông báo trên trình duyệt này."),
    N_("Đã đăng ký nhận thông báo. Mỗi tin đều có đường dẫn để ngừng nhận."),
    N_("Địa chỉ thư điện tử"),
    N_("Số điện thoại di động"),
)
# The API's error codes in the citizen's words (Core.api explains them with these).
NOTIFY_ERRORS = {
    "invalid_phone": N_("Số điện thoại không đúng."),
    "not_a_mobile": N_("Đây không phải số di động."),
    "invalid_email": N_("Địa chỉ thư điện tử không đúng."),
    "invalid_endpoint": N_("Không bật được thông báo trên trình duyệt này."),
    "invalid_keys": N_("Không bật được thông báo trên trình duyệt này."),
    "channel_off": N_("Trung tâm không còn gửi thông báo theo cách này."),
    "too_many_requests": N_("Ông/Bà thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
}
# The channels a citizen may give an address for on the page, as the choice names them.
CONTACT_CHANNELS = {
    ChannelKind.EMAIL: N_("Thư điện tử"),
    ChannelKind.SMS: N_("Tin nhắn SMS"),
    ChannelKind.ZALO: N_("Zalo"),
}


def notify_offer(site_id: int, kind: str, key: str) -> dict:
    """The notification block's configuration: where to subscribe, the channels the site uses,
    and the server's public key when it uses Web Push. Never any address."""
    channels = enabled_channels(db.session, site_id)
    push = ChannelKind.WEBPUSH in channels
    return {
        "url": url_for("tracking_api.subscribe", kind=kind, key=key),
        "push": push,
        "vapidKey": vapid.application_server_key(current_app.config["VAPID_PRIVATE_KEY"]) if push else None,
        "worker": url_for("tracking.push_worker"),
        "scope": f"/{kind}/",
        "contact": [
            {"channel": name, "label": _(label)}
            for name, label in CONTACT_CHANNELS.items()
            if name in channels
        ],
        "nearTurn": NEAR_TURN_DEFAULT if kind == "t" else None,
    }


def notify_errors() -> dict[str, str]:
    return {code: _(text) for code, text in NOTIFY_ERRORS.items()}


@bp.get("/push-worker.js")
def push_worker():
    """The service worker that shows a push message and opens its page. Served from the root
    so that its scope may cover both /t/ and /d/ (a worker's scope cannot reach above its own
    folder, and /static/js/ is below them); always checked for a newer version."""
    response = send_from_directory(current_app.static_folder or "static", "js/push-worker.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _ticket(token: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.public_token == token))


def _dossier(key: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.tracking_key == key))


def _no_dossier():
    return page_error(404, _("Không tìm thấy hồ sơ"), _("Đường dẫn này không ứng với hồ sơ nào."))


@bp.get("/t/<token>")
def ticket_page(token: str):
    ticket = _ticket(token)
    if ticket is None:
        return page_error(404, _("Không tìm thấy phiếu"), _("Đường dẫn này không ứng với phiếu nào."))
    state = {**ticket_public(ticket), **ticket_standing(db.session(), ticket)}
    return render_template(
        "tracking/ticket.html",
        ticket=state,
        site=ticket.site,
        token=token,
        strings=js_strings(*STATUS_TEXTS, *FORM_STRINGS, *NOTIFY_STRINGS),
        errors=notify_errors(),
        notify=notify_offer(ticket.site_id, "t", token),
        near_turn_max=NEAR_TURN_MAX,
        rating_url=url_for("ratings.rate_from_phone", token=token),
        rating_state=ratings.phone_state(db.session(), ticket),
        choices=choices(),
    )


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    """The QR code of the tracking link, as SVG (shown on the kiosk screen and printed)."""
    ticket = _ticket(token)
    if ticket is None:
        return page_error(404, _("Không tìm thấy phiếu"), _("Đường dẫn này không ứng với phiếu nào."))
    return qr_svg(track_url(ticket))


# Steps of a dossier a citizen may see on the tracking page (no names, no notes).
PUBLIC_STEPS = {
    "receive": N_("Tiếp nhận hồ sơ"),
    "request_supplement": N_("Yêu cầu bổ sung hồ sơ"),
    "resubmit": N_("Đã bổ sung hồ sơ"),
    "refuse": N_("Từ chối giải quyết"),
    "stop": N_("Đã dừng giải quyết theo yêu cầu"),
    "transfer": N_("Chuyển cơ quan giải quyết"),
    "start_processing": N_("Cơ quan bắt đầu giải quyết"),
    "apologise": N_("Xin lỗi và đề nghị gia hạn, hẹn lại ngày trả kết quả"),
    "result_ready": N_("Đã có kết quả"),
    "return": N_("Đã trả kết quả"),
    "deliver": N_("Đã phát kết quả qua bưu điện"),
    "undeliver": N_("Bưu điện chưa phát được kết quả"),
}


@bp.get("/d/<key>")
def dossier_page(key: str):
    dossier = _dossier(key)
    if dossier is None:
        return _no_dossier()
    tz = dossier.site.tz
    evaluation = evaluations.evaluation_of(db.session(), dossier)
    steps = [
        {
            "at": event.at.astimezone(tz),
            "label": _(PUBLIC_STEPS[event.action]),
            "items": event.data.get("items") if event.action == "request_supplement" else None,
        }
        for event in dossier.events
        if event.action in PUBLIC_STEPS
    ]
    return render_template(
        "tracking/dossier.html",
        dossier=dossier,
        site=dossier.site,
        status=_(labels.STATUS[dossier.status]),
        outcome=_(labels.OUTCOME[dossier.outcome]) if dossier.outcome else None,
        delivery=_(labels.DELIVERY[dossier.delivery]),
        return_site=(dossier.return_site or dossier.site) if dossier.delivery == "counter" else None,
        ready=dossier.status == DossierStatus.RESULT_READY,
        received_at=dossier.received_at.astimezone(tz),
        due_at=dossier.due_at.astimezone(tz) if dossier.due_at else None,
        apology_due_at=dossier.apology_due_at.astimezone(tz) if dossier.apology_due_at else None,
        steps=steps,
        fee=_fee(dossier),
        strings=js_strings(*NOTIFY_STRINGS, *EVALUATION_STRINGS),
        errors=notify_errors(),
        notify=notify_offer(dossier.site_id, "d", key),
        evaluation_state=evaluations.state(db.session(), dossier),
        evaluation_form=evaluation_form(dossier),
        evaluation=evaluation and evaluation_view(evaluation),
        evaluation_url=url_for("evaluations.evaluate_online", key=key),
    )


def _fee(dossier: Dossier) -> dict | None:
    """The fee as the citizen sees it: the amount, whether it is paid, and while it is due the
    transfer that pays it (the receipt's VietQR code, dossiers/fees.py), so that the citizen
    pays from the phone that opened the page. Nothing personal: the collecting agency's account
    is public on every receipt."""
    if not dossier.registered or not dossier.fee:
        return None
    transfer = fees.transfer(dossier)
    return {
        "amount": labels.money_for_reader(dossier.fee),
        "status": _(labels.FEE_STATUS[dossier.fee_status]),
        "waits": dossier.awaiting_payment,
        "transfer": transfer,
        "qr": inline_qr(transfer.payload, "track-vietqr") if transfer else None,
    }


def _procedure(site_code: str, code: str):
    return guidance.find_procedure(db.session(), site_code, code)


def _no_procedure():
    return page_error(404, _("Không tìm thấy thủ tục"), _("Đường dẫn này không ứng với thủ tục nào."))


@bp.get("/d/<key>/qr.svg")
def dossier_qr(key: str):
    """The QR code of the dossier's page: the counter shows it when it hands the result back,
    so the citizen evaluates on their phone."""
    dossier = _dossier(key)
    if dossier is None:
        return _no_dossier()
    return qr_svg(dossier_track_url(dossier))


@bp.get("/p/<site_code>/<code>")
def procedure_page(site_code: str, code: str):
    """A procedure on anyone's phone: the documents to bring, the time, the fee, the post."""
    procedure = _procedure(site_code, code)
    if procedure is None:
        return _no_procedure()
    return render_template(
        "tracking/procedure.html",
        procedure=procedure,
        facts=guidance.facts(procedure),
        documents=procedure.documents or [],
    )


@bp.get("/p/<site_code>/<code>/qr.svg")
def procedure_qr(site_code: str, code: str):
    """The QR code of the procedure's page (shown on the kiosk beside the procedure)."""
    procedure = _procedure(site_code, code)
    if procedure is None:
        return _no_procedure()
    return qr_svg(public_url(guidance.page_path(procedure)))
