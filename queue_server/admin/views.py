"""``/admin``: the pages of supervisors and admins. Thin shells over the administration API.

Each view decides whether the page may be shown (a supervisor or admin of the chosen site;
anyone not logged in goes to the console's login and comes back) and hands its script the site,
the labels in the page's language and what the select boxes offer. Every read and change goes
through the JSON API (:mod:`.api`, :mod:`queue_server.trail.api`), which checks each request.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from ..audit.reads import WHAT_LABELS
from ..audit.recorder import Event
from ..auth.access import Action, is_admin
from ..auth.models import DeviceKind, Role
from ..auth.sessions import EndReason
from ..database import db, utcnow
from ..dossiers import formsets
from ..notify import labels as notify_labels
from ..notify import templates
from ..notify.channels import CHANNELS
from ..notify.channels.gateways import Zalo
from ..printing.labels import PRINTER_STATES
from ..privacy import subject
from ..sites.icons import ICONS
from ..sites.labels import WEEKDAYS, WEEKDAYS_SHORT
from ..sites.models import SiteKind
from ..staffpages import chosen_site, forbidden, signed_in, staff_context, translated
from ..storage import current_storage
from ..trail import presenters
from ..trail import search as audit_search
from ..web import N_

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

ROLES = {
    Role.ADMIN: N_("Quản trị hệ thống"),
    Role.SUPERVISOR: N_("Giám sát"),
    Role.OFFICER: N_("Cán bộ một cửa"),
    Role.POSTAL_CLERK: N_("Nhân viên bưu điện"),
}
SITE_KINDS = {
    SiteKind.PROVINCIAL_CENTRE: N_("Trung tâm Phục vụ hành chính công cấp tỉnh"),
    SiteKind.PROVINCIAL_BRANCH: N_("Chi nhánh Trung tâm cấp tỉnh"),
    SiteKind.COMMUNE_CENTRE: N_("Trung tâm Phục vụ hành chính công cấp xã"),
    SiteKind.SERVICE_POINT: N_("Điểm tiếp nhận"),
    SiteKind.POST_OFFICE: N_("Bưu cục"),
}
POLICIES = {
    "strict": N_("Luôn gọi số ưu tiên trước"),
    "interleave": N_("Xen kẽ số ưu tiên với số thường"),
}
DEVICE_KINDS = {
    DeviceKind.KIOSK: N_("Ki-ốt lấy số"),
    DeviceKind.DISPLAY: N_("Màn hình"),
    DeviceKind.POSTAL: N_("Máy của bưu cục"),
    DeviceKind.COUNTER: N_("Bàn phím và bảng số của quầy"),
    DeviceKind.RATING: N_("Máy đánh giá tại quầy"),
}
# The audit trail: where a change came from, what kind of row it touched, and how.
SOURCES = {
    "audit": N_("Cấu hình, tài khoản, thiết bị"),
    "queue": N_("Hàng đợi"),
    "dossier": N_("Hồ sơ"),
    "notify": N_("Thông báo cho công dân"),
}
# Why a login failed or a session ended (an event's "reason"), and what a lock counted.
REASONS = {
    "unknown_user": N_("Không có tài khoản này"),
    "wrong_password": N_("Sai mật khẩu"),
    "inactive": N_("Tài khoản đã ngừng hoạt động"),
    EndReason.LOGOUT: N_("Đăng xuất"),
    EndReason.PASSWORD_CHANGED: N_("Tự đổi mật khẩu"),
    EndReason.PASSWORD_RESET: N_("Mật khẩu được đặt lại"),
    EndReason.ROLE_CHANGED: N_("Đổi vai trò"),
    EndReason.SITES_CHANGED: N_("Đổi nơi làm việc"),
    EndReason.DEACTIVATED: N_("Tài khoản bị ngừng hoạt động"),
    EndReason.REPLACED: N_("Đăng nhập lại trên cùng trình duyệt"),
    EndReason.IDLE: N_("Lâu không sử dụng"),
    EndReason.LIFETIME: N_("Hết thời hạn phiên"),
}
LOCK_SCOPES = {"username": N_("Tên đăng nhập"), "address": N_("Địa chỉ máy")}
# Entries that change no row (queue_server.audit.recorder.Event).
EVENTS = {
    Event.LOGIN: N_("Đăng nhập"),
    Event.LOGIN_FAILED: N_("Đăng nhập không thành công"),
    Event.LOGIN_LOCKED: N_("Đăng nhập bị tạm khóa"),
    Event.LOGOUT: N_("Đăng xuất"),
    Event.SESSIONS_ENDED: N_("Kết thúc mọi phiên đăng nhập"),
    Event.PERSONAL_DATA_READ: N_("Xem dữ liệu cá nhân"),
    Event.PERSONAL_DATA_PURGED: N_("Xóa dữ liệu cá nhân hết hạn lưu"),
    Event.SUBJECT_EXPORT: N_("Xuất dữ liệu của một người"),
    Event.SIGNAGE_NOTICE_ADDED: N_("Thêm thông báo trên màn hình sảnh"),
    Event.SIGNAGE_NOTICE_CHANGED: N_("Sửa thông báo trên màn hình sảnh"),
    Event.SIGNAGE_NOTICE_REMOVED: N_("Xóa thông báo trên màn hình sảnh"),
    Event.SIGNAGE_MEDIA_ADDED: N_("Thêm ảnh, video trên màn hình sảnh"),
    Event.SIGNAGE_MEDIA_CHANGED: N_("Sửa ảnh, video trên màn hình sảnh"),
    Event.SIGNAGE_MEDIA_REMOVED: N_("Xóa ảnh, video trên màn hình sảnh"),
    Event.SIGNAGE_REORDERED: N_("Sắp xếp lại màn hình sảnh"),
}
TABLES = {
    "sites": N_("Trung tâm"),
    "opening_hours": N_("Giờ làm việc"),
    "departments": N_("Sở, ngành"),
    "services": N_("Dịch vụ"),
    "counters": N_("Quầy"),
    "counter_schedules": N_("Lịch phục vụ của quầy"),
    "rotations": N_("Luân phiên"),
    "duties": N_("Lịch trực của cán bộ"),
    "users": N_("Tài khoản"),
    "device_tokens": N_("Thiết bị"),
    "calendar_days": N_("Ngày nghỉ, ngày làm bù"),
    "procedures": N_("Thủ tục hành chính"),
    "manifests": N_("Bảng kê"),
    "print_jobs": N_("Lệnh in"),
    "form_settings": N_("Thiết lập biểu mẫu"),
    "tracking_books": N_("Sổ theo dõi hồ sơ"),
    "dossier_attachments": N_("Bản quét hồ sơ"),
    "manifest_items": N_("Hồ sơ trong bảng kê"),
    "ratings": N_("Đánh giá"),
    "counter_pauses": N_("Tạm dừng quầy"),
    "report_days": N_("Ngày đã tổng hợp báo cáo"),
    "ticket_stats": N_("Số liệu phiếu"),
    "duration_histograms": N_("Phân bố thời gian"),
    "notify_site_channels": N_("Kênh gửi thông báo"),
    "notify_templates": N_("Mẫu nội dung thông báo"),
    "statement_imports": N_("Sao kê ngân hàng đã nhập"),
    "dossier_evaluations": N_("Đánh giá hồ sơ của công dân"),
    "province_links": N_("Kết nối hệ thống tỉnh"),
    "province_imports": N_("Hồ sơ nhận từ hệ thống tỉnh"),
}
OPERATIONS = {"insert": N_("Thêm"), "update": N_("Sửa"), "delete": N_("Xóa")}
FIELDS = {
    # What an event concerned (the details of logins, reads of personal data, purges).
    "what": N_("Nội dung đã xem"),
    "dossiers": N_("Hồ sơ"),
    "reason": N_("Lý do"),
    "sessions": N_("Số phiên"),
    "scope": N_("Theo"),
    "failures": N_("Số lần sai"),
    "seconds": N_("Số giây khóa"),
    "counts": N_("Số lượng"),
    # A bank statement's import (payments/).
    "file_name": N_("Tên tệp"),
    "account_number": N_("Số tài khoản"),
    "imported_at": N_("Thời điểm nhập"),
    "imported_by": N_("Người nhập"),
    "applied": N_("Số tiền đã xác nhận (đồng)"),
    "days": N_("Thời hạn lưu (ngày)"),
    "code": N_("Mã"),
    "name": N_("Tên"),
    "name_en": N_("Tên tiếng Anh"),
    "kind": N_("Loại"),
    "timezone": N_("Múi giờ"),
    "agency_code": N_("Mã đơn vị"),
    "province": N_("Tỉnh, thành phố"),
    "priority_policy": N_("Cách gọi số ưu tiên"),
    "priority_max_run": N_("Số ưu tiên liên tiếp tối đa"),
    "call_template": N_("Câu gọi số"),
    "enforce_opening_hours": N_("Chỉ cấp số trong giờ làm việc"),
    "target_wait_minutes": N_("Thời gian chờ cam kết (phút)"),
    "use_start_step": N_("Cán bộ bấm “Bắt đầu phục vụ” khi công dân đến quầy"),
    "weekday": N_("Ngày"),
    "opens": N_("Mở cửa"),
    "closes": N_("Đóng cửa"),
    "field": N_("Lĩnh vực"),
    "icon": N_("Biểu tượng trên ki-ốt"),
    "department_id": N_("Sở, ngành"),
    "service_id": N_("Dịch vụ"),
    "prefix": N_("Tiền tố chữ"),
    "number_start": N_("Số đầu"),
    "number_end": N_("Số cuối"),
    "daily_max": N_("Số phiếu tối đa mỗi ngày"),
    "default_service_seconds": N_("Thời gian phục vụ dự kiến (giây)"),
    "returns_results": N_("Trả kết quả hồ sơ"),
    "active": N_("Đang hoạt động"),
    "sort_order": N_("Thứ tự"),
    "number": N_("Số quầy"),
    "counter_id": N_("Quầy"),
    "weekdays": N_("Các ngày trong tuần"),
    "week_parity": N_("Tuần"),  # odd/even ISO weeks, in audit entries written before rotations
    "rotation_id": N_("Luân phiên"),
    "rotation_week": N_("Tuần của luân phiên"),
    "anchor": N_("Tuần 1 bắt đầu"),
    "weeks": N_("Số tuần"),
    "user_id": N_("Cán bộ"),
    "valid_from": N_("Từ ngày"),
    "valid_to": N_("Đến ngày"),
    "username": N_("Tên đăng nhập"),
    "full_name": N_("Họ và tên"),
    "role": N_("Vai trò"),
    "sites": N_("Trung tâm"),
    "password_hash": N_("Mật khẩu"),
    "must_change_password": N_("Phải đổi mật khẩu khi đăng nhập"),
    "token_hash": N_("Mã thiết bị"),
    "revoked_at": N_("Thu hồi lúc"),
    "status": N_("Trạng thái"),
    "state": N_("Trạng thái"),
    "photo": N_("Ảnh"),
    # The hall screen's signage (the details of its events).
    "id": N_("Số hiệu"),
    "text": N_("Nội dung"),
    "title": N_("Tiêu đề"),
    "filename": N_("Tên tệp"),
    "content_type": N_("Loại tệp"),
    "size": N_("Dung lượng (byte)"),
    "duration_seconds": N_("Thời gian hiện ảnh (giây)"),
    "starts_on": N_("Từ ngày"),
    "ends_on": N_("Đến ngày"),
    "notices": N_("Thứ tự thông báo"),
    "media": N_("Thứ tự ảnh, video"),
}
# The administration API's refusals, told in the page's language ({other}: the row in the way).
ERRORS = {
    "admin_only": N_("Chỉ quản trị hệ thống mới làm được việc này."),
    # The notification channels and message templates (notifications page).
    "missing_setting": N_("Cần điền mục này."),
    "setting_too_long": N_("Nội dung này quá dài."),
    "invalid_setting": N_("Giá trị này không hợp lệ."),
    "invalid_settings": N_("Cài đặt của kênh không hợp lệ."),
    "invalid_url": N_("Địa chỉ cổng gửi tin phải bắt đầu bằng http:// hoặc https://."),
    "invalid_brandname": N_(
        "Tên thương hiệu (brandname) gồm 1 đến 11 chữ cái không dấu, chữ số, dấu cách, "
        "dấu chấm hoặc gạch ngang."
    ),
    "invalid_max_segments": N_("Số tin tối đa cho một nội dung là từ 1 đến 10."),
    "invalid_fields": N_("Tên trường của cổng gửi tin không hợp lệ."),
    "unknown_family": N_("Không có loại cổng gửi tin này."),
    "invalid_template_id": N_("Mã mẫu ZNS là một dãy số."),
    "invalid_oa_id": N_("Mã Zalo OA (OAID) là một dãy số."),
    "payment_account_incomplete": N_("Cần điền cả mã ngân hàng và số tài khoản, hoặc để trống cả hai."),
    "invalid_payment_account": N_(
        "Mã ngân hàng (BIN) gồm 6 chữ số; số tài khoản gồm 1 đến 19 chữ cái hoặc chữ số, không dấu cách."
    ),
    "unknown_channel": N_("Không có kênh gửi tin này."),
    "channel_not_configured": N_("Hãy lưu cài đặt của kênh trước khi gửi thử."),
    "test_failed": N_(
        "Cổng gửi tin từ chối tin thử (mã: {reason}). Kiểm tra lại cài đặt, khóa bí mật và địa chỉ nhận."
    ),
    "test_failed_temporary": N_(
        "Chưa gửi được tin thử: cổng gửi tin không trả lời hoặc đang bận (mã: {reason}). Thử lại sau ít phút."
    ),
    "invalid_phone": N_("Số điện thoại không hợp lệ."),
    "not_a_mobile": N_("Tin nhắn chỉ gửi được đến số di động."),
    "invalid_email": N_("Địa chỉ thư điện tử không hợp lệ."),
    "invalid_template": N_("Mẫu tin có chỗ điền không dùng được cho sự kiện này, hoặc thiếu dấu ngoặc nhọn."),
    "template_too_long": N_("Mẫu tin dài {segments} tin nhắn, trung tâm cho phép tối đa {max_segments}."),
    "unknown_event": N_("Không có sự kiện này."),
    "site_code_taken": N_("Mã trung tâm này đã có."),
    "agency_code_taken": N_("Mã đơn vị này đã được trung tâm {other} dùng."),
    "invalid_agency_code": N_("Mã đơn vị gồm 3 đến 30 chữ, số hoặc dấu chấm."),
    "invalid_timezone": N_("Múi giờ không hợp lệ (ví dụ Asia/Ho_Chi_Minh)."),
    "invalid_call_template": N_(
        "Câu gọi số phải có {number} và {counter}, không có dấu ngoặc nhọn nào khác."
    ),
    "invalid_opening_hours": N_("Giờ đóng cửa phải sau giờ mở cửa."),
    "overlapping_opening_hours": N_("Hai buổi làm việc trong cùng một ngày bị chồng lên nhau."),
    "department_code_taken": N_("Mã sở, ngành này đã có."),
    "department_in_use": N_("Sở, ngành này còn dịch vụ hoặc thủ tục: hãy chuyển hoặc xóa chúng trước."),
    "unknown_department": N_("Chọn một sở, ngành của trung tâm."),
    "unknown_service": N_("Chọn một dịch vụ của trung tâm."),
    "service_code_taken": N_("Mã dịch vụ này đã có."),
    "invalid_numbering": N_("Chọn tiền tố chữ (A001…) hoặc số đầu của dải số (1001…), không chọn cả hai."),
    "invalid_range": N_("Số cuối phải lớn hơn hoặc bằng số đầu."),
    "numbering_overlap": N_("Số thứ tự trùng với số của dịch vụ {other}."),
    "service_in_use": N_("Dịch vụ đã có người lấy số nên không xóa được: hãy ngừng hoạt động dịch vụ."),
    "counter_number_taken": N_("Số quầy này đã có."),
    "counter_in_use": N_("Quầy đã phục vụ nên không xóa được: hãy đổi lịch phục vụ của quầy."),
    "counter_has_devices": N_("Quầy còn thiết bị đang hoạt động: hãy thu hồi thiết bị trước."),
    "invalid_schedule": N_("Lịch phục vụ nêu một sở, ngành hoặc một dịch vụ."),
    "invalid_dates": N_("Ngày kết thúc không được trước ngày bắt đầu."),
    "unknown_rotation": N_("Chọn một luân phiên của trung tâm."),
    "invalid_rotation_week": N_("Chọn luân phiên và một tuần của luân phiên, hoặc chọn mọi tuần."),
    "rotation_week_out_of_range": N_("Luân phiên này không có tuần đó."),
    "rotation_name_taken": N_("Tên luân phiên này đã có."),
    "rotation_in_use": N_("Còn lịch của quầy hoặc lịch trực theo luân phiên này: hãy đổi chúng trước."),
    "rotation_week_in_use": N_("Còn lịch theo những tuần sẽ bỏ đi: hãy đổi chúng trước."),
    "user_not_at_site": N_("Chọn một cán bộ làm việc tại trung tâm."),
    "username_taken": N_("Tên đăng nhập này đã có người dùng."),
    "own_account": N_("Bạn không tự đổi vai trò hay khóa tài khoản của chính mình."),
    "unknown_site": N_("Chọn trung tâm trong danh sách."),
    "unknown_user": N_("Không có tài khoản này, hoặc bạn không quản lý tài khoản này."),
    "counter_required": N_("Bàn phím quầy và máy đánh giá cần chọn quầy; thiết bị khác thì không."),
    "unknown_counter": N_("Không có quầy này."),
    "invalid_kind": N_("Chọn loại thiết bị."),
    "missing_media": N_("Chọn tệp ảnh hoặc video."),
    "unsupported_media": N_("Tệp này không phải ảnh PNG, JPEG, WebP hay video MP4, WebM: hãy chọn tệp khác."),
    "unreadable_image": N_("Ảnh bị hỏng hoặc không đúng định dạng: hãy xuất lại ảnh rồi tải lên."),
    "unsupported_photo": N_("Ảnh cán bộ phải là tệp JPEG hoặc PNG."),
    "missing_photo": N_("Chọn tệp ảnh."),
    "file_too_large": N_("Tệp quá lớn: tối đa {max_mb} MB."),
    "empty_file": N_("Tệp trống."),
    "invalid_order": N_("Danh sách vừa thay đổi ở nơi khác. Vui lòng tải lại trang."),
}
STRINGS = (
    N_("Đã lưu."),
    N_("Đã xóa."),
    N_("Sửa"),
    N_("Xóa"),
    N_("Thêm"),
    N_("Có"),
    N_("Không"),
    N_("Chưa có gì."),
    N_("Xóa {name}?"),
    N_("Quầy {n}"),
    N_("Mọi tuần"),
    N_("Tuần {week}/{weeks} của luân phiên {name}"),
    N_("Thêm luân phiên"),
    N_("Sửa luân phiên {name}"),
    N_("Thêm lịch trực"),
    N_("Sửa lịch trực của {name}"),
    N_("Hôm nay"),
    N_("Nghỉ"),
    N_("Buổi {n}"),
    N_("Thêm sở, ngành"),
    N_("Sửa sở, ngành {code}"),
    N_("Thêm dịch vụ"),
    N_("Sửa dịch vụ {code}"),
    N_("Thêm quầy"),
    N_("Sửa quầy {n}"),
    N_("Thêm lịch"),
    N_("Thêm lịch cho quầy {n}"),
    N_("Sửa lịch của quầy {n}"),
    N_("Mọi ngày"),
    N_("từ {date}"),
    N_("đến {date}"),
    N_("Ngừng hoạt động"),
    N_("Thêm tài khoản"),
    N_("Sửa tài khoản {username}"),
    N_("Đặt lại mật khẩu cho {username}"),
    N_("Đã đặt mật khẩu mới cho {username}."),
    N_("Đã khóa"),
    N_("Mọi trung tâm"),
    N_("Máy in: {state}"),
    N_("Chưa liên lạc"),
    N_("Đã thu hồi"),
    N_("Thu hồi"),
    N_("Thu hồi thiết bị {name}? Thiết bị sẽ bị từ chối ngay từ lần gọi tiếp theo."),
    N_("Đã thu hồi thiết bị {name}."),
    N_("Đã chép mã vào bộ nhớ tạm."),
    N_("Không chép được: hãy chọn mã và chép bằng tay."),
    N_("Không có thay đổi nào khớp với điều kiện tìm."),
    N_("{n} đối tượng thay đổi"),
    N_("(ẩn)"),
    N_("Ký hiệu sau số của {form}"),
    N_("trống"),
    N_("Ảnh của {name}"),
    N_("Chưa có ảnh."),
    N_("Đã xóa ảnh."),
)

# What the signage page's script says (admin-signage.js).
SIGNAGE_STRINGS = (
    N_("Thêm thông báo"),
    N_("Sửa thông báo"),
    N_("Sửa ảnh, video {name}"),
    N_("Đưa {name} lên trên"),
    N_("Đưa {name} xuống dưới"),
    N_("Sửa {name}"),
    N_("Hình ảnh"),
    N_("Video"),
    N_("{n} giây"),
    N_("đến hết video"),
    N_("Đang hiển thị"),
    N_("Đã tắt"),
    N_("Đã tải lên {name}."),
    N_("Đang tải lên…"),
    N_("Chưa có thông báo nào đang hiển thị: chân màn hình giữ dòng chữ mặc định."),
)


# What the notifications page's script says (admin-notify.js).
NOTIFY_STRINGS = (
    N_("Bật"),
    N_("Đã đặt"),
    N_("Chưa đặt"),
    N_("Đang bật"),
    N_("Đang tắt"),
    N_("Đã gửi tin thử."),
    N_("Đã gửi tin thử (mã tin của cổng: {ref})."),
    N_("Đang gửi…"),
    N_("{characters} ký tự, {segments} tin nhắn (tối đa {max})"),
    N_("có dấu"),
    N_("không dấu"),
    N_("Vượt quá số tin nhắn cho phép."),
    N_("Đang dùng mẫu mặc định."),
    N_("Đang dùng mẫu riêng của trung tâm."),
    N_("Đã trở về mẫu mặc định."),
)
LANGUAGE_NAMES = {"vi": N_("Tiếng Việt"), "en": N_("Tiếng Anh")}


def labels() -> dict[str, dict[str, str]]:
    return {
        "role": translated(ROLES),
        "site_kind": translated(SITE_KINDS),
        "policy": translated(POLICIES),
        "device_kind": translated(DEVICE_KINDS),
        "printer": translated(PRINTER_STATES),
        "weekday": translated(WEEKDAYS),
        "weekday_short": translated(WEEKDAYS_SHORT),
        "source": translated(SOURCES),
        "event": translated(EVENTS),
        "reason": translated(REASONS),
        "scope": translated(LOCK_SCOPES),
        "read": translated(WHAT_LABELS),
        "table": translated(TABLES),
        "operation": translated(OPERATIONS),
        "field": translated(FIELDS),
    }


def page(template: str, nav: str, strings: tuple[str, ...] = (), chosen=None, **template_context):
    """Render an admin page for the chosen site (``?site=``) of a supervisor or admin; its
    script gets ``strings`` besides those every admin page's script may show. ``chosen``: the
    actor, site and sites, when the view needed them first."""
    if chosen is None:
        actor = signed_in()
        chosen = (actor, *chosen_site(actor, Action.SUPERVISE))
    actor, site, sites = chosen
    context = staff_context(
        actor,
        site,
        sites,
        STRINGS + strings,
        page=nav,
        labels=labels(),
        admin=is_admin(actor),
    )
    context["staff"]["errors"].update(translated(ERRORS))
    return render_template(template, nav=nav, **context, **template_context)


@bp.get("")
def home():
    return page("admin/home.html", "home")


@bp.get("/sites")
def sites():
    return page("admin/sites.html", "sites")


@bp.get("/services")
def services():
    return page("admin/services.html", "services", icons={name: _(label) for name, label in ICONS.items()})


@bp.get("/counters")
def counters():
    return page("admin/counters.html", "counters")


@bp.get("/users")
def users():
    return page("admin/users.html", "users")


@bp.get("/devices")
def devices():
    return page("admin/devices.html", "devices")


@bp.get("/signage")
def signage():
    """The hall screen's notices and playlist ("Màn hình sảnh"), with a preview."""
    return page("admin/signage.html", "signage", strings=SIGNAGE_STRINGS)


