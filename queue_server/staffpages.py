"""What every staff page shares (the console, the manager's home, the administration, the reports):
who is looking, at which site, in which words.

The pages are shells: their scripts read and change everything through the JSON API, which
checks every request again. The checks here only decide whether the page itself may be shown,
so that someone without access gets a readable page instead of an empty screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

from flask import abort, make_response, redirect, request, url_for
from flask_babel import get_locale, gettext
from sqlalchemy import select

from .actors import Actor
from .auth.access import PasswordChangeRequired, allowed, current_actor
from .database import db
from .sites.models import Site, SiteKind
from .web import N_, js_strings, page_error

# Explanations of the API's error codes, shown to the officer instead of the API's English.
API_ERRORS = {
    "login_required": N_("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."),
    "csrf_failed": N_("Trang đã cũ hoặc yêu cầu không đến từ trang này. Vui lòng tải lại trang rồi thử lại."),
    "forbidden": N_("Bạn không có quyền thực hiện việc này."),
    "invalid_transition": N_("Trạng thái hồ sơ vừa thay đổi. Vui lòng tải lại trang."),
    "supplement_once": N_("Cơ quan giải quyết chỉ được yêu cầu bổ sung một lần."),
    "apology_once": N_("Mỗi hồ sơ chỉ được xin lỗi, hẹn lại một lần."),
    "not_late": N_("Hồ sơ chưa quá hạn và chưa sắp đến hạn: chưa cần xin lỗi."),
    "invalid_new_due_at": N_("Ngày hẹn mới phải sau hạn trả cũ và sau thời điểm hiện tại."),
    "use_manifest": N_("Kết quả gửi qua bưu điện phải đưa vào bảng kê trả kết quả."),
    "not_postal": N_("Thủ tục này không nhận hồ sơ qua bưu điện."),
    "unknown_procedure": N_("Chọn thủ tục hành chính."),
    "unknown_dossier": N_("Không có hồ sơ với mã này."),
    "unknown_manifest": N_("Không có bảng kê với mã này."),
    "wrong_manifest": N_("Hồ sơ này không thuộc bảng kê giữa hai nơi này."),
    "not_for_post": N_("Hồ sơ này chưa có kết quả hoặc không trả qua bưu điện."),
    "on_other_manifest": N_("Hồ sơ này đã có trong một bảng kê khác."),
    "manifest_closed": N_("Bảng kê đã đóng, không thêm hay bỏ hồ sơ được nữa."),
    "manifest_empty": N_("Bảng kê chưa có hồ sơ nào."),
    "manifest_open": N_("Nơi gửi chưa đóng bảng kê này."),
    "manifest_received": N_("Bảng kê này đã nhận xong."),
    "not_a_dossier_code": N_("Mã vừa quét không phải mã hồ sơ."),
    "unreadable_scan": N_("Không đọc được mã vừa quét."),
    # A dossier's fee (dossiers/fees.py).
    "already_evaluated": N_("Công dân đã đánh giá hồ sơ này."),
    "unknown_counter": N_("Trung tâm không có quầy số này."),
    "evaluation_closed": N_("Đã hết thời hạn đánh giá hồ sơ này."),
    "not_evaluable": N_("Hồ sơ chưa có kết quả nên chưa đánh giá được."),
    "payment_due": N_(
        "Hồ sơ đang chờ công dân nộp phí, lệ phí: xác nhận đã nộp (hoặc miễn) trước khi chuyển giải quyết."
    ),
    "invalid_fee_move": N_("Phí, lệ phí của hồ sơ vừa thay đổi. Vui lòng tải lại trang."),
    "invalid_method": N_("Chọn hình thức nộp."),
    "invalid_paid_at": N_("Thời điểm nộp phải sau khi tiếp nhận hồ sơ và không muộn hơn bây giờ."),
    "unchanged": N_("Số tiền mới trùng với số tiền đang phải nộp."),
    "invalid_fee": N_("Số tiền là số đồng, lớn hơn 0."),
    # A bank statement (payments/).
    "unsupported_file": N_(
        "Tệp không phải sao kê dạng CSV hoặc XLSX. Hãy xuất sao kê từ ngân hàng dạng CSV hoặc XLSX."
    ),
    "missing_column": N_(
        "Không tìm thấy dòng tiêu đề có đủ các cột ngày giao dịch, số tiền ghi có, nội dung và "
        "số tham chiếu. Hãy ghi tên các cột như trong tệp."
    ),
    "wrong_account": N_("Sao kê này là của tài khoản khác, không phải tài khoản nhận phí của trung tâm."),
    "no_payment_account": N_("Trung tâm chưa khai báo tài khoản nhận phí (mục Quản trị)."),
    "statement_too_large": N_("Tệp sao kê quá lớn."),
    "statement_busy": N_("Các dòng này vừa được nhập ở nơi khác. Vui lòng xem trước lại."),
    # Checking a booking in (booking/checkin.py).
    "unknown_booking": N_("Không có lịch hẹn này tại trung tâm."),
    "wrong_day": N_("Lịch hẹn này không phải của hôm nay."),
    "booking_cancelled": N_("Lịch hẹn này đã bị hủy."),
    "too_early": N_("Chưa đến giờ tiếp nhận lịch hẹn này."),
    "missing_file": N_("Chọn tệp bản quét."),
    "payload_too_large": N_("Tệp quá lớn."),
    "validation_failed": N_("Thông tin chưa hợp lệ, xem các ô được đánh dấu."),
    "service_unavailable": N_("Hệ thống tạm thời gián đoạn, vui lòng thử lại sau giây lát."),
    # Choosing a password (the policy of auth/services.py), on the admin pages and one's own.
    "password_too_short": N_("Mật khẩu cần ít nhất 12 ký tự."),
    "password_like_username": N_("Mật khẩu không được chứa tên đăng nhập."),
    "password_common": N_(
        "Mật khẩu này quá phổ biến hoặc quá dễ đoán. "
        "Hãy dùng một cụm dài hơn gồm vài từ không liên quan đến nhau."
    ),
    "password_reused": N_("Mật khẩu mới phải khác mật khẩu hiện tại."),
    "wrong_password": N_("Mật khẩu hiện tại không đúng."),
    "password_change_required": N_("Bạn cần đổi mật khẩu trước khi tiếp tục."),
}

# Strings every staff page's script may show.
COMMON_STRINGS = (
    N_("Bắt buộc."),
    N_("Giá trị không hợp lệ."),
)


def translated(labels: Mapping[str, str]) -> dict[str, str]:
    """The labels (message ids) in the page's language, by key."""
    return {key: gettext(message) for key, message in labels.items()}


