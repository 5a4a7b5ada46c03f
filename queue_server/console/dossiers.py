"""``/console/dossiers``: a centre's dossiers, the intake form, and one dossier's page.

Thin pages over the dossier API (:mod:`queue_server.dossiers.api`): the view decides whether
the page may be shown and hands its script the site, the labels and, for a dossier, the
actions its state allows, taken from :data:`~queue_server.dossiers.lifecycle.TRANSITIONS` so
that the buttons never disagree with the rules. Everything else goes through the JSON API.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..audit.reads import WHAT_LABELS
from ..auth.access import (
    DOSSIER_STEPS,
    Action,
    allowed,
    dossier_parties,
    home_site_id,
    is_supervisor,
    may_see_personal_data_reads,
)
from ..database import db, utcnow
from ..dossiers import fees, lifecycle
from ..dossiers import labels as words
from ..dossiers.rules import FeePayment, IntakeDecision
from ..errors import NotFound
from ..notify import labels as notify_words
from ..privacy import notice
from ..queueing.models import Ticket
from ..sites.calendar import business_date
from ..staffpages import chosen_site, forbidden, show_error, signed_in, staff_context, translated
from ..web import N_

bp = Blueprint("dossiers", __name__, template_folder="templates", url_prefix="/console/dossiers")

INTAKE_DECISIONS = {
    IntakeDecision.ACCEPT: N_("Tiếp nhận, cấp giấy tiếp nhận và hẹn trả kết quả"),
    IntakeDecision.INCOMPLETE: N_("Chưa đủ: hướng dẫn hoàn thiện (Mẫu 02)"),
    IntakeDecision.REFUSE: N_("Từ chối tiếp nhận (Mẫu 03)"),
}

SCOPES = {
    "all": N_("Tiếp nhận hoặc giải quyết tại đây"),
    "handled": N_("Trung tâm giải quyết"),
    "received": N_("Tiếp nhận cho nơi khác giải quyết"),
}
LIST_STRINGS = (
    N_("Không có hồ sơ nào."),
    N_("Đã mở quyển số {volume} năm {year}, bắt đầu từ số {entry}."),
    N_("Các quyển: {books}"),
    N_("Mở quyển sổ mới khi quyển đang dùng đã hết trang? Số thứ tự tiếp tục theo năm."),
    N_("Hồ sơ {code} sắp đến hạn trả ({due})."),
    N_("Hồ sơ {code} đã quá hạn trả ({due})."),
)
INTAKE_STRINGS = (
    N_("Chọn thủ tục"),
    N_("Đã đọc CCCD của {name}, sinh ngày {born}."),
    N_("Mã vừa quét không phải mã QR trên CCCD."),
    N_("Thủ tục này không có danh mục giấy tờ."),
    N_("Thời hạn giải quyết: {time}"),
    N_("Nơi giải quyết: {site}"),
    N_("Thủ tục do trung tâm giải quyết"),
    N_("Nhập lý do."),
    N_("Liệt kê các giấy tờ cần bổ sung, mỗi dòng một giấy tờ."),
    N_("Nhận sau {hour}: thời gian tính từ ngày làm việc tiếp theo"),
    N_("Nhập họ tên người nộp hồ sơ."),
    N_("Số CCCD có 12 chữ số (CMND: 9 chữ số)."),
    N_("Số điện thoại có từ 8 đến 15 chữ số."),
    N_("Địa chỉ thư điện tử không hợp lệ."),
    N_("Nhận kết quả qua bưu điện cần địa chỉ nhận."),
    N_("Lệ phí là số đồng, từ 0 trở lên."),
    N_("Số bộ hồ sơ từ 1 đến 50."),
    N_("Số bản của mỗi giấy tờ từ 0 đến 100."),
)
DETAIL_STRINGS = (
    N_("Công dân đã đánh giá: {score}/{max} điểm, {verdict}."),
    N_("Đã hết thời hạn đánh giá."),
    N_("Chưa có thông báo nào."),
    N_("Đã tiếp nhận hồ sơ {code}."),
    N_("Đã lập phiếu hướng dẫn hoàn thiện hồ sơ {code} (Mẫu 02)."),
    N_("Đã lập phiếu từ chối tiếp nhận hồ sơ {code} (Mẫu 03)."),
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
    N_("Thời gian chờ nộp phí không tính: hẹn trả {date}"),
    N_("Máy đánh giá của quầy {counter} đang hiện mã để công dân đánh giá."),
    N_("Người nhận: {name}"),
    N_("Nhận thay, giấy ủy quyền: {authorisation}"),
    N_("Kết quả: {outcome}"),
    N_("Đã gửi biên nhận tới máy in quầy {counter}."),
    N_("Quầy {counter} không có máy in đã đăng ký."),
    N_("Dừng theo yêu cầu ({via})"),
    N_("Phí, lệ phí: {fee}"),
    N_("Số tiền: {amount}"),
    N_("trước đó {amount}"),
    N_("Biên lai số {number}"),
    N_("Đã báo công dân qua: {ways}"),
    N_("Gửi sau thời hạn phải gửi"),
    N_("Chuyển sau thời hạn chuyển hồ sơ"),
    N_("Số: {number}"),
    N_("Thời gian giải quyết tính lại từ đầu: hẹn trả {date}"),
    N_("Không có biểu mẫu nào."),
    N_("Quyển số {volume}/{year}, số thứ tự {entry}"),
    N_("Tiếp nhận: {received} · Giải quyết: {handled} · Trả kết quả: {returned}"),
    N_("Có, từ {date} ({via})"),
    N_("Không"),
    N_("Đã rút lại {date} ({via})"),
    N_("Ghi nhận công dân rút lại sự đồng ý"),
    N_("Ghi nhận công dân đồng ý được liên hệ"),
    N_("Đã ghi nhận."),
    N_("Dữ liệu cá nhân của hồ sơ đã được xóa khi hết thời hạn lưu trữ ({date})."),
    N_("Đã xóa khi hết thời hạn lưu trữ"),
    N_("Chưa có lượt xem nào."),
    N_("Đồng ý ({via})"),
    N_("Rút lại sự đồng ý ({via})"),
)


def labels() -> dict[str, dict[str, str]]:
    return {
        "status": translated(words.STATUS),
        "action": translated(words.ACTION),
        "flag": translated(words.FLAG),
        "channel": translated(words.CHANNEL),
        "delivery": translated(words.DELIVERY),
        "payment": translated(words.FEE_PAYMENT),
        "fee_status": translated(words.FEE_STATUS),
        "outcome": translated(words.OUTCOME),
        "unit": translated(words.UNIT),
        "document_count": translated(words.DOCUMENT_COUNT),
        "request_channel": translated(words.REQUEST_CHANNEL),
        "notice_channel": translated(words.NOTICE_CHANNEL),
        "return_place": translated(words.RETURN_PLACE),
        "decision": translated(INTAKE_DECISIONS),
        "consent_via": translated({**words.CHANNEL, **words.REQUEST_CHANNEL}),
        "read": translated(WHAT_LABELS),
        "notify_event": translated(notify_words.EVENT),
        "notify_channel": translated(notify_words.CHANNEL),
        "notify_status": translated(notify_words.STATUS),
    }


@bp.get("")
def dossier_list():
    actor = signed_in()
    site, sites = chosen_site(actor, Action.PROCESS_DOSSIER, centres_only=True)
    context = staff_context(
        actor, site, sites, LIST_STRINGS, page="list", labels=labels(), supervisor=is_supervisor(actor)
    )
    today = business_date(site, utcnow())
    return render_template(
        "console/dossier_list.html",
        filters=request.args,
        scopes=translated(SCOPES),
        book_url=f"/api/v1/sites/{site.code}/tracking-book",
        book_from=(today - timedelta(days=today.weekday())).isoformat(),
        book_to=today.isoformat(),
        nav="list",
        **context,
    )


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
        notice=notice.for_controller(context["site_name"], _),
        payments=translated(words.FEE_PAYMENT),
        decisions=translated(INTAKE_DECISIONS),
        return_places=translated(words.RETURN_PLACE),
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


def _home(dossier, parties: set[str]):
    """The site whose pages the dossier's page belongs to, for this member of staff."""
    site_id = home_site_id(dossier, parties)
    places = (dossier.site, dossier.receiving_site, dossier.return_site, dossier.intake_site)
    return next(site for site in places if site is not None and site.id == site_id)


