"""VietQR: the QR code a Vietnamese banking app scans to transfer a fee to the collecting
agency's account, with the amount and the transfer's memo filled in.

VietQR is NAPAS's profile of the EMVCo merchant-presented QR code (EMVCo "QR Code
Specification for Payment Systems: Merchant-Presented Mode", v1.1; NAPAS "VietQR" for
inter-bank fund transfer, IBFT). The payload is a string of data objects, each an ID of two
digits, a length of two digits and the value:

- ``00`` payload format indicator, "01";
- ``01`` point of initiation, "11" for a code printed once for any amount, "12" for one made for
  one payment (with its amount: what a dossier's receipt carries);
- ``38`` the beneficiary (merchant account information, NAPAS's ID): ``00`` NAPAS's GUID
  "A000000727", ``01`` the beneficiary organisation (``00`` the bank's BIN, six digits, as the
  State Bank lists them; ``01`` the account number), ``02`` the service, "QRIBFTTA" (a transfer
  to an account);
- ``53`` the currency, "704" (ISO 4217 đồng); ``54`` the amount, whole đồng;
- ``58`` the country, "VN";
- ``62`` additional data: ``08`` the purpose of the transaction, the memo the bank carries to
  the beneficiary's statement (at most 25 characters);
- ``63`` the CRC: CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) of everything
  before it including "6304", as four upper-case hex digits.

The memo is what reconciles a transfer with its dossier, and banks pass on only letters,
digits and spaces reliably (some drop dots and dashes, some change case), so it is the dossier
code reduced to its upper-case letters and digits (:func:`memo`).
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
STATIC, DYNAMIC = "11", "12"
MEMO_MAX = 25  # EMVCo: purpose of transaction, "ans", up to 25
ACCOUNT_MAX = 19  # NAPAS: account number, up to 19
AMOUNT_MAX = 9_999_999_999_999  # EMVCo: the amount has at most 13 characters

_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[A-Za-z0-9]{1,19}$")


class InvalidAccount(ValueError):
    """A collecting account the QR code cannot carry; ``field`` names the setting."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Account:
    """Where fees are transferred to: the bank's BIN and the account number (a site's setting)."""

    bin: str
    number: str

    def __post_init__(self) -> None:
        if not _BIN.match(self.bin):
            raise InvalidAccount("payment_bank_bin", "A bank's BIN is six digits.")
        if not _ACCOUNT.match(self.number):
            raise InvalidAccount("payment_account_number", "An account number is 1 to 19 letters or digits.")


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"data object {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data`` as four upper-case hex digits (``binascii.crc_hqx`` is
    that CRC when started from 0xFFFF)."""
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


def memo(code: str) -> str:
    """The transfer's memo for a dossier code: its letters and digits, upper case; the last
    :data:`MEMO_MAX` of them when longer (the date and the day's sequence are at the end)."""
    reduced = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    return reduced[-MEMO_MAX:]


def payload(account: Account, amount: int | None = None, purpose: str = "") -> str:
    """The VietQR string for a transfer of ``amount`` đồng (None: the payer types it) to
    ``account`` with ``purpose`` as its memo."""
    if amount is not None and not 0 < amount <= AMOUNT_MAX:
        raise ValueError("the amount is a positive whole number of đồng")
    if len(purpose) > MEMO_MAX or not re.fullmatch(r"[0-9A-Za-z ]*", purpose):
        raise ValueError(f"the memo is at most {MEMO_MAX} letters, digits or spaces")
    beneficiary = _field("00", account.bin) + _field("01", account.number)
    merchant = _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", SERVICE_TO_ACCOUNT)
    body = (
        _field("00", "01")
        + _field("01", DYNAMIC if amount is not None else STATIC)
        + _field("38", merchant)
        + _field("53", CURRENCY_VND)
        + (_field("54", str(amount)) if amount is not None else "")
        + _field("58", COUNTRY)
        + (_field("62", _field("08", purpose)) if purpose else "")
        + "6304"
    )
    return body + crc(body)
