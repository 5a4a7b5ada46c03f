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
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_csv(stream: IO[str], rows: Iterable[Iterable]) -> None:
    writer = csv.writer(stream)
    writer.writerows([f"'{value}" if looks_like_formula(value) else value for value in row] for row in rows)


def write(sheet: Worksheet, row: int, column: int, value) -> Cell:
    """``sheet.cell(row, column, value)``, with a text always a string cell."""
    cell = sheet.cell(row=row, column=column)
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
        return
    cell.value = text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
