"""What the channels, the messages' states and the events are called on staff pages and the
opt-out page (Vietnamese message ids)."""

from __future__ import annotations

from ..web import N_
from .channels.base import FailureKind
from .models import ChannelKind, NotificationStatus
from .templates import DEFAULTS

CHANNEL = {
    ChannelKind.EMAIL: N_("Thư điện tử"),
    ChannelKind.WEBPUSH: N_("Thông báo trên trình duyệt"),
    ChannelKind.SMS: N_("Tin nhắn SMS"),
    ChannelKind.ZALO: N_("Zalo"),
}
STATUS = {
    NotificationStatus.PENDING: N_("Chờ gửi"),
    NotificationStatus.SENDING: N_("Đang gửi"),
    NotificationStatus.SENT: N_("Đã gửi"),
    NotificationStatus.DELIVERED: N_("Đã đến người nhận"),
    NotificationStatus.FAILED: N_("Không gửi được"),
    NotificationStatus.CANCELLED: N_("Đã huỷ"),
}
# Why the last attempt failed, as staff read it (the row keeps the technical reason for IT).
ERROR_KIND = {
    FailureKind.UNREACHABLE: N_("Không kết nối được máy chủ gửi tin"),
    FailureKind.TIMEOUT: N_("Máy chủ gửi tin không trả lời kịp"),
    FailureKind.UNAVAILABLE: N_("Máy chủ gửi tin đang gặp sự cố"),
    FailureKind.RATE_LIMITED: N_("Gửi quá nhiều tin cùng lúc hoặc hết hạn mức"),
    FailureKind.REFUSED_ADDRESS: N_("Địa chỉ hoặc số điện thoại không nhận được tin"),
    FailureKind.REJECTED: N_("Nhà cung cấp từ chối tin nhắn"),
    FailureKind.MISCONFIGURED: N_("Tài khoản hoặc cài đặt của kênh cần kiểm tra"),
    FailureKind.GONE: N_("Công dân không còn nhận thông báo trên trình duyệt này"),
    FailureKind.SWITCHED_OFF: N_("Trung tâm đã tắt kênh này"),
    FailureKind.OTHER: N_("Lỗi khác"),
}
EVENT = {event: default.label for event, default in DEFAULTS.items()}
