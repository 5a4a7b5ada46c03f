"""``database.lean_execute``: the hot paths' statements run on SQLite's driver directly must send
what SQLAlchemy's ``execute`` sends, read the same values back, stay in the session's
transaction and fail as SQLAlchemy's own statements fail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Date, bindparam, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.database import lean_execute
from queue_server.queueing.models import QueueEvent
from queue_server.sites.models import Site

from .helpers import BOTH_DATABASES, site, statements_sent

AT = datetime(2026, 12, 6, 8, 30, 15, 250000, tzinfo=UTC)


def _events(site_id: int, kind: str) -> list[dict]:
    return [
        {
            "site_id": site_id,
            "site_seq": seq,
            "kind": kind,
            "at": AT,
            "ticket_id": None,
            "counter_id": None,
            "user_id": None,
            "device_id": None,
            "address": None if seq is None else "10.0.0.7",
            "data": {"tên": "Tư pháp", "n": seq},
        }
        for seq in (None, 7)
    ]


_INSERT = insert(QueueEvent.__table__)
_READ = (
    select(
        QueueEvent.site_seq,
        QueueEvent.at,
        QueueEvent.data,
        QueueEvent.address,
        Site.code,
        literal(True).label("constant"),
        bindparam("day", type_=Date).label("day"),
    )
    .join(Site, Site.id == QueueEvent.site_id)
    .where(QueueEvent.kind == bindparam("kind"))
    .order_by(QueueEvent.id)
)


@BOTH_DATABASES
def test_it_sends_what_sqlalchemy_sends_and_reads_the_same_values(session):
    site_id = site(session).id
    read = {"kind": "test.same", "day": date(2026, 12, 6)}
    with statements_sent(session.get_bind()) as lean:
        lean_execute(session.connection(), _INSERT, _events(site_id, "test.same"))
        lean_rows = lean_execute(session.connection(), _READ, read)
    session.rollback()
    with statements_sent(session.get_bind()) as plain:
        session.connection().execute(_INSERT, _events(site_id, "test.same"))
        plain_rows = session.connection().execute(_READ, read).all()

    assert [sql for sql, _ in lean] == [sql for sql, _ in plain] and len(lean) == 2
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL: SQLAlchemy's execute itself
        (_, many), (_, one) = plain  # SQLAlchemy gives sqlite3 tuples
        assert lean[0][1] == [list(row) for row in many] and lean[1][1] == list(one)
    assert len(lean_rows) == 2
    for row, expected in zip(lean_rows, plain_rows, strict=True):
        assert tuple(row) == tuple(expected) and row._fields == tuple(expected._fields)
        assert row.at == AT and row.at.tzinfo is not None  # UTCDateTime's conversion, both ways
        assert row.day == date(2026, 12, 6) and row.constant is True and row.code == "NA-HCC"
    assert lean_rows[1].data == {"tên": "Tư pháp", "n": 7}


@BOTH_DATABASES
def test_a_write_returns_its_rows_and_a_parameter_named_as_a_column_sets_it(session):
    """As SQLAlchemy's ``execute`` does: an UPDATE's parameters named after the table's columns
    become part of its SET. The rows are those of the statement's own RETURNING, also when
    ``returning()`` was called on a statement whose (empty) ``exported_columns`` had been read."""
    hcc = site(session)
    connection = session.connection()
    events = QueueEvent.__table__
    plain = insert(events)
    assert list(plain.exported_columns) == []  # read: its copies by returning() keep this answer
    returning = plain.returning(events.c.id, events.c.at)
    inserted = lean_execute(connection, returning, {**_events(hcc.id, "test.one")[0], "site_seq": 8})
    assert len(inserted) == 1 and inserted[0].at == AT
    changed = update(events).where(events.c.id == bindparam("event_id"))
    rows = lean_execute(
        connection,
        changed.returning(events.c.kind, events.c.address),
        {"event_id": inserted[0].id, "address": "10.0.0.8"},
    )
    assert [tuple(row) for row in rows] == [("test.one", "10.0.0.8")]
    if connection.dialect.name == "sqlite":
        with pytest.raises(ValueError, match="executemany"):
            lean_execute(connection, returning, _events(hcc.id, "test.many"))


def test_on_sqlite_a_refusal_is_sqlalchemys_and_a_rollback_takes_the_writes_back(session):
    hcc = site(session)
    connection = session.connection()
    events = QueueEvent.__table__
    counted = select(func.count()).select_from(events).where(events.c.kind == "test.gone")
    lean_execute(connection, _INSERT, _events(hcc.id, "test.gone"))
    assert lean_execute(connection, counted, {})[0][0] == 2
    first_id = lean_execute(connection, select(func.min(events.c.id)), {})[0][0]
    with pytest.raises(IntegrityError):  # the primary key, taken
        lean_execute(connection, _INSERT, {**_events(hcc.id, "test.gone")[0], "id": first_id})
    session.rollback()
    assert session.connection().execute(counted).scalar_one() == 0


def test_what_sqlalchemy_works_out_on_each_run_is_refused(session):
    """An ``IN`` whose parameter is expanded on every run (the hot paths bind one value each), and
    a column's default computed by SQLAlchemy's execution (the log's ``data``): run on the
    driver, the first would fail and the second would write NULL."""
    statement = select(QueueEvent.id).where(QueueEvent.kind.in_(bindparam("kinds", expanding=True)))
    with pytest.raises(ValueError, match="expanding"):
        lean_execute(session.connection(), statement, {"kinds": ["a", "b"]})
    without_data = {
        key: value for key, value in _events(site(session).id, "test.default")[0].items() if key != "data"
    }
    with pytest.raises(ValueError, match="default"):
        lean_execute(session.connection(), _INSERT, without_data)
