"""Reading a bank statement (sao kê tài khoản) as the banks export it: CSV or XLSX, a title
block above the table, Vietnamese headers, amounts and dates written several ways.

The file is recognised by its bytes: XLSX is a zip (``PK``); anything else is read as CSV,
UTF-8 (with or without a BOM) or, when those bytes are not UTF-8, Windows-1258 (Vietnamese
Windows' code page, which older bank software still writes), with ``;``, ``,`` or a tab between
cells (whichever gives a header row). An old binary ``.xls`` is refused with a readable message.

Columns (:data:`COLUMNS`) are found by their headers, compared without case, diacritics,
punctuation or a bracketed unit ("Số tiền ghi có (VND)" is "so tien ghi co"). The header row is
the first of the first :data:`HEADER_SEARCH_ROWS` rows that names the four needed columns: a
title block above it (the bank, the account, the period) is skipped, and an account number
written there ("Số tài khoản: ...") is kept to refuse another account's statement. The
supervisor may name any column by its header as written in the file (``mapping``), instead of
the default's names. Each line's amount and date are read by :func:`parse_amount` and
:func:`parse_date`; a line that cannot be read is kept with its error, and the others are read.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from ..dossiers.rules import RECEIPT_NUMBER_MAX
from ..errors import ApiError

# Field: the headers that name it, reduced by :func:`plain`. What Vietcombank, VietinBank, BIDV,
# Agribank, Techcombank, MB, ACB and VPBank write in their exports, and the English of their
# English exports.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "ngay giao dich",
        "ngay gd",
        "thoi gian giao dich",
        "thoi gian gd",
        "ngay hach toan",
        "ngay gio giao dich",
        "ngay hieu luc",
        "ngay",
        "thoi gian",
        "transaction date",
        "transaction time",
        "posting date",
        "date",
    ),
    "credit": (
        "ghi co",
        "so tien ghi co",
        "phat sinh co",
        "so tien co",
        "co",
        "so tien vao",
        "tien vao",
        "credit",
        "credit amount",
        "credits",
    ),
    "description": (
        "noi dung",
        "noi dung giao dich",
        "noi dung chuyen khoan",
        "noi dung ck",
        "dien giai",
        "mo ta",
        "chi tiet giao dich",
        "description",
        "transaction description",
        "details",
        "remarks",
    ),
    "reference": (
        "so tham chieu",
        "ma giao dich",
        "ma gd",
        "so but toan",
        "so giao dich",
        "so gd",
        "so chung tu",
        "so ct",
        "ma tham chieu",
        "reference",
        "reference number",
        "ref no",
        "transaction id",
        "transaction number",
    ),
    "debit": (
        "ghi no",
        "so tien ghi no",
        "phat sinh no",
        "so tien no",
        "no",
        "so tien ra",
        "tien ra",
        "debit",
        "debit amount",
        "debits",
    ),
    "payer": (
        "ten nguoi chuyen",
        "nguoi chuyen",
        "ten doi ung",
        "ten tai khoan doi ung",
        "doi ung",
        "nguoi chuyen tien",
        "ten nguoi gui",
        "payer",
        "remitter",
        "sender",
        "counterparty",
    ),
}
NEEDED = ("date", "credit", "description", "reference")
FIELDS = tuple(COLUMNS)
HEADER_SEARCH_ROWS = 30
# How the title block names the account (reduced by :func:`plain`).
ACCOUNT_LABELS = ("so tai khoan", "tai khoan", "so tk", "account number", "account no", "account")
CSV_DELIMITERS = (";", ",", "\t")
TEXT_MAX = 500  # a description or a payer's name kept (banks' own limit is about 210)
REFERENCE_MAX = RECEIPT_NUMBER_MAX  # the reference becomes the fee's receipt number


def plain(text: object) -> str:
    """Lower case, without diacritics (đ is d), brackets' content or punctuation, one space
    between words: how headers and labels are compared."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