@bp.get("/notifications")
def notifications():
    """The site's notification channels ("Gửi thử" included) and its wording of each message,
    with the SMS parts counted as the admin types (:mod:`.notify_api`)."""
    return page(
        "admin/notifications.html",
        "notifications",
        strings=NOTIFY_STRINGS,
        channels=list(CHANNELS),
        channel_names=translated(notify_labels.CHANNEL),
        language_names=translated(LANGUAGE_NAMES),
        events=translated(notify_labels.EVENT),
        placeholders=templates.PLACEHOLDERS,
        zalo_urls={family: gateway.DEFAULT_URL for family, gateway in Zalo.FAMILIES.items()},
    )


@bp.get("/forms")
def forms():
    """What the centre writes on the legal forms of each set (headings, place, symbols)."""
    return page("admin/forms.html", "forms", form_sets=list(formsets.SETS.values())[::-1])


AUDIT_PAGE, AUDIT_MAX = 100, 1000


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None  # a hand-typed address: the filter is left out, as the form shows


@bp.get("/audit")
def audit():
    """The trail of the site (an admin's ``scope=all``: of every site) as sentences, newest
    first, a hundred more at each "Xem thêm" (:mod:`queue_server.trail.presenters`)."""
    actor = signed_in()
    site, sites = chosen_site(actor, Action.SUPERVISE)
    args = request.args
    everywhere = args.get("scope") == "all" and is_admin(actor)
    site_ids = None if everywhere else [site.id]
    limit = min(max(args.get("limit", AUDIT_PAGE, type=int) or AUDIT_PAGE, 1), AUDIT_MAX)
    since, until = audit_search.window(_day(args.get("from")), _day(args.get("to")), site.tz)
    source = args.get("source") if args.get("source") in audit_search.SOURCES else None
    rows = audit_search.search(
        db.session,
        audit_search.Query(
            site_ids=site_ids,
            actor=(args.get("actor") or "").strip()[:100] or None,
            text=(args.get("q") or "").strip()[:100] or None,
            since=since,
            until=until,
            source=source,
            limit=limit,
        ),
    )
    words = presenters.Words(labels(), presenters.names_at(db.session, site_ids), site.tz)
    more = None
    if len(rows) == limit and limit < AUDIT_MAX:
        more = url_for("admin.audit", **{**args.to_dict(), "limit": min(limit + AUDIT_PAGE, AUDIT_MAX)})
    return page(
        "admin/audit.html",
        "audit",
        chosen=(actor, site, sites),
        filters=args.to_dict(),
        lines=[presenters.present(row, words) for row in rows],
        more=more,
    )


@bp.get("/personal-data")
def personal_data():
    """An admin answers a citizen's request for everything held about them: type the ID
    number, get the ZIP (the same export as ``GET /api/v1/admin/personal-data``, recorded)."""
    if not is_admin(signed_in()):
        forbidden()
    typed = request.args.get("id_number")
    if typed is None:
        return page("admin/personal_data.html", "personal_data", typed="", error=None)
    try:
        number = subject.normalise(typed)
    except subject.InvalidIdNumber:
        error = _(
            "Số giấy tờ không hợp lệ. Nhập số định danh cá nhân (12 chữ số), số chứng minh nhân dân "
            "cũ (9 chữ số) hoặc số hộ chiếu (một chữ cái và 7 hoặc 8 chữ số)."
        )
        return page("admin/personal_data.html", "personal_data", typed=typed, error=error), 400
    body, _codes = subject.export_zip(db.session, current_storage(), number)
    db.session.commit()
    name = subject.filename(number, utcnow())
    return Response(
        body, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
