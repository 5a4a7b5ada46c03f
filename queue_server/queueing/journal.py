"""The event log: every change to a ticket or counter is written here and published live.

Operations call :func:`record` while they work; the entries get their place in the site's
event sequence only when the transaction commits (:func:`_number_entries`). Taking the site
row's lock as the very last step of every transaction keeps lock order the same everywhere
(no deadlocks between two counters calling at once on PostgreSQL) and makes the sequence follow
commit order, so a client that sees a gap knows it missed something.

A ticket issued is logged without a place in the sequence (:data:`SEQUENCED_KINDS`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cache
from typing import Any, cast

import psycopg
from psycopg.rows import namedtuple_row
from psycopg.types.json import Json
from sqlalchemy import Integer, Select, Table, bindparam, event, insert, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import UpdateBase

from ..actors import Actor, client_address
from ..database import UTCDateTime, driver_statement, json_text, lean_execute, raise_wrapped
from ..events import committing, publish_after_commit
from ..events import pending as pending_events
from ..sites.models import Counter, Site
from ..timefmt import iso
from .models import QueueEvent, Ticket
from .presenters import ticket_public

_PENDING = "journal_entries"
_WITH_COMMIT = "journal_with_commit"
_READ_AT_COMMIT = "journal_read_at_commit"
_READ_BEFORE_COMMIT = "journal_read_before_commit"  # SQLite's rows, handed over once committed

# The changes numbered in the site's sequence, and all that public screens (hall and counter
# displays, rating pads, phones) are sent. A ticket issued is neither. Numbering it would lock
# the site's row in every kiosk's transaction: a busy centre would take its numbers one at a
# time, and behind its officers' calls. Sending it to every screen would cost more than all the
# rest of the work. Screens show the waiting counts instead (``queue.stats``); staff are sent
# each ticket issued as a notice, with ``seq`` None, and take it without a gap check.
SEQUENCED_KINDS = frozenset(
    {
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.skipped",
        "ticket.reactivated",
        "ticket.transferred",
        "ticket.finished",
        "counter.changed",
    }
)


def record(
    session: Session,
    site: Site,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    data: dict | None = None,
    payload: dict | None = None,
) -> None:
    """Log one change; its live delta is published after commit.

    ``data`` is stored in the log; ``payload`` adds public fields to the live delta only. The
    delta shows the ticket as it is now, before any later change in the same transaction.
    """
    session.flush()
    entry = {
        "site_id": site.id,
        "kind": kind,
        "at": at,
        "ticket_id": ticket.id if ticket is not None else None,
        "counter_id": counter.id if counter is not None else None,
        "user_id": actor.user_id,
        "device_id": actor.device_id,
        "address": client_address(),
        "data": data or {},
    }
    delta: dict[str, Any] = {"type": kind, "seq": None, "site": site.code, "at": iso(at)}
    if ticket is not None:
        delta["ticket"] = ticket_public(ticket)
    if counter is not None:
        delta["counter_id"] = counter.id
    delta.update(payload or {})
    session.info.setdefault(_PENDING, []).append((site, entry, delta))


def with_commit(session: Session, statement: UpdateBase, params: dict) -> None:
    """Run ``statement`` (a write, with ``params``) as the transaction's last, with the log.

    On PostgreSQL it goes in the one message that writes the log and commits
    (:func:`_number_and_commit`): a row it changes is locked for as long as the server takes to
    commit, not while the worker gets round to it, and it costs no round trip of its own. Elsewhere
    it runs just before the commit.
    """
    session.info.setdefault(_WITH_COMMIT, []).append((statement, params))


def read_at_commit(session: Session, statement: Select, params: dict) -> list:
    """The rows of ``statement`` (a read, with ``params``) as the transaction commits them: a
    list, filled once the commit has succeeded (empty if it did not, or if the transaction wrote
    no log entry: the caller then reads as usual).

    For the answer of a request that commits, when what it reads afterwards is known before:
    a ticket's place in the queue. On PostgreSQL it is sent after the ``COMMIT`` of the log's
    one message (:func:`_number_and_commit`), where it reads in a snapshot of its own as a read
    after the commit would, and costs no round trip, no connection and no transaction of its
    own. On SQLite it runs just before the commit, under the write lock the transaction holds:
    no other writer can come in between, so it reads what a read after the commit would.
    """
    rows: list = []
    session.info.setdefault(_READ_AT_COMMIT, []).append((statement, params, rows))
    return rows


@event.listens_for(Session, "before_commit")
def _number_entries(session: Session) -> None:
    if committing.receivers:  # the outbox's rows join this transaction before it is numbered
        entries = session.info.get(_PENDING, ())
        committing.send(session, events=pending_events(session), tickets=[row for _, row, _ in entries])
    pending = session.info.pop(_PENDING, None)
    if not pending:
        _write_with_commit(session)
        session.info.pop(_READ_AT_COMMIT, None)  # nothing logged: read as usual afterwards
        return
    by_site: dict[int, list] = defaultdict(list)
    for site, entry, delta in pending:
        by_site[site.id].append((site, entry, delta))
    if session.get_bind().dialect.name == "postgresql":
        _number_and_commit(session, by_site)
        return
    for site_id, entries in by_site.items():
        sequenced = sum(1 for _, row, _ in entries if row["kind"] in SEQUENCED_KINDS)
        seq = 0
        if sequenced:
            bumped = {"site": site_id, "sequenced": sequenced}
            last = lean_execute(session.connection(), _bump_sequence(), bumped)[0][0]
            set_committed_value(entries[0][0], "event_seq", last)
            seq = last - sequenced
        rows = []
        for _, row, delta in entries:
            if row["kind"] in SEQUENCED_KINDS:
                seq += 1
                row["site_seq"] = delta["seq"] = seq
            else:
                row["site_seq"] = None
            rows.append(row)
            publish_after_commit(session, row["kind"], delta)
        # The log is append-only: plain inserts, no ORM bookkeeping.
        lean_execute(session.connection(), _log_insert(), rows)
    _write_with_commit(session)
    session.info[_READ_BEFORE_COMMIT] = [
        (answer, lean_execute(session.connection(), statement, params))
        for statement, params, answer in session.info.pop(_READ_AT_COMMIT, ())
    ]


def _write_with_commit(session: Session) -> None:
    """The writes of :func:`with_commit`, each a statement of its own (not PostgreSQL's way)."""
    for statement, params in session.info.pop(_WITH_COMMIT, ()):
        lean_execute(session.connection(), statement, params)


@event.listens_for(Session, "after_commit")
def _hand_over_reads(session: Session) -> None:
    """SQLite's reads of :func:`read_at_commit`, made before the commit, given to their callers
    once it has succeeded (a failed commit leaves their lists empty, as it does on PostgreSQL)."""
    for rows, read in session.info.pop(_READ_BEFORE_COMMIT, ()):
        rows.extend(read)


@cache
def _bump_sequence():
    """SQLite's move of a site's event sequence by the entries it numbers; built once, as the
    log's insert below."""
    sites = cast(Table, Site.__table__)  # a declarative class's table
    return (
        update(sites)
        .where(sites.c.id == bindparam("site"))
        .values(event_seq=sites.c.event_seq + bindparam("sequenced", type_=Integer))
        .returning(sites.c.event_seq)
    )


@cache
def _log_insert():
    """Built once: every transaction that logs a change runs it (see ``_ticket_insert`` in
    numbering.py)."""
    return insert(cast(Table, QueueEvent.__table__))


# The log's columns as the PostgreSQL message below writes them, with their types.
_COLUMNS = (
    ("site_id", "integer"),
    ("kind", "varchar"),
    ("at", "timestamp"),
    ("ticket_id", "integer"),
    ("counter_id", "integer"),
    ("user_id", "integer"),
    ("device_id", "integer"),
    ("address", "varchar"),
    ("data", "json"),
)
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_ROW = "(" + ", ".join(f"%s::{kind}" for _, kind in _COLUMNS) + ", %s::integer)"  # + the place


def _number_and_commit(session: Session, by_site: dict[int, list]) -> None:
    """PostgreSQL: write the entries, number them and commit, in one message to the server.

    The site's row is locked from the moment its sequence moves until the commit. Sent as
    separate statements, the lock stayed held while the worker got round to sending the next
    one; under load that is tens of milliseconds, and every call of the site queued behind it.
    So one simple-protocol message moves each site's sequence, inserts its entries already
    numbered, and commits: the lock lasts as long as the server takes, no more, and a ticket
    issued costs one round trip for its entry and the commit. The values are bound by psycopg's
    client-side binding (``ClientCursor``), which quotes each one as a literal of its type.
    SQLAlchemy's own commit that follows finds the transaction already committed and does
    nothing (psycopg skips COMMIT when idle). The writes of :func:`with_commit` go before the
    ``COMMIT``, the reads of :func:`read_at_commit` after it.

    This runs after the audit recorder's ``before_commit`` (registered first, see
    ``queue_server/app.py``), so the audit's rows are in the transaction it commits.
    """
    at_type = QueueEvent.__table__.c.at.type
    assert isinstance(at_type, UTCDateTime)  # as the model declares it
    statements, params = [], []
    numbered = []  # (site, its sequenced entries' deltas in order): numbered from the answer
    recorded = []  # (kind, delta), in the order recorded: published in that order
    for entries in by_site.values():
        site = entries[0][0]
        deltas, values = [], []
        for _, row, delta in entries:
            place = None
            if row["kind"] in SEQUENCED_KINDS:
                deltas.append(delta)
                place = len(deltas)
            fields = {**row, "at": at_type.process_bind_param(row["at"], None)}
            fields["data"] = Json(row["data"], json_text)
            values.extend([*(fields[name] for name, _ in _COLUMNS), place])
            recorded.append((row["kind"], delta))
        rows = ", ".join([_ROW] * len(entries))
        if deltas:
            statements.append(
                "WITH bumped AS"
                " (UPDATE sites SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq),"
                f" logged AS (INSERT INTO queue_events ({_NAMES}, site_seq)"
                f" SELECT {', '.join('v.' + name for name, _ in _COLUMNS)}, bumped.event_seq - %s + v.place"
                f" FROM bumped, (VALUES {rows}) AS v({_NAMES}, place))"
                " SELECT event_seq FROM bumped"
            )
            params.extend([len(deltas), site.id, len(deltas), *values])
            numbered.append((site, deltas))
        else:
            statements.append(  # nothing to number: every place is NULL
                f"INSERT INTO queue_events ({_NAMES}, site_seq)"
                f" SELECT {_NAMES}, place FROM (VALUES {rows}) AS v({_NAMES}, place)"
            )
            params.extend(values)
    dialect = session.get_bind().dialect
    for statement, values in session.info.pop(_WITH_COMMIT, ()):
        statements.append(_bound(statement, dialect, values, params))
    statements.append("COMMIT")
    reads = session.info.pop(_READ_AT_COMMIT, ())
    for statement, values, _ in reads:
        statements.append(_bound(statement, dialect, values, params))
    results = _send_and_commit(session, "; ".join(statements), params)
    for (_, _, rows), read in zip(reads, results[len(numbered) :], strict=True):
        rows.extend(read)
    for (site, deltas), answer in zip(numbered, results, strict=False):  # the reads come after
        last = answer[0][0]
        for place, delta in enumerate(deltas, start=1):
            delta["seq"] = last - len(deltas) + place
        set_committed_value(site, "event_seq", last)
    for kind, delta in recorded:
        publish_after_commit(session, kind, delta)


def _bound(statement: UpdateBase | Select, dialect: Dialect, values: dict, params: list) -> str:
    """``statement`` for the message of :func:`_number_and_commit`, its parameters added to
    ``params`` in their order, each converted as SQLAlchemy would (a ``UTCDateTime``'s)."""
    prepared = driver_statement(statement, dialect, values)
    params.extend(prepared.parameters(values))
    return prepared.sql


def _send_and_commit(session: Session, sql: str, params: list) -> list[list]:
    """Run ``sql`` (statements with a COMMIT, and maybe reads after it) as one message; the rows
    (named tuples) of each statement that returned any.

    The driver is used directly, so its errors are wrapped the way SQLAlchemy wraps its own
    (``database.raise_wrapped``): the database going away mid-commit is then a 503 to retry like
    any other, and the broken connection leaves the pool.
    """
    connection = session.connection()
    raw = connection.connection.driver_connection
    assert raw is not None  # the open psycopg connection
    # The simple protocol: several statements, one message.
    cursor = psycopg.ClientCursor(raw, row_factory=namedtuple_row)
    try:
        cursor.execute(sql, params)
        results = []
        while True:
            if cursor.description is not None:  # a statement that returns rows (maybe none)
                results.append(cursor.fetchall())
            if not cursor.nextset():
                return results
    except psycopg.Error as error:
        raise_wrapped(connection, error, cursor, sql, params)
    finally:
        cursor.close()


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WITH_COMMIT, None)
    session.info.pop(_READ_AT_COMMIT, None)
    session.info.pop(_READ_BEFORE_COMMIT, None)
