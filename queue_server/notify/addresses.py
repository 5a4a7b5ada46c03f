"""A citizen's address on each channel: a phone number (E.164), an e-mail address, or a push
endpoint. The checks themselves live in :mod:`queue_server.phones`."""

from __future__ import annotations

from ..phones import masked_phone, normalise_email, normalise_phone
from .models import ChannelKind


def normalise(channel: str, address: str) -> str:
    """The address as stored for ``channel`` (a push endpoint is checked where it is taken)."""
    if channel in ChannelKind.BY_PHONE:
        return normalise_phone(address)
    if channel == ChannelKind.EMAIL:
        return normalise_email(address)
    return address


def masked(channel: str, address: str) -> str:
    """What a page may show of an address: "+84912***678", "n***@gmail.com"; nothing of a push
    endpoint, nor of an address the retention purge emptied (privacy/retention.py)."""
    if not address:
        return ""
    if channel in ChannelKind.BY_PHONE:
        return masked_phone(address)
    if channel == ChannelKind.EMAIL:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return ""
