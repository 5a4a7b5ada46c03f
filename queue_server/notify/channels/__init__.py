"""The channels, by name (:class:`..models.ChannelKind`). Each is one small class with the
interface of :class:`.base.Channel`."""

from __future__ import annotations

from .base import Channel
from .email import EmailChannel

CHANNELS: dict[str, type[Channel]] = {
    "email": EmailChannel,
}
