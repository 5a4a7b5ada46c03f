"""Importing the procedure catalogue from CSV or XLSX (the format provinces publish in).

The catalogue is the province's: each procedure names the centre that handles it (the site it
is imported into, its departments) and any centre of the province receives it. Columns (first
row, in any order): ``code``, ``name``, ``department`` (the department's code at the site),
``field``, ``processing_time``, ``unit`` (working_days, working_hours, calendar_days), ``fee``
(đồng), ``postal`` (yes/no), ``documents`` (one per line or separated by ``;``, each optionally
ending in ``(n bản)`` for the number of copies), and optionally ``cutoff`` (``HH:MM``; empty:
the province's default, DOSSIER_DEFAULT_CUTOFF; ``-`` or ``không``: none), ``system`` (the
two letters of the national centralised system the procedure runs on, Thông tư 04/2025) and
``pay_first`` (yes/no: the fee is paid before the dossier goes to processing). An import is all
or nothing: every bad row is reported, and then nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ApiError
from ..sites.models import Department, Site
from .codes import SERIES
from .deadlines import Unit
from .models import Procedure
from .policy import Policy

REQUIRED = ("code", "name", "department", "processing_time", "unit")
YES = {"yes", "y", "1", "true", "có", "x"}
NO_CUTOFF = {"-", "không", "none", "no"}
COPIES = re.compile(r"^(?P<name>.*?)\s*\((?P<copies>\d+)\s*bản\)\s*$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8) or XLSX file as dictionaries keyed by lower-case header."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        sheet = load_workbook(path, read_only=True, data_only=True).active
        if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet opens the file
            raise ApiError("bad_file", f"{path.name}: its first sheet is not a table.", 422)
        rows = [
            ["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if not rows:
        return []
    header = [name.strip().lower() for name in rows[0]]
    return [dict(zip(header, (value.strip() for value in row), strict=False)) for row in rows[1:] if any(row)]


def _documents(text: str) -> list[dict]:
    documents = []
    for part in re.split(r"[;\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = COPIES.match(part)
        if match:
            documents.append({"name": match.group("name"), "copies": int(match.group("copies"))})
        else:
            documents.append({"name": part, "copies": 1})
    return documents


def _cutoff(text: str, problems: list[str]) -> time | None:
    text = text.strip().lower()
    if not text:
        return Policy.current().default_cutoff
    if text in NO_CUTOFF:
        return None
    try:
        return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
    except ValueError:
        problems.append(f"cutoff {text!r} is not an hour (HH:MM)")
        return None


def import_procedures(session: Session, site: Site, rows: list[dict[str, str]]) -> ImportReport:
    report = ImportReport()
    if rows and (missing := [c for c in REQUIRED if c not in rows[0]]):
        raise ApiError("bad_columns", f"Missing columns: {', '.join(missing)}.", 422)
    departments = {
        d.code: d for d in session.scalars(select(Department).where(Department.site_id == site.id))
    }
    existing = {p.code: p for p in session.scalars(select(Procedure).where(Procedure.site_id == site.id))}
    seen: set[str] = set()
    parsed = []
    for number, row in enumerate(rows, start=2):
        problems = []
        code = row.get("code", "")
        if not code:
            problems.append("no code")
        elif code in seen:
            problems.append(f"code {code} appears twice")
        seen.add(code)
        if not row.get("name"):
            problems.append("no name")
        department = departments.get(row.get("department", ""))
        if department is None:
            problems.append(f"unknown department {row.get('department')!r}")
        try:
            amount = float(row.get("processing_time", "").replace(",", "."))
            if amount < 0:
                raise ValueError
        except ValueError:
            problems.append(f"processing_time {row.get('processing_time')!r} is not a positive number")
            amount = None
        if row.get("unit") not in Unit.ALL:
            problems.append(f"unit {row.get('unit')!r} is not one of {', '.join(Unit.ALL)}")
        fee_text = (row.get("fee") or "0").replace(".", "").replace(",", "")
        if not fee_text.isdigit():
            problems.append(f"fee {row.get('fee')!r} is not a whole number of đồng")
        cutoff = _cutoff(row.get("cutoff") or "", problems)
        system = (row.get("system") or "").strip().upper() or None
        if system is not None and not SERIES.match(system):
            problems.append(f"system {row.get('system')!r} is not two letters")
        if problems:
            report.errors.append(f"row {number}: " + "; ".join(problems))
            continue
        assert department is not None and amount is not None  # else a problem was recorded
        parsed.append((code, row, department, amount, int(fee_text), cutoff, system))
    if report.errors:
        return report
    for code, row, department, amount, fee, cutoff, system in parsed:
        procedure = existing.get(code)
        if procedure is None:
            procedure = Procedure(site_id=site.id, code=code)
            session.add(procedure)
            report.created += 1
        else:
            report.updated += 1
        procedure.name = row["name"]
        procedure.department = department
        procedure.field = row.get("field") or None
        procedure.processing_amount = amount
        procedure.processing_unit = row["unit"]
        procedure.fee = fee
        procedure.documents = _documents(row.get("documents", ""))
        procedure.postal_allowed = (row.get("postal") or "").lower() in YES
        procedure.cutoff = cutoff
        procedure.system_code = system
        procedure.payment_before_processing = (row.get("pay_first") or "").lower() in YES
        procedure.active = True
    session.flush()
    return report
