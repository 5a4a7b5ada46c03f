"""What a dossier's states and choices are called, in one place.

The message ids are the Vietnamese words (``N_`` marks them for the English catalogue). Staff
pages and the tracking page show them translated; the legal forms, the thermal receipt, the
exports and the post-office client print the Vietnamese as it is, so that "Quá hạn" on a form
is "Quá hạn" on the screen. Numbers are written the Vietnamese way (``0,5``; ``75.000 đồng``).
"""

from __future__ import annotations

from flask_babel import format_decimal, gettext

from ..web import N_
from .deadlines import Unit
from .rules import (
    Delivery,
    DossierChannel,
    DossierStatus,
    FeePayment,
    FeeStatus,
    NoticeChannel,
    Outcome,
    RequestChannel,
    ReturnPlace,
)

STATUS = {
    DossierStatus.INCOMPLETE: N_("Chưa đủ, đã hướng dẫn hoàn thiện"),
    DossierStatus.RECEIVED: N_("Đã tiếp nhận"),
    DossierStatus.SUPPLEMENT_REQUESTED: N_("Cần bổ sung hồ sơ"),
    DossierStatus.RESUBMITTED: N_("Đã bổ sung hồ sơ"),
    DossierStatus.REFUSED: N_("Bị từ chối"),
    DossierStatus.TRANSFERRED: N_("Đã chuyển cơ quan giải quyết"),
    DossierStatus.PROCESSING: N_("Đang giải quyết"),
    DossierStatus.APOLOGY_ISSUED: N_("Đang giải quyết, đã xin lỗi và hẹn lại"),
    DossierStatus.RESULT_READY: N_("Đã có kết quả"),
    DossierStatus.RETURNED: N_("Đã trả kết quả"),
    DossierStatus.STOPPED: N_("Đã dừng giải quyết"),
}
OUTCOME = {
    Outcome.EARLY: N_("Trước hạn"),
    Outcome.ON_TIME: N_("Đúng hạn"),
    Outcome.LATE: N_("Quá hạn"),
    Outcome.REFUSED: N_("Từ chối"),
    Outcome.STOPPED: N_("Dừng giải quyết"),
}
CHANNEL = {
    DossierChannel.COUNTER: N_("Tại quầy"),
    DossierChannel.POSTAL: N_("Qua bưu điện"),
    DossierChannel.ONLINE: N_("Trực tuyến"),
}
DELIVERY = {
    Delivery.COUNTER: N_("Tại quầy trả kết quả"),
    Delivery.POST: N_("Qua bưu điện"),
    Delivery.ONLINE: N_("Trực tuyến"),
}
RETURN_PLACE = {
    ReturnPlace.RECEIVING: N_("Nơi tiếp nhận hồ sơ"),
    ReturnPlace.HANDLING: N_("Trung tâm giải quyết hồ sơ"),
}
FEE_PAYMENT = {
    FeePayment.CASH: N_("Tiền mặt"),
    FeePayment.BANK: N_("Chuyển khoản qua ngân hàng"),
    FeePayment.CARD: N_("Thẻ ngân hàng"),
    FeePayment.ONLINE: N_("Thanh toán trực tuyến"),
    FeePayment.EXEMPT: N_("Miễn phí, lệ phí"),
    FeePayment.UNPAID: N_("Chưa nộp"),
}
FEE_STATUS = {
    FeeStatus.NONE: N_("Không thu phí, lệ phí"),
    FeeStatus.PAID: N_("Đã nộp"),
    FeeStatus.UNPAID: N_("Chưa nộp"),
    FeeStatus.EXEMPT: N_("Được miễn"),
    FeeStatus.REFUNDED: N_("Đã hoàn trả"),
    FeeStatus.NOT_COLLECTED: N_("Không thu"),
}
# The copies of one paper an intake counts (rules.DOCUMENT_COUNTS), as the forms' columns say.
DOCUMENT_COUNT = {
    "originals": N_("Bản chính"),
    "certified_copies": N_("Bản sao chứng thực"),
    "copies": N_("Bản sao"),
}
UNIT = {
    Unit.WORKING_DAYS: N_("ngày làm việc"),
    Unit.WORKING_HOURS: N_("giờ làm việc"),
    Unit.CALENDAR_DAYS: N_("ngày"),
}
REQUEST_CHANNEL = {
    RequestChannel.IN_PERSON: N_("Trực tiếp"),
    RequestChannel.POST: N_("Qua bưu điện"),
    RequestChannel.ONLINE: N_("Trực tuyến"),
}
NOTICE_CHANNEL = {
    NoticeChannel.PHONE: N_("Điện thoại"),
    NoticeChannel.SMS: N_("Tin nhắn SMS"),
    NoticeChannel.EMAIL: N_("Thư điện tử"),
    NoticeChannel.ZALO: N_("Zalo"),
    NoticeChannel.POST: N_("Qua bưu điện"),
    NoticeChannel.IN_PERSON: N_("Trực tiếp"),
}
# Every event of a dossier's history: the lifecycle's actions and the others.
ACTION = {
    "receive": N_("Tiếp nhận"),
    "turn_away": N_("Không tiếp nhận"),
    "handover": N_("Bàn giao"),
    "flag": N_("Cảnh báo hạn xử lý"),
    "request_supplement": N_("Yêu cầu bổ sung"),
    "resubmit": N_("Nhận hồ sơ bổ sung"),
    "refuse": N_("Từ chối giải quyết"),
    "stop": N_("Dừng giải quyết"),
    "transfer": N_("Chuyển cơ quan giải quyết"),
    "start_processing": N_("Bắt đầu giải quyết"),
    "apologise": N_("Xin lỗi, đề nghị gia hạn"),
    "result_ready": N_("Có kết quả"),
    "return": N_("Trả kết quả"),
    "deliver": N_("Bưu điện đã phát"),
    "undeliver": N_("Bưu điện phát không thành công"),
    "contact_consent": N_("Đồng ý được liên hệ"),
    "fee_confirm": N_("Xác nhận đã nộp phí, lệ phí"),
    "fee_change": N_("Sửa số tiền phí, lệ phí"),
    "fee_waive": N_("Miễn phí, lệ phí"),
    "fee_refund": N_("Hoàn trả phí, lệ phí"),
}
FLAG = {
    "due_soon": N_("Sắp đến hạn"),
    "overdue": N_("Quá hạn"),
    "needs_apology": N_("Cần xin lỗi, gia hạn"),
    "transfer_due": N_("Chưa chuyển cơ quan giải quyết"),
    "payment_due": N_("Chờ nộp phí, lệ phí"),
}