class Unreadable(ValueError):
    """A cell that is not an amount or a date; ``code`` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_AMOUNT_NOISE = re.compile(r"(?i)\s|\u00a0|vnd|vnđ|đ|dong|đồng")


def parse_amount(value: object) -> int:
    """Whole đồng from a cell: a number, or text such as "200.000", "200,000", "200000 VND",
    "1.234.567,00" or "(200,000)" (negative). A separator followed by exactly three digits, or
    used more than once, groups thousands; the last of two different ones marks decimals, which
    must be zero. An empty cell is 0."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = _AMOUNT_NOISE.sub("", str(value))
        negative = text.startswith("(") and text.endswith(")")
        text = text.strip("()+")
        if text.startswith("-"):
            negative, text = True, text[1:]
        if not text:
            return 0
        if not re.fullmatch(r"[0-9.,]+", text):
            raise Unreadable("unreadable_amount")
        separators = [c for c in text if c in ".,"]
        if len(set(separators)) == 2:
            decimal_mark = text[max(text.rfind("."), text.rfind(","))]
            whole, _, fraction = text.rpartition(decimal_mark)
            text = re.sub(r"[.,]", "", whole) + "." + fraction
        elif separators:
            mark = separators[0]
            groups = text.split(mark)
            if len(separators) > 1 or len(groups[-1]) == 3:
                if not all(len(group) == 3 for group in groups[1:]):
                    raise Unreadable("unreadable_amount")
                text = "".join(groups)
            else:
                text = text.replace(mark, ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Unreadable("unreadable_amount") from None
        if negative:
            number = -number
    if number != number.to_integral_value():
        raise Unreadable("unreadable_amount")
    return int(number)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(value: object) -> datetime:
    """The transaction's time as written (no zone: the site's local time; a date alone is its
    midnight), from a spreadsheet's date or datetime, dd/mm/yyyy (with or without hh:mm[:ss];
    "/", "-" or "." between), or ISO 8601."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = str(value or "").strip()
    found = _DMY.match(text)
    try:
        if found:
            day, month, year, hour, minute, second = found.groups()
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        return datetime.fromisoformat(text)
    except ValueError:
        raise Unreadable("unreadable_date") from None


@dataclass
class Line:
    """One row of the statement's table, read; ``error`` says what could not be (then the
    fields it concerns are left empty)."""

    row: int  # the row's number in the file, as the bank's spreadsheet numbers it
    reference: str = ""
    booked_at: datetime | None = None  # local time, no zone
    credit: int = 0
    debit: int = 0
    description: str = ""
    payer: str = ""
    error: str | None = None


@dataclass
class Statement:
    """What the file holds: its table's lines, the columns found, and the account the title
    block names (None when it names none)."""

    lines: list[Line]
    columns: dict[str, str]  # field: the header as written in the file
    headers: list[str]
    account_number: str | None = None
    skipped: int = 0  # rows with neither a date nor a reference: totals, balances, blank rows
    kind: str = "csv"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _rows_of_xlsx(data: bytes) -> Iterator[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ApiError("unsupported_file", "The file is neither a CSV nor an XLSX statement.") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _text_of(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ApiError("unsupported_file", "The file is neither a CSV nor an XLSX statement.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    # Windows-1258 writes tones as combining marks; the memo and the headers compare composed.
    return unicodedata.normalize("NFC", text)


def _header(rows: list[list], mapping: Mapping[str, str]) -> tuple[int, dict[str, int]]:
    """The header row's index and each field's column: the first row that names every needed
    field, else the row that names most (the caller says which are missing)."""
    wanted = {name: (plain(mapping[name]),) if mapping.get(name) else COLUMNS[name] for name in FIELDS}
    best: tuple[int, dict[str, int]] = (-1, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [plain(cell) for cell in row]
        found: dict[str, int] = {}
        for name, names in wanted.items():
            column = next((cells.index(n) for n in names if n in cells), None)
            if column is not None and column not in found.values():
                found[name] = column
        if all(name in found for name in NEEDED):
            return index, found
        if len(found) > len(best[1]):
            best = (index, found)
    return best


def _complete(found: tuple[int, dict[str, int]]) -> bool:
    return all(name in found[1] for name in NEEDED)


_ACCOUNT_NUMBER = re.compile(r"[0-9][0-9 .-]{4,}[0-9]")


def _account(rows: list[list]) -> str | None:
    """The account number the title block names ("Số tài khoản: 3600 2010 09999"), digits only."""
    for row in rows:
        cells = [_text(cell) for cell in row]
        for position, cell in enumerate(cells):
            label = plain(cell.split(":")[0])
            if not any(label == name or label.endswith(" " + name) for name in ACCOUNT_LABELS):
                continue
            rest = cell.split(":", 1)[1] if ":" in cell else " ".join(cells[position + 1 :])
            number = _ACCOUNT_NUMBER.search(rest)
            if number:
                return re.sub(r"\D", "", number.group())
    return None


def _table(rows: list[list], mapping: Mapping[str, str], kind: str) -> Statement:
    found = _header(rows, mapping)
    if not _complete(found):
        missing = [name for name in NEEDED if name not in found[1]]
        raise ApiError(
            "missing_column",
            f"No row of the file names the statement's columns {', '.join(missing)} "
            "(see docs/payments.md for the headers recognised, or name them).",
            field=missing[0],
            missing=missing,
        )
    start, columns = found
    header = [_text(cell) for cell in rows[start]]
    statement = Statement(
        lines=[],
        columns={name: header[column] for name, column in columns.items()},
        headers=[cell for cell in header if cell],
        account_number=_account(rows[:start]),
        kind=kind,
    )
    for number, row in enumerate(rows[start + 1 :], start=start + 2):

        def cell(name: str, row=row):
            column = columns.get(name)
            return row[column] if column is not None and column < len(row) else None

        if not _text(cell("date")) and not _text(cell("reference")):
            statement.skipped += 1
            continue
        line = Line(
            row=number,
            reference=_text(cell("reference")),
            description=_text(cell("description"))[:TEXT_MAX],
            payer=_text(cell("payer"))[:TEXT_MAX],
        )
        try:
            line.booked_at = parse_date(cell("date"))
            line.credit = parse_amount(cell("credit"))
            line.debit = parse_amount(cell("debit"))
        except Unreadable as error:
            line.error = error.code
        if line.error is None and not 0 < len(line.reference) <= REFERENCE_MAX:
            line.error = "unreadable_reference"
        statement.lines.append(line)
    return statement


def read(data: bytes, mapping: Mapping[str, str] | None = None) -> Statement:
    """The statement in ``data`` (a CSV or XLSX file's bytes), its columns named by the default
    (:data:`COLUMNS`) or by ``mapping`` (field: the header as written); a 400 when it is
    neither, or when no row names the needed columns."""
    mapping = {name: value for name, value in (mapping or {}).items() if value}
    if data[:4] == b"PK\x03\x04":
        return _table(list(_rows_of_xlsx(data)), mapping, "xlsx")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ApiError("unsupported_file", "An old Excel (.xls) file: save it as XLSX or CSV.")
    text = _text_of(data)
    for delimiter in CSV_DELIMITERS:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        if _complete(_header(rows, mapping)):
            return _table(rows, mapping, "csv")
    return _table(list(csv.reader(io.StringIO(text))), mapping, "csv")
