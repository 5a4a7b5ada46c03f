"""The channels, by name (:class:`..models.ChannelKind`). Each is one small class with the
interface of :class:`.base.Channel`."""

from __future__ import annotations

from ..models import ChannelKind
from .base import Channel
from .email import EmailChannel
from .gateways import Sms, Zalo
from .webpush import WebPushChannel

CHANNELS: dict[str, type[Channel]] = {
    ChannelKind.EMAIL: EmailChannel,
    ChannelKind.WEBPUSH: WebPushChannel,
    ChannelKind.SMS: Sms,
    ChannelKind.ZALO: Zalo,
}
