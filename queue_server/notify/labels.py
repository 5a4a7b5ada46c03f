"""What the channels, the messages' states and the events are called on staff pages and the
opt-out page (Vietnamese message ids)."""

from __future__ import annotations

from ..web import N_
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
EVENT = {event: default.label for event, default in DEFAULTS.items()}
