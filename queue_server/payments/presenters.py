"""Statements' imports and lines as the API answers them (amounts in đồng, times ISO 8601 with
the site's offset)."""

from __future__ import annotations

from ..sites.models import Site
from ..timefmt import iso
from .matching import Match, Outcome
from .models import StatementImport, StatementLine
from .operations import Reconciliation, booked_at


def _totals(amounts: dict[str, int]) -> dict[str, int]:
    return {outcome: amounts.get(outcome, 0) for outcome in Outcome.LISTED}


def match_view(site: Site, found: Match) -> dict:
    line = found.line
    return {
        "row": line.row,
        "reference": line.reference,
        "booked_at": iso(booked_at(site, line)) if line.booked_at else None,
        "amount": line.credit,
        "description": line.description,
        "payer": line.payer,
        "outcome": found.outcome,
        "error": line.error,
        "dossier": found.fee.code if found.fee else None,
        "amount_due": found.fee.amount if found.fee else None,
    }


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
    return {
        "row": line.row,
        "reference": line.reference,
        "booked_at": iso(line.booked_at.astimezone(site.tz)),
        "amount": line.amount,
        "description": line.description,
        "payer": line.payer,
        "outcome": line.outcome,
        "dossier": line.dossier.code if line.dossier else None,
        "amount_due": line.dossier.fee if line.dossier else None,
    }
