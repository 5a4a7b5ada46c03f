"""Importing a site's bank statement in two steps: :func:`preview` reads the file and says
each line's outcome (:mod:`.matching`) without changing anything; :func:`apply` reads it again,
matches again against the dossiers as they are now, confirms each matched fee through
:func:`queue_server.dossiers.fees.move` (method "bank", paid when the bank booked it, the bank's
reference as the receipt number) and keeps the import and its lines, in the caller's one
transaction. Reading the file twice costs a second of a large file and spares the server a
stored upload: what is applied is what the dossiers say at that moment, not at the preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, selectinload

from ..actors import Actor
from ..database import utcnow
from ..dossiers import fees
from ..dossiers.lifecycle import actor_name
from ..dossiers.models import Dossier
from ..dossiers.rules import FeePayment, FeeStatus
from ..errors import ApiError, Conflict
from ..sites.models import Site
from . import reading
from .matching import LOOKUP_CHUNK, Match, Outcome, booked_at, match
from .models import StatementImport, StatementLine


@dataclass
class Reconciliation:
    """A statement read and matched."""

    statement: reading.Statement
    matches: list[Match]
    counts: dict[str, int]


def reconcile(
    session: Session, site: Site, data: bytes, mapping: Mapping[str, str] | None = None
) -> Reconciliation:
    """Read ``data`` as the site's statement and match its lines. Refused: a site without a
    collecting account (409), a file naming another account in its title block (400)."""
    if site.payment_account is None:
        raise Conflict("no_payment_account", "The site has no collecting account (its payment_* settings).")
    statement = reading.read(data, mapping)
    if statement.account_number and statement.account_number != site.payment_account_number:
        raise ApiError(
            "wrong_account",
            "The statement is of another account than the site's collecting account.",
            account_number=statement.account_number,
        )
    matches, counts = match(session, site, statement.lines, current_app.config["STATEMENT_MATCH_DAYS"])
    counts["skipped"] = statement.skipped
    return Reconciliation(statement, matches, counts)


def paid_at(site: Site, line: reading.Line, dossier: Dossier, now: datetime) -> datetime:
    """The fee's payment time: when the bank booked it, within the dossier's intake and now
    (a statement may give the day alone, whose midnight precedes the intake)."""
    return min(max(booked_at(site, line), dossier.received_at), now)


def _locked_dues(session: Session, ids: list[int]) -> dict[int, Dossier]:
    """The dossiers, locked until commit (PostgreSQL: a concurrent import or a confirmation at
    the counter waits, then sees the fee paid), by id."""
    found: dict[int, Dossier] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        found.update(
            (dossier.id, dossier)
            for dossier in session.scalars(
                # Their histories too, which each confirmation adds to (one query, not one each).
                select(Dossier)
                .where(Dossier.id.in_(chunk))
                .options(selectinload(Dossier.events))
                .with_for_update()
            )
        )
    return found


def _still_matched(dossier: Dossier | None, line: reading.Line) -> str:
    """A matched line's outcome against the dossier as locked: changed since the match?"""
    if dossier is None:
        return Outcome.UNKNOWN
    if dossier.fee != line.credit:
        return Outcome.AMOUNT_DIFFERS
    return Outcome.MATCHED if dossier.fee_status == FeeStatus.UNPAID else Outcome.PAID_TWICE


def apply(
    session: Session,
    site: Site,
    actor: Actor,
    file_name: str,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    *,
    now: datetime | None = None,
) -> StatementImport:
    """Import the statement: confirm the matched fees, keep the import and its new lines. A fee
    confirmed meanwhile (the counter, another import) makes its line ``paid_twice``. Flushes;
    the caller commits (a concurrent import of the same lines then fails on their references)."""
    now = now or utcnow()
    result = reconcile(session, site, data, mapping)
    dossiers = _locked_dues(
        session, [m.fee.id for m in result.matches if m.outcome == Outcome.MATCHED and m.fee]
    )
    applied, lines = 0, []
    for found in result.matches:
        if found.outcome not in Outcome.STORED:
            continue
        line = found.line
        dossier = dossiers.get(found.fee.id) if found.fee and found.outcome == Outcome.MATCHED else None
        if found.outcome == Outcome.MATCHED:
            result.counts[found.outcome] -= 1
            found.outcome = _still_matched(dossier, line)
            result.counts[found.outcome] += 1
        if found.outcome == Outcome.MATCHED and dossier is not None:
            fees.move(
                session,
                dossier,
                "confirm",
                actor,
                {
                    "method": FeePayment.BANK,
                    "paid_at": paid_at(site, line, dossier, now),
                    "receipt_number": line.reference,
                },
                now=now,
            )
            applied += line.credit
        lines.append(
            {
                "site_id": site.id,
                "row": line.row,
                "reference": line.reference,
                "booked_at": booked_at(site, line),
                "amount": line.credit,
                "description": line.description,
                "payer": line.payer,
                "outcome": found.outcome,
                "dossier_id": found.fee.id if found.fee else None,
            }
        )
    imported = StatementImport(
        site_id=site.id,
        file_name=file_name[:200],
        account_number=result.statement.account_number,
        imported_at=now,
        imported_by_id=actor.user.id if actor.user else None,
        imported_by=actor_name(actor) or "",
        applied=applied,
        counts=result.counts,
    )
    session.add(imported)
    session.flush()
    # The lines in one statement (thousands of rows; the ORM's unit of work would add them one
    # by one), after the moves so that their flushes do not carry them.
    if lines:
        session.execute(insert(StatementLine), [{**row, "import_id": imported.id} for row in lines])
    return imported


def imports_of(session: Session, site: Site, limit: int = 100) -> list[StatementImport]:
    """The site's imports, newest first."""
    return list(
        session.scalars(
            select(StatementImport)
            .where(StatementImport.site_id == site.id)
            .order_by(StatementImport.imported_at.desc(), StatementImport.id.desc())
            .limit(limit)
        )
    )


def lines_of(session: Session, imported: StatementImport, outcome: str | None = None) -> list[StatementLine]:
    """An import's lines (of one outcome), in the statement's order."""
    statement = select(StatementLine).where(StatementLine.import_id == imported.id)
    if outcome:
        statement = statement.where(StatementLine.outcome == outcome)
    return list(session.scalars(statement.order_by(StatementLine.row)))


def amounts_of(session: Session, imported: StatementImport) -> dict[str, int]:
    """The đồng of an import's lines per outcome."""
    rows = session.execute(
        select(StatementLine.outcome, func.sum(StatementLine.amount))
        .where(StatementLine.import_id == imported.id)
        .group_by(StatementLine.outcome)
    )
    return {outcome: int(total or 0) for outcome, total in rows}