def lower_first(text: str) -> str:
    """A label inside a sentence: ``Tiền mặt`` -> ``tiền mặt``."""
    return text[:1].lower() + text[1:]


def number(amount: int | float) -> str:
    """``0,5`` or ``10``: Vietnamese writes a decimal comma."""
    return f"{amount:g}".replace(".", ",")


def thousands(amount: int) -> str:
    """``75.000``: Vietnamese groups thousands with dots."""
    return f"{amount:,}".replace(",", ".")


def money(amount: int) -> str:
    """``75.000 đồng`` (the forms, the receipts)."""
    return f"{thousands(amount)} đồng"


def money_for_reader(amount: int) -> str:
    """The amount in the page's language, for the citizen's pages: ``75.000 đồng`` or, in
    English, ``75,000 VND``."""
    return gettext("{amount} đồng").format(amount=format_decimal(amount))


def fee_line(amount: int, payment: str, status: str | None = None) -> str:
    """The fee as the receipts print it: ``75.000 đồng (tiền mặt)``, ``75.000 đồng (đã hoàn
    trả)``, ``Miễn phí, lệ phí`` or ``Không thu phí, lệ phí``. ``status`` (a
    :class:`~.rules.FeeStatus`) is what became of it, when known."""
    if payment == FeePayment.EXEMPT or status == FeeStatus.EXEMPT:
        return FEE_PAYMENT[FeePayment.EXEMPT]
    if not amount or status == FeeStatus.NONE:
        return FEE_STATUS[FeeStatus.NONE]
    if status in (FeeStatus.REFUNDED, FeeStatus.NOT_COLLECTED):
        what = FEE_STATUS[status]
    else:
        what = FEE_PAYMENT.get(payment, payment)
    return f"{money(amount)} ({lower_first(what)})"


def processing_time(amount: int | float, unit: str) -> str:
    """The statutory processing time, e.g. ``15 ngày làm việc`` or ``0,5 ngày làm việc``."""
    return f"{number(amount)} {UNIT.get(unit, unit)}"
