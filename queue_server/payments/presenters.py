"""Statements' imports and lines as the API answers them (amounts in đồng, times ISO 8601 with
the site's offset)."""

from __future__ import annotations

from datetime import datetime

from ..sites.models import Site
from ..timefmt import iso
from .matching import Fee, Match, Outcome, booked_at
from .models import StatementImport, StatementLine
from .operations import Reconciliation


def _totals(amounts: dict[str, int]) -> dict[str, int]:
    return {outcome: amounts.get(outcome, 0) for outcome in Outcome.LISTED}


def _line(
    row: int,
    reference: str,
    at: datetime | None,
    amount: int,
    description: str,
    payer: str,
    outcome: str,
    dossier: Fee | None,
) -> dict:
    """A line in the answer's shape; ``dossier`` has ``code`` and ``amount`` due, or is None."""
    return {
        "row": row,
        "reference": reference,
        "booked_at": iso(at),
        "amount": amount,
        "description": description,
        "payer": payer,
        "outcome": outcome,
        "dossier": dossier.code if dossier else None,
        "amount_due": dossier.amount if dossier else None,
    }


def match_view(site: Site, found: Match) -> dict:
    line = found.line
    at = booked_at(site, line) if line.booked_at else None
    view = _line(
        line.row, line.reference, at, line.credit, line.description, line.payer, found.outcome, found.fee
    )
    return {**view, "error": line.error}


def preview_view(site: Site, file_name: str, result: Reconciliation) -> dict:
    amounts: dict[str, int] = {}
    for found in result.matches:
        amounts[found.outcome] = amounts.get(found.outcome, 0) + found.line.credit
    return {
        "file_name": file_name,
        "kind": result.statement.kind,
        "account_number": result.statement.account_number,
        "columns": result.statement.columns,
        "headers": result.statement.headers,
        "counts": result.counts,
        "amounts": _totals(amounts),
        "lines": [match_view(site, found) for found in result.matches],
    }


def import_view(imported: StatementImport, amounts: dict[str, int] | None = None) -> dict:
    return {
        "id": imported.id,
        "file_name": imported.file_name,
        "account_number": imported.account_number,
        "imported_at": iso(imported.imported_at),
        "imported_by": imported.imported_by,
        "counts": imported.counts,
        "applied": imported.applied,
        **({"amounts": _totals(amounts)} if amounts is not None else {}),
    }


def line_view(line: StatementLine, site: Site) -> dict:
    dossier = line.dossier
    due = Fee(dossier.id, dossier.code, dossier.fee, dossier.fee_status) if dossier else None
    at = line.booked_at.astimezone(site.tz)
    return _line(line.row, line.reference, at, line.amount, line.description, line.payer, line.outcome, due)
