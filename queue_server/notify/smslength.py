"""How long a text message is: its alphabet, its parts, and the unaccented form.

An SMS carries 140 octets. In the GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1, with its
extension table, whose characters take two septets) that is 160 characters, or 153 per part
once a long message is split (6 octets of each part go to the concatenation header, 3GPP TS
23.040 §9.2.3.24.1). A text with any other character goes as UCS-2: 70 characters, 67 per
part. Vietnamese with its tone marks (ă, ơ, ư, ế...) is outside GSM-7, so a Vietnamese
message costs more than twice as many parts as the same words unaccented; many brandname
contracts price per part and some gateways take unaccented text only, so a site may choose
to send its messages without accents (:func:`unaccented`, the SMS channel's setting).

The one home of these counts: the SMS channel chooses the encoding with :func:`measure`, and
the administration refuses a template longer than the site allows with it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# 3GPP TS 23.038 §6.2.1: the default alphabet (one septet each)...
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# ...and its extension table (an escape septet first: two each).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM7, UCS2 = "gsm7", "ucs2"
# Characters in one message, and in each part of a longer one.
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Length:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # the parts the network carries (and the gateway bills)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def measure(text: str) -> Length:
    """The encoding a gateway must use for ``text`` and the number of parts it takes."""
    if is_gsm7(text):
        encoding, units = GSM7, sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    else:
        # UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
        encoding, units = UCS2, len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        segments = 1 if units else 0
    else:
        segments = -(-units // PART[encoding])
    return Length(encoding, units, segments)


# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "D"})


def unaccented(text: str) -> str:
    """Vietnamese without its tone and vowel marks ("Đã có kết quả" -> "Da co ket qua"), the
    way brandname messages are often written: the marks are split off (NFD) and dropped, and
    đ/Đ, which are letters of their own, become d/D."""
    decomposed = unicodedata.normalize("NFD", text.translate(_UNDECOMPOSED))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
