"""What a barcode/QR scanner read, and reading it from serial scanners.

Scanners are USB keyboard wedges by default (the page captures fast keystrokes ending in Enter)
or serial (pyserial; ``serial:///dev/ttyACM0?baudrate=9600&terminator=CR``). Serial mode is
preferred for intake: a keyboard wedge may garble the Vietnamese of the ID card's QR code.

:func:`parse` recognises:

- our ticket links (``.../t/<key>``): ``ticket``;
- our dossier tracking links (``.../d/<key>``, the QR code of a receipt): ``dossier_link``;
- our booking links (``.../b/<key>``, the QR code of an appointment's confirmation): ``booking``;
- dossier codes ``<agency>-<YYMMDD>-<NNNN>`` (e.g. ``000.00.06.H56-231027-0361``; Thông tư
  01/2018 Điều 19), with agency ids of up to 35 characters (Quyết định 20/2020/QĐ-TTg) and
  sequences longer than four digits, and the form Thông tư 04/2025/TT-VPCP adds for procedures
  run on a national centralised system, ``<agency>-<YYMMDD>-<AA><NNNN...>``: ``dossier``;
- handover manifest codes, the same with the agency prefixed by ``BK.``: ``manifest``;
- the QR code of the chip ID card (CCCD): 7 fields separated by ``|``: ID number (12 digits),
  old ID number (may be empty), full name, date of birth (DDMMYYYY), sex, address, issue date
  (DDMMYYYY): ``citizen_id``.

Anything else is a :class:`ScanError` saying what was expected, in English for the logs, with
a ``reason`` a screen turns into its own words (the kiosk's Vietnamese).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .devices import DeviceError, DeviceString

# Why a scan was refused: nothing read; not a code this system knows; a dossier code whose
# date does not exist; a chip ID card's QR code that does not read as one.
EMPTY, UNKNOWN_CODE, BAD_DATE, BAD_ID_CARD = "empty", "unknown_code", "bad_date", "bad_id_card"
REASONS = (EMPTY, UNKNOWN_CODE, BAD_DATE, BAD_ID_CARD)


class ScanError(ValueError):
    """The scanned text is not something this system knows (the message says why).

    ``reason`` is one of :data:`REASONS`, for screens that speak to the citizen in their
    language rather than show this English sentence."""

    def __init__(self, message: str, reason: str = UNKNOWN_CODE):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Scan:
    kind: str  # "ticket", "dossier_link", "booking", "dossier", "manifest", "citizen_id"
    value: str  # ticket key, tracking or booking key, dossier or manifest code, or ID number
    fields: dict = field(default_factory=dict)


TICKET_LINK = re.compile(r"^https?://[^\s/]+(?:/[^\s]*)?/t/([A-Za-z0-9_-]{16,32})$")
DOSSIER_LINK = re.compile(r"^https?://[^\s/]+(?:/[^\s]*)?/d/([A-Za-z0-9_-]{16,32})$")
BOOKING_LINK = re.compile(r"^https?://[^\s/]+(?:/[^\s]*)?/b/([A-Za-z0-9_-]{16,32})$")
MANIFEST_PREFIX = "BK."
AGENCY_ID_MAX = 35
# The agency (a manifest's code prefixes it with BK.), the day, the system's letters (if any)
# and a sequence of at least four digits.
DOSSIER_CODE = re.compile(
    rf"^(?P<agency>(?:{re.escape(MANIFEST_PREFIX)})?[0-9A-Za-z.]{{3,{AGENCY_ID_MAX}}})"
    r"-(?P<day>\d{6})-(?P<series>[A-Z]{2})?(?P<seq>\d{4,9})$"
)
CCCD_FIELDS = 7


def parse(text: str) -> Scan:
    raw = text.strip().strip("\x00")
    if not raw:
        raise ScanError("Nothing was scanned.", EMPTY)
    if match := TICKET_LINK.match(raw):
        return Scan("ticket", match.group(1))
    if match := DOSSIER_LINK.match(raw):
        return Scan("dossier_link", match.group(1))
    if match := BOOKING_LINK.match(raw):
        return Scan("booking", match.group(1))
    if match := DOSSIER_CODE.match(raw):
        try:
            received = datetime.strptime(match.group("day"), "%y%m%d").date()
        except ValueError:
            raise ScanError(f"The dossier code {raw!r} has no valid date.", BAD_DATE) from None
        return Scan(
            "manifest" if raw.startswith(MANIFEST_PREFIX) else "dossier",
            raw,
            {
                "agency": match.group("agency"),
                "received_on": received,
                "series": match.group("series") or "",
                "sequence": int(match.group("seq")),
            },
        )
    if raw.count("|") == CCCD_FIELDS - 1:
        return _citizen_id(raw)
    raise ScanError(
        "Not a ticket, a booking, a dossier receipt or code, a manifest or a chip ID card (CCCD) QR code.",
        UNKNOWN_CODE,
    )


def _ddmmyyyy(text: str, what: str) -> date:
    try:
        return datetime.strptime(text, "%d%m%Y").date()
    except ValueError:
        # Without the value: a date of birth is personal data, and this message reaches logs.
        raise ScanError(f"The ID card's {what} is not a date (DDMMYYYY).", BAD_ID_CARD) from None


def _citizen_id(raw: str) -> Scan:
    number, old_number, name, born, sex, address, issued = (part.strip() for part in raw.split("|"))
    if not re.fullmatch(r"\d{12}", number):
        raise ScanError("The ID card's number must have 12 digits.", BAD_ID_CARD)
    if old_number and not re.fullmatch(r"\d{9}|\d{12}", old_number):
        raise ScanError("The ID card's old number must have 9 or 12 digits.", BAD_ID_CARD)
    if not name:
        raise ScanError("The ID card's QR code has no name.", BAD_ID_CARD)
    return Scan(
        "citizen_id",
        number,
        {
            "id_number": number,
            "old_id_number": old_number or None,
            "full_name": name,
            "date_of_birth": _ddmmyyyy(born, "date of birth"),
            "sex": sex,
            "address": address,
            "issued_on": _ddmmyyyy(issued, "issue date"),
        },
    )


TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t"}


class SerialScanner:
    """Reads one scan per line from a serial (or USB CDC) scanner."""

    def __init__(self, device: str):
        import serial

        spec = DeviceString.parse(device)
        if spec.scheme not in ("serial", "loop"):
            raise DeviceError(f"a serial scanner needs serial:///dev/... (got {spec.scheme}://)")
        terminator = TERMINATORS.get((spec.option("terminator") or "CR").upper())
        if terminator is None:
            raise DeviceError("terminator must be CR, LF, CRLF or TAB")
        self.terminator = terminator
        url = "loop://" if spec.scheme == "loop" else spec.path
        try:
            self.port = serial.serial_for_url(
                url, baudrate=int(spec.option("baudrate", "9600")), timeout=float(spec.option("timeout", "1"))
            )
        except (serial.SerialException, ValueError) as error:
            raise DeviceError(f"cannot open scanner {device}: {error}") from error
        self._buffer = b""

    def read(self) -> str | None:
        """The next complete scan, or None if none arrived before the timeout."""
        while self.terminator not in self._buffer:
            chunk = self.port.read(max(1, self.port.in_waiting))
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(self.terminator)
        return line.decode("utf-8", errors="replace")

    def close(self) -> None:
        self.port.close()