def signed_in() -> Actor:
    """The member of staff looking at the page; anyone else is sent to the console's login,
    and a member of staff who must change their password to that change, both of which come
    back here afterwards."""
    here = request.full_path.rstrip("?")
    try:
        actor = current_actor()
    except PasswordChangeRequired:
        abort(redirect(url_for("console.password", next=here)))
    if actor is None or actor.user is None:
        abort(redirect(url_for("console.console", next=here)))
    return actor


def show_error(status: int, title: str, detail: str) -> NoReturn:
    """Stop and show a readable error page."""
    abort(make_response(page_error(status, title, detail)))


def forbidden() -> NoReturn:
    show_error(403, gettext("Không có quyền truy cập"), gettext("Bạn không có quyền ở trung tâm này."))


def sites_where(actor: Actor, action: str, *, centres_only: bool = False) -> list[Site]:
    """The sites where the actor may take ``action``: their own first, then the provincial
    centre, its branches, commune centres, service points, post offices last (so an admin
    lands on the centre); ``centres_only`` leaves the post offices out."""
    own = {site.id for site in actor.user.sites} if actor.user else set()
    rank = {kind: number for number, kind in enumerate(SiteKind.ALL)}
    sites = list(db.session.scalars(select(Site).order_by(Site.code)))
    sites.sort(key=lambda site: (site.id not in own, rank.get(site.kind, len(rank))))
    return [
        site
        for site in sites
        if allowed(actor, action, site.id) and (site.kind in SiteKind.CENTRES or not centres_only)
    ]


def chosen_site(
    actor: Actor, action: str, *, centres_only: bool = False, wanted: str | None = None
) -> tuple[Site, list[Site]]:
    """The site ``wanted`` (by default ``?site=``, else the first the user works at), and all
    the sites where the user may take ``action``."""
    sites = sites_where(actor, action, centres_only=centres_only)
    wanted = wanted or request.args.get("site")
    site = next((s for s in sites if s.code == wanted), None) if wanted else (sites[0] if sites else None)
    if site is None:
        forbidden()
    return site, sites


def staff_context(actor: Actor, site: Site, sites: list[Site], strings: tuple[str, ...], **extra) -> dict:
    """What every staff page's template needs; ``staff`` goes to its script as JSON."""
    lang = str(get_locale() or "vi")
    return {
        "user": actor.user,
        "site": site,
        "site_name": site.name_en if lang == "en" and site.name_en else site.name,
        "sites": sites,
        "staff": {
            "lang": lang,
            "site": site.code,
            "tz": site.timezone,
            "t": js_strings(*COMMON_STRINGS, *strings),
            "errors": translated(API_ERRORS),
            **extra,
        },
    }
