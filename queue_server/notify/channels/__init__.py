"""The channels, by name (:class:`..models.ChannelKind`). Each is one small class with the
interface of :class:`.base.Channel`."""

from .base import Channel
from .webpush import WebPushChannel

CHANNELS: dict[str, type[Channel]] = {
    WebPushChannel.name: WebPushChannel,
}
