"""A citizen's phone number and e-mail address, checked and written one way.

Phone numbers are Vietnamese unless they say otherwise (+84...). They are parsed, validated
and stored in E.164 by Google's libphonenumber (``phonenumbers``): "0912 345 678",
"+84 912345678" and "84912345678" are the same number, "+84912345678". An SMS brandname
or Zalo ZNS reaches only a mobile number, so a landline is refused where a text is meant.
A plain module: appointments (booking/) and notifications (notify/) both take numbers.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from .errors import ApiError

REGION = "VN"
# Enough to catch a typo; the mail server is the judge of the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_phone(text: str, *, mobile: bool = True) -> str:
    """The number in E.164, or ApiError ``invalid_phone`` / ``not_a_mobile``."""
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


def masked_phone(number: str) -> str:
    """What a page may show of a number in E.164: "+84912***678"."""
    return number[:6] + "*" * max(len(number) - 9, 0) + number[-3:]
