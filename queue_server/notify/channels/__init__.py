"""The channels, by name (:class:`..models.ChannelKind`). Each is one small class with the
interface of :class:`.base.Channel`."""

from __future__ import annotations

from .base import Channel
from .gateways import Sms, ZaloZns
from .webpush import WebPushChannel

CHANNELS: dict[str, type[Channel]] = {
    WebPushChannel.name: WebPushChannel,
    "sms": Sms,
    "zalo": ZaloZns,
}
