"""``/reports/statements``: a site's bank statements for its supervisors: upload one, see each
line's outcome before anything changes, confirm; the past imports and their lines by outcome.
A shell over ``/api/v1/sites/<site>/statements`` (:mod:`.api`), which checks every request."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..auth.access import Action
from ..staffpages import chosen_site, signed_in, staff_context, translated
from ..web import N_
from .matching import Outcome
from .reading import FIELDS

bp = Blueprint("payments_pages", __name__, template_folder="templates", url_prefix="/reports/statements")

OUTCOMES = {
    Outcome.MATCHED: N_("Khớp, xác nhận đã nộp"),
    Outcome.PAID_TWICE: N_("Nộp hai lần, cần hoàn trả"),
    Outcome.AMOUNT_DIFFERS: N_("Sai số tiền"),
    Outcome.UNKNOWN: N_("Không rõ hồ sơ"),
    Outcome.ALREADY_RECORDED: N_("Đã nhập trước đây"),
    Outcome.UNREADABLE: N_("Không đọc được"),
}
COLUMNS = {
    "date": N_("Ngày giao dịch"),
    "credit": N_("Số tiền ghi có"),
    "description": N_("Nội dung"),
    "reference": N_("Số tham chiếu"),
    "debit": N_("Số tiền ghi nợ"),
    "payer": N_("Người chuyển"),
}
assert tuple(COLUMNS) == FIELDS and set(OUTCOMES) == set(Outcome.LISTED)
ERRORS = {
    "unreadable_amount": N_("Số tiền không đọc được"),
    "unreadable_date": N_("Ngày không đọc được"),
    "unreadable_reference": N_("Thiếu số tham chiếu hoặc quá dài"),
}
STRINGS = (
    N_("Chọn tệp sao kê."),
    N_("Đang đọc sao kê…"),
    N_("{n} dòng ghi nợ, {zero} dòng số tiền 0 không xét."),
    N_("Đã nhập sao kê: {n} hồ sơ được xác nhận đã nộp phí."),
    N_("Chưa có lần nhập nào."),
    N_("Không có dòng nào."),
    N_("Xem"),
    N_("Phải nộp {amount}"),
    N_("Tệp ghi tài khoản {account}."),
)


@bp.get("")
def statements_page():
    """The statements of ``?site=``, else of the first centre the user supervises."""
    actor = signed_in()
    site, sites = chosen_site(actor, Action.RECONCILE, centres_only=True)
    context = staff_context(
        actor,
        site,
        sites,
        STRINGS,
        labels={"outcome": translated(OUTCOMES), "error": translated(ERRORS), "column": translated(COLUMNS)},
        outcomes=list(Outcome.LISTED),
        account=site.payment_account_number,
    )
    return render_template("payments/statements.html", nav="statements", columns=COLUMNS, **context)
