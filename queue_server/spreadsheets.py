"""Cells of the spreadsheets people download (reports, the tracking book): text stays text.

A name, an address or a reason typed by a citizen or an officer may begin like a formula:
``=HYPERLINK("http://...", "Xem")``, ``+1``, ``-2+3``, ``@SUM(A1)``, a tab or a carriage return.
Opened in Excel or LibreOffice such a cell would be computed, e.g. to send the sheet's other
cells to another site (CSV injection, OWASP). Every export writes its cells through here:

- XLSX: every string is a string cell (openpyxl would store one beginning with ``=`` as a
  formula, and ``#N/A`` as an error); one that looks like a formula also gets the quote prefix,
  so that editing the cell in Excel keeps it text. Characters XML cannot hold are dropped.
- CSV: such a cell gets a leading ``'``, OWASP's advice, which spreadsheet programs show as text.

Numbers, dates and times the system computed are written as they are, so they stay numbers.

A CSV file carries no locale, and Excel reads one with the list separator and decimal symbol
of Windows' regional settings. On a Vietnamese Windows those are ``;`` and ``,``: a file of
commas and decimal points opens as one column. So CSV files follow ``CSV_DIALECT``
(:data:`DIALECTS`): ``vi`` (the default) writes ``;``, decimal commas and dates as dd/mm/yyyy;
``international`` commas, decimal points and ISO dates. Both start with a UTF-8 BOM, without
which Excel reads the Vietnamese letters as another code page.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file writes what the locale of the spreadsheet program decides."""

    delimiter: str
    decimal: str
    date_format: str
    datetime_format: str


DIALECTS = {
    # Excel on a Vietnamese Windows: list separator ";", decimal symbol ",", dd/mm/yyyy.
    "vi": CsvDialect(";", ",", "%d/%m/%Y", "%d/%m/%Y %H:%M"),
    "international": CsvDialect(",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M"),
}
BOM = "\ufeff"


def csv_dialect(name: str | None = None) -> CsvDialect:
    """The dialect named, else the application's ``CSV_DIALECT``."""
    if name is None:
        from flask import current_app

        name = current_app.config.get("CSV_DIALECT", "vi")
    return DIALECTS[name]


def csv_cell(value, dialect: CsvDialect):
    """A value as the dialect writes it: text safe from formulas, numbers with its decimal
    symbol, dates (datetimes in the time zone they carry) in its order."""
    if looks_like_formula(value):
        return f"'{value}"
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return str(value).replace(".", dialect.decimal)
    if isinstance(value, datetime):
        return value.strftime(dialect.datetime_format)
    if isinstance(value, date):
        return value.strftime(dialect.date_format)
    return value


def write_csv(stream: IO[str], rows: Iterable[Iterable], dialect: CsvDialect | None = None) -> None:
    """Write the rows, after a BOM, in ``dialect`` (by default the application's)."""
    dialect = dialect or csv_dialect()
    stream.write(BOM)
    writer = csv.writer(stream, delimiter=dialect.delimiter)
    writer.writerows([csv_cell(value, dialect) for value in row] for row in rows)


def write(sheet: Worksheet, row: int, column: int, value) -> Cell:
    """``sheet.cell(row, column, value)``, with a text always a string cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        raise ValueError(f"{cell.coordinate} is inside a merged range: write to its top-left cell")
    _set(cell, value)
    return cell


def append(sheet: Worksheet, values: Iterable) -> None:
    """``sheet.append(values)``, with each text a string cell."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        write(sheet, row, column, value)


def _set(cell: Cell, value) -> None:
    if not isinstance(value, str):
        cell.value = value
        if isinstance(value, date) and not isinstance(value, datetime):
            cell.number_format = "dd/mm/yyyy"
        return
    cell.value = text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
