"""A citizen's address on each channel, checked and written one way.

Phone numbers are Vietnamese unless they say otherwise (+84...). They are parsed, validated
and stored in E.164 by Google's libphonenumber (``phonenumbers``): "0912 345 678",
"+84 912345678" and "84912345678" are the same number, "+84912345678". An SMS brandname
or Zalo ZNS reaches only a mobile number, so a landline is refused for those channels.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from ..errors import ApiError
from .models import ChannelKind

REGION = "VN"
# Enough to catch a typo; the mail server is the judge of the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_phone(text: str, *, mobile: bool = True) -> str:
    """The number in E.164, or ApiError ``invalid_phone``."""
    try:
        number = phonenumbers.parse(text.strip(), REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ApiError("invalid_phone", "This is not a valid phone number.", field="phone")
    if mobile and phonenumbers.number_type(number) not in _MOBILE:
        raise ApiError("not_a_mobile", "Text messages reach only a mobile number.", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    address = text.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise ApiError("invalid_email", "This is not a valid e-mail address.", field="email")
    return address


def normalise(channel: str, address: str) -> str:
    """The address as stored for ``channel`` (a push endpoint is checked where it is taken)."""
    if channel in ChannelKind.BY_PHONE:
        return normalise_phone(address)
    if channel == ChannelKind.EMAIL:
        return normalise_email(address)
    return address


def masked(channel: str, address: str) -> str:
    """What a page may show of an address: "+84912***678", "n***@gmail.com"; nothing of a push endpoint."""
    if channel in ChannelKind.BY_PHONE:
        return address[:6] + "*" * max(len(address) - 9, 0) + address[-3:]
    if channel == ChannelKind.EMAIL:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return ""
