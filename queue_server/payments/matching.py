"""The rule that ties a bank statement's credit line to a dossier's fee: one rule, here.

A credit line matches a dossier received by the site (``Dossier.book_site_id``, the receiving
unit the fee reports count by) whose transfer memo (:func:`queue_server.vietqr.memo`, printed
on the receipt's VietQR code) appears in the line's description once both are reduced to
upper-case letters and digits (banks add text around the memo, drop or change separators and
change case), and whose amount due (``Dossier.fee``) equals the line's amount. When several
memos appear, the longest wins (a longer code cannot be mistaken for a shorter one inside it).

Each line gets one outcome, in the statement's order, so that an earlier line of the same
file counts for a later one:

- ``already_recorded``: the bank's reference was imported before for this site, or earlier in
  the file (a bank reference is unique in its account): nothing changes, re-importing a file
  is harmless;
- ``unknown``: no memo of the site's dossiers in the description;
- ``amount_differs``: a memo, but not the amount due: listed, not applied;
- ``matched``: memo and amount, and the fee is due (``unpaid``): it will be confirmed;
- ``paid_twice``: memo and amount, but the fee is no longer due: paid by an earlier line, an
  earlier import or at the counter (or waived, refunded, never collected): the money must be
  returned to the payer.

Rows that are not credits are counted, not matched: ``unreadable`` (an amount, a date or the
reference could not be read: listed with the reason, the rest imported), ``debit`` (money out)
and ``zero``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import vietqr
from ..dossiers.models import Dossier
from ..dossiers.rules import FeeStatus
from ..sites.models import Site
from .models import StatementLine
from .reading import Line


class Outcome:
    MATCHED = "matched"
    PAID_TWICE = "paid_twice"
    AMOUNT_DIFFERS = "amount_differs"
    UNKNOWN = "unknown"
    ALREADY_RECORDED = "already_recorded"
    UNREADABLE = "unreadable"
    STORED = (MATCHED, PAID_TWICE, AMOUNT_DIFFERS, UNKNOWN)  # kept as statement lines
    LISTED = (*STORED, ALREADY_RECORDED, UNREADABLE)  # what the preview lists
    # Rows only counted.
    DEBIT = "debit"
    ZERO = "zero"


@dataclass(frozen=True)
class Fee:
    """What matching needs of a dossier."""

    id: int
    code: str
    amount: int
    status: str


@dataclass
class Match:
    line: Line
    outcome: str
    fee: Fee | None = None


_NOT_MEMO = re.compile(r"[^0-9A-Z]")
LOOKUP_CHUNK = 500  # references per query (the drivers' limit on bound parameters is far above)


def reduce(text: str) -> str:
    """Upper-case letters and digits, as :func:`queue_server.vietqr.memo` reduces a code."""
    return _NOT_MEMO.sub("", text.upper())


def fees_of(session: Session, site: Site, since: datetime | None = None) -> dict[str, Fee]:
    """The site's registered dossiers with a fee, received from ``since`` on, by memo."""
    statement = select(Dossier.id, Dossier.code, Dossier.fee, Dossier.fee_status).where(
        Dossier.book_site_id == site.id, Dossier.registered, Dossier.fee > 0
    )
    if since is not None:
        statement = statement.where(Dossier.received_at >= since)
    rows = session.execute(statement)
    return {vietqr.memo(code): Fee(id, code, fee, status) for id, code, fee, status in rows}


def recorded(session: Session, site: Site, references: Sequence[str]) -> set[str]:
    """Which of these bank references the site imported before."""
    unique = sorted(set(references))
    found: set[str] = set()
    for start in range(0, len(unique), LOOKUP_CHUNK):
        found.update(
            session.scalars(
                select(StatementLine.reference).where(
                    StatementLine.site_id == site.id,
                    StatementLine.reference.in_(unique[start : start + LOOKUP_CHUNK]),
                )
            )
        )
    return found


def find_memo(description: str, fees: dict[str, Fee], lengths: Sequence[int]) -> Fee | None:
    """The dossier whose memo, the longest found, is in the description."""
    text = reduce(description)
    for length in lengths:
        for start in range(len(text) - length + 1):
            fee = fees.get(text[start : start + length])
            if fee is not None:
                return fee
    return None


def booked_at(site: Site, line: Line) -> datetime:
    """When the bank booked the line: the statement's local time, in the site's zone."""
    assert line.booked_at is not None  # a readable line
    when = line.booked_at
    return when.astimezone(site.tz) if when.tzinfo else when.replace(tzinfo=site.tz)


def earliest_dossier(site: Site, lines: Sequence[Line], window_days: int) -> datetime | None:
    """The earliest intake a line of the statement may pay: ``window_days`` before its first
    day (a transfer follows its receipt; a fee paid later than that is listed ``unknown`` and
    confirmed by hand). None when the window is 0 (every dossier) or no line has a day."""
    days = [booked_at(site, line) for line in lines if line.booked_at is not None and not line.error]
    if not window_days or not days:
        return None
    return (min(days) - timedelta(days=window_days)).astimezone(UTC)


def match(
    session: Session, site: Site, lines: Sequence[Line], window_days: int = 0
) -> tuple[list[Match], dict[str, int]]:
    """Each readable credit line with its outcome, unreadable ones too; and the count of every
    outcome, with the rows only counted (debits, zeros). Only the dossiers received within
    ``window_days`` before the statement's first day are read (:func:`earliest_dossier`): a
    centre's years of fees are not loaded for a month's statement."""
    counts = dict.fromkeys((*Outcome.LISTED, Outcome.DEBIT, Outcome.ZERO), 0)
    credits = [line for line in lines if line.error or line.credit > 0]
    counts[Outcome.DEBIT] = sum(1 for line in lines if not line.error and line.credit <= 0 and line.debit)
    counts[Outcome.ZERO] = len(lines) - len(credits) - counts[Outcome.DEBIT]
    fees = fees_of(session, site, earliest_dossier(site, credits, window_days))
    lengths = sorted({len(memo) for memo in fees}, reverse=True)
    seen = recorded(session, site, [line.reference for line in credits if not line.error])
    paid_now: set[int] = set()
    matches = []
    for line in credits:
        fee = None
        if line.error:
            outcome = Outcome.UNREADABLE
        elif line.reference in seen:
            outcome = Outcome.ALREADY_RECORDED
        else:
            seen.add(line.reference)
            fee = find_memo(line.description, fees, lengths)
            if fee is None:
                outcome = Outcome.UNKNOWN
            elif fee.amount != line.credit:
                outcome = Outcome.AMOUNT_DIFFERS
            elif fee.status == FeeStatus.UNPAID and fee.id not in paid_now:
                outcome = Outcome.MATCHED
                paid_now.add(fee.id)
            else:
                outcome = Outcome.PAID_TWICE
        counts[outcome] += 1
        matches.append(Match(line, outcome, fee))
    return matches, counts