@bp.get("/<code>")
def dossier_page(code: str):
    actor = signed_in()
    try:
        dossier = lifecycle.get_by_code(db.session(), code)
    except NotFound:
        show_error(404, _("Không tìm thấy hồ sơ"), _("Không có hồ sơ với mã {code}.").format(code=code))
    parties = dossier_parties(actor, dossier)
    if not parties:
        show_error(
            403,
            _("Không có quyền xem hồ sơ này"),
            _("Hồ sơ {code} thuộc một trung tâm khác.").format(code=code),
        )
    # The buttons of the steps this member of staff's place may take (a delivery by post is
    # recorded by the post office that carries the result, never from a centre's page); a
    # dossier turned away at intake takes none.
    transitions = {
        action: sorted(sources)
        for action, (sources, _target) in lifecycle.TRANSITIONS.items()
        if DOSSIER_STEPS[action] & parties and dossier.registered
    }
    # The fee's moves, in the table's order, where this member of staff collects fees
    # (dossiers/fees.py).
    fee_moves = (
        [[move, sorted(sources)] for move, (sources, _target) in fees.FEE_MOVES.items()]
        if DOSSIER_STEPS["fee"] & parties and dossier.registered
        else []
    )
    home = _home(dossier, parties)
    context = staff_context(
        actor,
        home,
        [home],
        DETAIL_STRINGS,
        page="dossier",
        labels=labels(),
        code=dossier.code,
        transitions=transitions,
        fee_moves=fee_moves,
        created=request.args.get("created") == "1",
        consent=bool(DOSSIER_STEPS["contact_consent"] & parties),
        reads=may_see_personal_data_reads(actor, dossier),
    )
    return render_template(
        "console/dossier.html",
        code=dossier.code,
        consent=context["staff"]["consent"],
        reads=context["staff"]["reads"],
        department=dossier.procedure.department.name,
        request_channels=translated(words.REQUEST_CHANNEL),
        notice_channels=translated(words.NOTICE_CHANNEL),
        fee_methods={method: _(words.FEE_PAYMENT[method]) for method in FeePayment.METHODS},
        nav="list",
        **context,
    )
