"""What the channels are called on staff pages (the administration's, the reports')."""

from __future__ import annotations

from ..web import N_

CHANNEL = {
    "sms": N_("Tin nhắn SMS (brandname)"),
    "zalo": N_("Zalo ZNS"),
    "email": N_("Thư điện tử"),
    "webpush": N_("Thông báo trên trình duyệt"),
}
