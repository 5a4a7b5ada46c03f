"""``/kiosk/<site>``: the kiosk page. It talks to the public API with its device token.

It speaks to the citizen as "ông/bà" (docs/wording.md); the hall's call, which addresses the
room, stays in the third person ("Mời công dân có số...").

The token is given once in the address fragment (``/kiosk/NA-HCC#token=...``, never sent to
the server's logs), kept in the browser's local storage, and sent as ``Authorization: Bearer``.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from queue_server.database import db
from queue_server.dossiers import labels as dossier_labels
from queue_server.notify.operations import NEAR_TURN_DEFAULT, phone_channel
from queue_server.queueing.models import Priority
from queue_server.sites.models import Site
from queue_server.web import N_, js_strings, page_error

bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/kiosk/static"
)

# How long the kiosk waits for its printer to confirm a ticket.
PRINT_WAIT_SECONDS = 10
# Week days as said in "mở cửa lúc 7:30 thứ Hai, 07/12", Monday first (Python's weekday()).
WEEKDAYS = (
    N_("thứ Hai"),
    N_("thứ Ba"),
    N_("thứ Tư"),
    N_("thứ Năm"),
    N_("thứ Sáu"),
    N_("thứ Bảy"),
    N_("Chủ nhật"),
)

# Seconds before the kiosk returns to its start screen.
RESULT_SECONDS = 20
IDLE_SECONDS = 45

PRIORITY_LABELS = {
    Priority.ELDERLY: N_("Người cao tuổi (từ 60 tuổi)"),
    Priority.DISABLED: N_("Người khuyết tật"),
    Priority.PREGNANT: N_("Phụ nữ có thai"),
    Priority.CHILD_UNDER_6: N_("Người có con nhỏ dưới 6 tuổi"),
    Priority.MERIT: N_("Người có công với cách mạng"),
}

STRINGS = (
    N_("Chọn dịch vụ"),
    N_("Đang chờ: {n}"),
    N_("Chờ khoảng {minutes} phút"),
    N_("Chưa có cán bộ tiếp nhận"),
    N_("Không phải chờ"),
    N_("Số thứ tự của ông/bà"),
    N_("Có {n} người đang chờ trước ông/bà"),
    N_("Ông/Bà là người tiếp theo"),
    N_("Thời gian chờ dự kiến: khoảng {minutes} phút"),
    N_("Quầy phục vụ: {counters}"),
    N_("Chưa có cán bộ tiếp nhận dịch vụ này; số sẽ được gọi khi cán bộ vào quầy."),
    N_("Quét mã QR để theo dõi số của ông/bà trên điện thoại"),
    N_("Màn hình sẽ trở về sau {n} giây"),
    N_("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."),
    N_("Trung tâm đang ngoài giờ làm việc."),
    N_("Hôm nay không còn đủ thời gian phục vụ dịch vụ này trước giờ đóng cửa."),
    N_("Vui lòng quay lại lúc {time}."),
    # Said on the home screen before anyone taps, while the centre is closed (admission.opening).
    N_("Trung tâm mở cửa lúc {time} {weekday}, {date}."),
    N_("Trung tâm mở cửa lại lúc {time} hôm nay."),
    N_("Trang {page}/{pages}"),
    N_("Ưu tiên: {reason}"),
    N_("Ưu tiên"),
    N_("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."),
    N_("Dịch vụ này đã hết số trong ngày."),
    N_("Không lấy được số. Vui lòng thử lại."),
    N_("Đang lấy số ưu tiên: {reason}"),
    N_("Đang in phiếu…"),
    N_("Phiếu số {number}: đang chờ, còn {n} người trước ông/bà."),
    N_("Phiếu số {number}: đang chờ, còn 1 người trước ông/bà."),  # "1 person" in English
    N_("Phiếu số {number}: mời ông/bà đến quầy số {counter}."),
    N_("Phiếu số {number}: đang được phục vụ tại quầy số {counter}."),
    N_("Phiếu số {number} đã xong hoặc không còn hiệu lực. Vui lòng lấy số mới nếu cần."),
    # A refused scan or look-up that REFUSALS does not name.
    N_("Không đọc được mã này. Vui lòng thử lại hoặc hỏi quầy hướng dẫn."),
    N_("Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."),
    N_("Đã trả kết quả lúc {time}."),
    N_("Kết quả sẽ được gửi đến ông/bà qua bưu điện."),
    N_("Hẹn trả kết quả: {time}."),
    N_("Đã in phiếu, vui lòng nhận phiếu ở khe máy in."),
    N_("Máy in gặp sự cố. Vui lòng chụp mã QR trên màn hình."),
    N_("Phiếu sẽ được in khi máy in sẵn sàng; ông/bà có thể chụp mã QR trên màn hình."),
    N_("Máy in chưa phản hồi. Vui lòng chụp mã QR trên màn hình."),
    # The look-ups (lookup.js).
    N_("Gõ vài chữ trong tên thủ tục hoặc lĩnh vực, không cần dấu."),
    N_("Không tìm thấy thủ tục nào. Vui lòng thử từ khác hoặc hỏi quầy hướng dẫn."),
    N_("Chạm vào một thủ tục để xem giấy tờ cần chuẩn bị."),
    N_("{n} bản"),
    # The phone number for "near your turn" (notify.js).
    N_(
        "Trung tâm sẽ gửi một tin nhắn đến số này khi còn {n} người trước số {number}. "
        "Số điện thoại chỉ dùng để báo lượt cho Ông/Bà."
    ),
    N_(
        "Trung tâm sẽ gửi một tin Zalo đến số này khi còn {n} người trước số {number}. "
        "Số điện thoại chỉ dùng để báo lượt cho Ông/Bà."
    ),
    N_("Đã đăng ký: Ông/Bà sẽ nhận tin nhắn ở số {phone} khi sắp đến lượt."),
    N_("Số điện thoại chưa đúng. Ông/Bà vui lòng kiểm tra lại hoặc bấm “Bỏ qua”."),
    N_("Tin nhắn chỉ gửi được đến số di động. Ông/Bà vui lòng nhập số di động hoặc bấm “Bỏ qua”."),
    N_("Chưa đăng ký được. Ông/Bà vui lòng thử lại hoặc bấm “Bỏ qua”."),
    # A booking checked in (a scanned booking's QR code or chip ID card): how it went.
    N_("Ông/Bà đã đến đúng hẹn ({time}): số của ông/bà được gọi trước các số không đặt lịch."),
    N_("Ông/Bà đến trước giờ hẹn: từ {time}, số của ông/bà được gọi trước các số không đặt lịch."),
    N_("Ông/Bà đến muộn so với giờ hẹn {time}: số của ông/bà được gọi theo thứ tự như số thường."),
    N_("Chưa đến giờ nhận lịch hẹn. Vui lòng quay lại lúc {time}."),
)

# A refused scan or look-up in the kiosk's words, by the scan's reason or the error's code: the
# server's message is English, for its logs, and never shown at the kiosk.
REFUSALS = {
    "empty": N_("Không đọc được mã này. Vui lòng quét lại."),
    "unknown_code": N_(
        "Không đọc được mã này. Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."
    ),
    "bad_id_card": N_(
        "Không đọc được mã này. Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."
    ),
    "bad_date": N_("Mã hồ sơ này không đúng. Vui lòng kiểm tra lại hoặc hỏi quầy hướng dẫn."),
    "unknown_ticket": N_("Không tìm thấy phiếu này. Vui lòng lấy số mới nếu cần."),
    "unknown_dossier": N_("Không tìm thấy hồ sơ này tại trung tâm. Vui lòng hỏi quầy hướng dẫn."),
    "unauthorized": N_("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."),
    "unknown_booking": N_(
        "Không tìm thấy lịch hẹn hôm nay của ông/bà tại trung tâm này. Vui lòng hỏi quầy hướng dẫn."
    ),
    "wrong_day": N_("Lịch hẹn này không phải của hôm nay. Vui lòng đến đúng ngày hẹn."),
    "booking_cancelled": N_("Lịch hẹn này đã được hủy. Ông/Bà vui lòng lấy số thứ tự như thường."),
}

# The printer's fault, said while the ticket waits to be printed (printing/operations.py).
PRINTER_FAULTS = {
    "paper_out": N_("Máy in đang hết giấy."),
    "cover_open": N_("Máy in đang mở nắp."),
    "offline": N_("Máy in đang mất kết nối."),
}

# The look-ups' on-screen keyboards, row by row (no system keyboard on a kiosk). A dossier
# code is digits, capital letters, dots and dashes (hardware.scanning.DOSSIER_CODE); a search
# needs letters only, tone marks folded away by the server (dossiers/guidance.py).
DOSSIER_KEYS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL.", "ZXCVBNM-")
SEARCH_KEYS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
# Results shown at once: what fits beside (landscape) or above (portrait) the keyboard.
SEARCH_RESULTS = 6
# What a search waits for after a key, so that a word typed fast is one request.
SEARCH_DELAY_MS = 350
# A longer list of documents goes in two columns, so that the procedure fits on one screen.
DOCUMENTS_IN_ONE_COLUMN = 5


@bp.get("/kiosk/<site_code>")
def kiosk(site_code: str):
    site = db.session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        return page_error(404, _("Không tìm thấy trung tâm"), _("Mã trung tâm không đúng."))
    priorities = {code: _(label) for code, label in PRIORITY_LABELS.items()}
    return render_template(
        "kiosk/index.html",
        site=site,
        priorities=priorities,
        strings=js_strings(*STRINGS, *PRIORITY_LABELS.values()),
        result_seconds=RESULT_SECONDS,
        idle_seconds=IDLE_SECONDS,
        print_wait_seconds=PRINT_WAIT_SECONDS,
        weekdays=[_(day) for day in WEEKDAYS],
        dossier_statuses={status: _(label) for status, label in dossier_labels.STATUS.items()},
        refusals={code: _(text) for code, text in REFUSALS.items()},
        printer_faults={fault: _(text) for fault, text in PRINTER_FAULTS.items()},
        dossier_keys=DOSSIER_KEYS,
        search_keys=SEARCH_KEYS,
        # The channel a phone number typed here is told on (None: the kiosk does not ask).
        phone_channel=phone_channel(db.session(), site.id),
        near_turn_ahead=NEAR_TURN_DEFAULT,
        lookup_config={
            "results": SEARCH_RESULTS,
            "delayMs": SEARCH_DELAY_MS,
            "documentsInOneColumn": DOCUMENTS_IN_ONE_COLUMN,
        },
    )
