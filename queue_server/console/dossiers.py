"""``/console/dossiers``: a centre's dossiers, the intake form, and one dossier's page.

Thin pages over the dossier API (:mod:`queue_server.dossiers.api`): the view decides whether
the page may be shown and hands its script the site, the labels and, for a dossier, the
actions its state allows, taken from :data:`~queue_server.dossiers.lifecycle.TRANSITIONS` so
that the buttons never disagree with the rules. Everything else goes through the JSON API.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..auth.access import Action, allowed
from ..auth.models import Role
from ..database import db
from ..dossiers import lifecycle
from ..dossiers.api import may_see
from ..dossiers.models import DossierChannel, FeePayment
from ..dossiers.presenters import DELIVERY_LABELS, OUTCOME_LABELS, STATUS_LABELS
from ..errors import NotFound
from ..queueing.models import Ticket
from ..web import N_
from .pages import chosen_site, forbidden, show_error, signed_in, staff_context, translated

bp = Blueprint("dossiers", __name__, template_folder="templates", url_prefix="/console/dossiers")

# The lifecycle's actions (buttons) and the other events of the history.
ACTIONS = {
    "receive": N_("Tiếp nhận"),
    "handover": N_("Bàn giao"),
    "flag": N_("Cảnh báo hạn xử lý"),
    "request_supplement": N_("Yêu cầu bổ sung"),
    "resubmit": N_("Nhận hồ sơ bổ sung"),
    "refuse": N_("Từ chối giải quyết"),
    "transfer": N_("Chuyển cơ quan giải quyết"),
    "start_processing": N_("Bắt đầu giải quyết"),
    "apologise": N_("Xin lỗi, hẹn lại ngày trả"),
    "result_ready": N_("Có kết quả"),
    "return": N_("Trả kết quả"),
    "deliver": N_("Bưu điện đã phát"),
    "undeliver": N_("Bưu điện phát không thành công"),
}
# Recorded by the post office that carries the result, never from the centre's page.
POST_OFFICE_ACTIONS = ("deliver", "undeliver")
FLAGS = {"due_soon": N_("Sắp đến hạn"), "overdue": N_("Quá hạn"), "needs_apology": N_("Cần xin lỗi")}
CHANNELS = {
    DossierChannel.COUNTER: N_("Tại quầy"),
    DossierChannel.POSTAL: N_("Qua bưu điện"),
    DossierChannel.ONLINE: N_("Trực tuyến"),
}
PAYMENTS = {
    FeePayment.CASH: N_("Tiền mặt"),
    FeePayment.BANK: N_("Chuyển khoản"),
    FeePayment.CARD: N_("Thẻ ngân hàng"),
    FeePayment.EXEMPT: N_("Miễn phí, lệ phí"),
    FeePayment.UNPAID: N_("Chưa nộp"),
}
# The printable forms (see queue_server.dossiers.forms); 02-04 print the event they need.
FORMS = {
    "01": N_("In giấy tiếp nhận (Mẫu 01)"),
    "02": N_("Phiếu yêu cầu bổ sung (Mẫu 02)"),
    "03": N_("Phiếu từ chối (Mẫu 03)"),
    "04": N_("Phiếu xin lỗi, hẹn lại (Mẫu 04)"),
    "05": N_("Phiếu kiểm soát (Mẫu 05)"),
}
FORM_NEEDS = {"02": "request_supplement", "03": "refuse", "04": "apologise"}

LIST_STRINGS = (
    N_("Không có hồ sơ nào."),
    N_("Hồ sơ {code} sắp đến hạn trả ({due})."),
    N_("Hồ sơ {code} đã quá hạn trả ({due})."),
)
INTAKE_STRINGS = (
    N_("Chọn thủ tục"),
    N_("Đã đọc CCCD của {name}, sinh ngày {born}."),
    N_("Mã vừa quét không phải mã QR trên CCCD."),
    N_("Thủ tục này không có danh mục giấy tờ."),
    N_("Thời hạn giải quyết: {time}"),
    N_("{n} ngày làm việc"),
    N_("{n} giờ làm việc"),
    N_("{n} ngày"),
    N_("Nhập họ tên người nộp hồ sơ."),
    N_("Số CCCD có 12 chữ số (CMND: 9 chữ số)."),
    N_("Số điện thoại có từ 8 đến 15 chữ số."),
    N_("Địa chỉ thư điện tử không hợp lệ."),
    N_("Nhận kết quả qua bưu điện cần địa chỉ nhận."),
    N_("Lệ phí là số đồng, từ 0 trở lên."),
    N_("Số bộ hồ sơ từ 1 đến 50."),
    N_("Số bản của mỗi giấy tờ từ 0 đến 100."),
    N_("Bản chính"),
    N_("Bản sao chứng thực"),
    N_("Bản photo"),
)
DETAIL_STRINGS = (
    N_("Đã tiếp nhận hồ sơ {code}."),
    N_("Chưa có bản quét nào."),
    N_("Đã tải lên {name}."),
    N_("Nhập lý do."),
    N_("Liệt kê các giấy tờ cần bổ sung, mỗi dòng một giấy tờ."),
    N_("Nhập tên người nhận kết quả."),
    N_("Người nhận thay phải có giấy ủy quyền: ghi rõ giấy ủy quyền."),
    N_("Chọn ngày hẹn trả mới."),
    N_("Cần bổ sung: {items}"),
    N_("Lý do: {reason}"),
    N_("Căn cứ: {rules}"),
    N_("Hẹn trả mới: {date}"),
    N_("Người nhận: {name}"),
    N_("Nhận thay, giấy ủy quyền: {authorisation}"),
    N_("Kết quả: {outcome}"),
    N_("Đã gửi biên nhận tới máy in quầy {counter}."),
    N_("Quầy {counter} không có máy in đã đăng ký."),
)


def labels() -> dict[str, dict[str, str]]:
    return {
        "status": translated(STATUS_LABELS),
        "action": translated(ACTIONS),
        "flag": translated(FLAGS),
        "channel": translated(CHANNELS),
        "delivery": translated(DELIVERY_LABELS),
        "payment": translated(PAYMENTS),
        "outcome": translated(OUTCOME_LABELS),
        "form": translated(FORMS),
    }


def is_supervisor(actor) -> bool:
    return actor.user.role in (Role.ADMIN, Role.SUPERVISOR)


@bp.get("")
def dossier_list():
    actor = signed_in()
    site, sites = chosen_site(actor, Action.PROCESS_DOSSIER, centres_only=True)
    context = staff_context(
        actor, site, sites, LIST_STRINGS, page="list", labels=labels(), supervisor=is_supervisor(actor)
    )
    return render_template("console/dossier_list.html", filters=request.args, nav="list", **context)


@bp.get("/new")
def dossier_new():
    """The intake form; ``?ticket=<id>`` ties the dossier to the ticket being served."""
    actor = signed_in()
    ticket = _ticket(actor, request.args.get("ticket", type=int))
    site, sites = chosen_site(
        actor, Action.RECEIVE_DOSSIER, centres_only=True, wanted=ticket.site.code if ticket else None
    )
    shown = {"id": ticket.id, "number": ticket.number, "service": ticket.service.name} if ticket else None
    context = staff_context(actor, site, sites, INTAKE_STRINGS, page="intake", labels=labels(), ticket=shown)
    return render_template(
        "console/dossier_new.html",
        ticket=shown,
        payments=translated(PAYMENTS),
        nav="new",
        **context,
    )


def _ticket(actor, ticket_id: int | None) -> Ticket | None:
    if ticket_id is None:
        return None
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        show_error(404, _("Không tìm thấy phiếu"), _("Đường dẫn này không ứng với phiếu nào."))
    if not allowed(actor, Action.RECEIVE_DOSSIER, ticket.site_id):
        forbidden()
    return ticket


@bp.get("/<code>")
def dossier_page(code: str):
    actor = signed_in()
    try:
        dossier = lifecycle.get_by_code(db.session, code)
    except NotFound:
        show_error(404, _("Không tìm thấy hồ sơ"), _("Không có hồ sơ với mã {code}.").format(code=code))
    if not may_see(actor, dossier):
        show_error(
            403,
            _("Không có quyền xem hồ sơ này"),
            _("Hồ sơ {code} thuộc một trung tâm khác.").format(code=code),
        )
    can_process = allowed(actor, Action.PROCESS_DOSSIER, dossier.site_id)
    transitions = {
        action: sorted(sources)
        for action, (sources, _target) in lifecycle.TRANSITIONS.items()
        if can_process and action not in POST_OFFICE_ACTIONS
    }
    home = dossier.site if can_process else dossier.intake_site
    context = staff_context(
        actor,
        home,
        [home],
        DETAIL_STRINGS,
        page="dossier",
        labels=labels(),
        code=dossier.code,
        transitions=transitions,
        form_needs=FORM_NEEDS,
        created=request.args.get("created") == "1",
    )
    return render_template(
        "console/dossier.html",
        code=dossier.code,
        department=dossier.procedure.department.name,
        nav="list",
        **context,
    )
