"""Database engine, session and model base.

Plain SQLAlchemy 2.x (no Flask-SQLAlchemy) so that the same models and services run inside the
web app, in the CLI, in benchmarks and in tests. One scoped session per thread (or greenlet under
gevent), removed at the end of each app context.

SQLite needs two adjustments for numbering to stay atomic across processes (see TECH-NOTES):
the driver's lazy transactions are switched off and every transaction starts with
``BEGIN IMMEDIATE``, so two processes can never read the same counter value.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import namedtuple
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import NoReturn, TypeVar

import psycopg
from psycopg.pq import ConnStatus
from sqlalchemy import DateTime, MetaData, bindparam, create_engine, event, exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, scoped_session, sessionmaker
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.types import TypeDecorator

from . import greenlets

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timestamps stored as naive UTC and always returned timezone-aware.

    SQLite keeps no time zone; storing UTC everywhere and converting to the site's zone only for
    display and business dates keeps both databases identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


M = TypeVar("M", bound=Base)


def as_loaded(session: Session, model: type[M], values: dict, refresh: bool = False) -> M:
    """The ORM object of a row read or written with Core, as if ``session`` had loaded it: in
    the session, every column known, nothing to flush. The object the session already holds
    for that row, if it holds one; with ``refresh``, given ``values`` as its loaded state (the
    ORM's ``populate_existing``: for a row the statement itself has just changed).

    On the busiest requests (a press of a kiosk's button, a call) the ORM's loading of a row,
    and its unit of work for a row just inserted, cost more than the SQL (issue 21). ``values``
    maps every column attribute (:func:`column_attributes`) to its value, and may name related
    objects too; a column left out would be read back from the database at its first use.
    """
    mapper = model.__mapper__
    held = session.identity_map.get(mapper.identity_key_from_primary_key((values["id"],)))
    if held is not None:
        if refresh:
            for name, value in values.items():
                set_committed_value(held, name, value)
        return held
    instance = mapper.class_manager.new_instance()
    # Straight into the object's state, not through its attributes: their events are for changes.
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


@cache
def column_attributes(model: type[Base]) -> tuple[str, ...]:
    """The names of ``model``'s column attributes: what :func:`as_loaded` needs."""
    return tuple(prop.key for prop in model.__mapper__.column_attrs)


def named_columns(model: type[Base]) -> list:
    """``model``'s column attributes, each labelled with its name: a row of them is the
    ``values`` of :func:`as_loaded` (``row._asdict()``)."""
    return [getattr(model, name).label(name) for name in column_attributes(model)]


def columns_of(*models: type[Base]) -> list:
    """Every column attribute of each of ``models`` in turn: a statement's columns that
    :func:`all_loaded` splits again."""
    return [getattr(model, name) for model in models for name in column_attributes(model)]


def all_loaded(session: Session, models: tuple[type[Base], ...], values, refresh: bool = False) -> list:
    """The ORM object of each of ``models`` in a row selected as :func:`columns_of` them (more
    columns may follow), by position: the tables share column names, and looking each column
    up by name cost more. None for a model whose columns are all NULL (an outer join that
    found nothing). See :func:`as_loaded`, and its ``refresh``."""
    loaded, start = [], 0
    for model in models:
        names = column_attributes(model)
        row = dict(zip(names, values[start : start + len(names)], strict=True))
        loaded.append(as_loaded(session, model, row, refresh) if row["id"] is not None else None)
        start += len(names)
    return loaded


def utcnow() -> datetime:
    return datetime.now(UTC)


# The execution option of a SQLite connection that only reads (:func:`reads_without_transaction`).
READS_ONLY = "queue_reads_only"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(READS_ONLY):
            return  # reads after a commit (reads_without_transaction): no write lock to take
        begin_immediate(connection.connection.driver_connection)


# How long a transaction waits for another to release SQLite's write lock before it fails.
SQLITE_BUSY_SECONDS = 30


def begin_immediate(dbapi_connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for the write lock without stopping the process.

    SQLite's own wait (``busy_timeout``) sleeps inside the library, where gevent cannot switch
    greenlets: a gevent worker stops whole. If the lock is held by another request of the same
    worker, one that is itself waiting for I/O (a subprocess, a socket), that request can never
    finish, and the worker stood still until SQLite gave up, 30 s later. So the BEGIN asks once
    without waiting, and, while another holds the lock, sleeps with ``time.sleep`` (gevent's,
    in a gevent worker), letting the holder go on. Every other statement keeps SQLite's own wait.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    pause = 0.001
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    # As SQLAlchemy wraps a driver's errors: a 503 "database unavailable" (errors.py).
                    raise exc.DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error) from error
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")


def json_text(value) -> str:
    """JSON columns keep Vietnamese as text, not ``\\u`` escapes, so that a search for
    "Tư pháp" in the audit trail's changes finds it."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, pool_size: int, max_overflow: int) -> Engine:
    """``pool_size`` and ``max_overflow``: see ``DATABASE_POOL_SIZE``.

    A SQLite file keeps ``pool_size`` connections too: SQLAlchemy's default of five was fewer
    than a worker's requests at once (a dozen officers calling), and every connection opened
    beyond it, and closed again when returned, ran the set-up of :func:`_configure_sqlite`: 3%
    of a call's CPU in a profile. An in-memory database keeps SQLAlchemy's own pool.
    """
    if url.startswith("sqlite"):
        pooling = {} if ":memory:" in url or url.rstrip("/") == "sqlite:" else {"pool_size": pool_size}
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=json_text,
            **pooling,
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, json_serializer=json_text)
    event.listen(engine, "checkout", _replace_if_closed_by_server)
    greenlets.install()  # psycopg's waits on gevent's hub, in a gunicorn gevent worker
    return engine


def _replace_if_closed_by_server(dbapi_connection, _record, _proxy) -> None:
    """Before a pooled PostgreSQL connection is used: if the server has closed it (PostgreSQL
    restarted), make the pool open a fresh one instead of failing the request.

    An idle connection has nothing to read. When its socket is readable, the server has sent its
    farewell ("terminating connection") or closed it. ``pool_pre_ping`` found the same with a
    ``SELECT 1`` before every request: a round trip to the server and about a millisecond of
    CPU, a tenth of what a ticket costs. This is a ``poll()`` with no wait. (A server gone
    without a word, its machine dead, is found by the first statement, as with the ping: the
    request gets a 503 and the pool is emptied.)
    """
    try:
        pgconn = dbapi_connection.pgconn
        if pgconn.status != ConnStatus.OK:
            raise exc.DisconnectionError("connection closed")
        closed = greenlets.poll_now(pgconn.socket)
    except (OSError, ValueError, psycopg.Error) as error:
        raise exc.DisconnectionError(str(error)) from error
    if closed:
        raise exc.DisconnectionError("the server closed the connection")


class Database:
    """The database extension: ``db.session`` is the request's session.

    ``db.session`` is a scoped session, a proxy that finds the thread's (or greenlet's) session on
    each use; ``db.session()`` is that :class:`Session` itself, what a function that takes a
    ``session: Session`` is given.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app) -> None:
        self.configure(
            app.config["DATABASE_URL"],
            pool_size=app.config["DATABASE_POOL_SIZE"],
            max_overflow=app.config["DATABASE_MAX_OVERFLOW"],
        )
        app.teardown_request(self._bind_back)
        app.teardown_appcontext(self._remove_session)
        app.extensions["database"] = self

    def configure(self, url: str, pool_size: int, max_overflow: int) -> None:
        if self.engine is not None:
            self.session.remove()
            self.engine.dispose()
        self.engine = make_engine(url, pool_size, max_overflow)
        self.session.configure(bind=self.engine)

    def _remove_session(self, exc=None) -> None:
        self.session.remove()

    def _bind_back(self, exc=None) -> None:
        """At the end of each request, the session bound to the engine itself again (see
        :func:`reads_without_transaction`): one that outlives the request (a shared app
        context: a test, a command) then writes in transactions again."""
        if self.session.registry.has():
            self.session().bind = self.engine

    @property
    def dialect(self) -> str:
        assert self.engine is not None, "db.configure() or init_app() first"
        return self.engine.dialect.name


db = Database()


def reads_without_transaction(session) -> None:
    """Let what the session still does, reads only, run without a transaction.

    A request that has committed its change often reads a little more for its answer (the new
    ticket's place in the queue). Each of those statements then sees the database as it is, in
    a snapshot of its own, and nothing is held for the rest of the request:

    - PostgreSQL: under READ COMMITTED every statement takes its own snapshot anyway, so the
      answers are the same in autocommit, and the BEGIN and the ROLLBACK at the end of the
      request, two round trips, are saved. The pool puts the connection back in transactional
      mode when it is returned.
    - SQLite: a transaction here begins with ``BEGIN IMMEDIATE``, which takes the database's one
      write lock (see :func:`begin_immediate`). Reads that began one would hold every other
      request's write back until this request's teardown. Without it, each read is SQLite's own
      short read transaction, which in WAL mode blocks no writer.

    Nothing may be written after this: it would be committed at once, alone. No-op when the
    session is already in a transaction. For the rest of the request, the session is bound to
    the engine with those options (the request's teardown binds it back), and takes a
    connection only if it reads at all (a ticket issued usually read its place with its commit).
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        return
    session.bind = _reading_engine(session.get_bind())


@lru_cache(maxsize=8)
def _reading_engine(engine) -> Engine:
    """``engine`` (sharing its pool) for :func:`reads_without_transaction`. Made once per engine:
    a copy of its options costs a press 30 µs. (A few kept: tests make an engine each.)"""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READS_ONLY: True})
    return engine


def upsert(table, dialect: str | None = None):
    """An INSERT that supports ``on_conflict_do_update`` on ``dialect`` (the current one)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if (dialect or db.dialect) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def next_in_sequence(session, table, **key) -> int:
    """Add one to the counter row of ``table`` identified by ``key`` (created at 1) and return it.

    ``table`` has the key columns as its primary key and a ``last_value`` column. The increment
    is an ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the caller's transaction, so a
    rollback gives the value back (no gaps) and two processes never read the same value (no
    duplicates): PostgreSQL locks the row until commit, and SQLite runs every transaction under
    ``BEGIN IMMEDIATE``. It is a Core statement on the session's connection: no ORM bookkeeping
    on the hottest path, built once per table (:func:`increment_statement`), run by
    :func:`lean_execute`.
    """
    statement = increment_statement(db.dialect, table, tuple(key))
    return lean_execute(session.connection(), statement, key)[0][0]


@cache
def increment_statement(dialect: str, table, key: tuple[str, ...]):
    """The statement of :func:`next_in_sequence`, with the key's values as parameters (also a
    ``WITH`` of the statement that inserts a ticket on PostgreSQL: ``queueing/numbering.py``).

    Building and keying an upsert costs more than the database takes to run it, on every
    ticket. ``dialect`` is part of the cache key: the statement is dialect-specific.
    """
    return (
        upsert(table, dialect)
        .values({**{name: bindparam(name) for name in key}, "last_value": 1})
        .on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={"last_value": table.c.last_value + 1},
        )
        .returning(table.c.last_value)
    )


def lean_execute(connection: Connection, statement, values: dict | list[dict]) -> list:
    """Run ``statement`` with ``values`` (a list of them: an ``executemany``) on ``connection``
    and return its rows as named tuples, as SQLAlchemy's ``execute`` would, for less CPU.

    On SQLite the statement goes to the driver's connection directly, compiled once for each set
    of parameter names (:class:`DriverStatement`), with SQLAlchemy's own conversions of the values
    and the rows. For a statement built once and run on every press of a kiosk's button,
    SQLAlchemy's execution (its context, its cache's key, its result) cost the press more than
    SQLite spent running it: with the press's six statements run this way a press took 12-20%
    less of the worker's CPU (issue 21, ``docs/benchmarks.md``). It stays in the transaction
    SQLAlchemy began on ``connection``; listeners of ``before_cursor_execute`` still see it (the
    tests' and benchmarks' counts; what they return is not used). On PostgreSQL, SQLAlchemy's
    ``execute``: its busiest statements are sent in one message already
    (``queueing/journal.py``).
    """
    if connection.dialect.name != "sqlite":
        result = connection.execute(statement, values)
        return list(result.all()) if result.returns_rows else []
    if isinstance(values, list):
        many = True
        prepared = driver_statement(statement, connection.dialect, values[0])
        params: list = [prepared.parameters(each) for each in values]
    else:
        many = False
        prepared = driver_statement(statement, connection.dialect, values)
        params = prepared.parameters(values)
    raw = connection.connection.driver_connection
    assert raw is not None  # the open sqlite3 connection
    cursor = raw.cursor()
    try:
        if connection.dispatch.before_cursor_execute:
            connection.dispatch.before_cursor_execute(connection, cursor, prepared.sql, params, None, many)
        if many:
            if prepared.row is not None:
                raise ValueError("an executemany returns no rows here: one statement each")
            cursor.executemany(prepared.sql, params)
            return []
        cursor.execute(prepared.sql, params)
        return prepared.rows(cursor.fetchall()) if prepared.row is not None else []
    except sqlite3.Error as error:
        raise_wrapped(connection, error, cursor, prepared.sql, params)
    finally:
        cursor.close()


def raise_wrapped(connection: Connection, error: Exception, cursor, sql: str, params) -> NoReturn:
    """Raise the driver's ``error`` as SQLAlchemy wraps its own, for a statement sent on the
    driver directly: the database going away mid-statement is then a 503 to retry like any
    other (``errors.handle_database_unavailable``), a unique column's refusal an
    ``IntegrityError``, and a broken connection leaves the pool."""
    dialect = connection.dialect
    raw = connection.connection.driver_connection
    disconnected = dialect.is_disconnect(error, raw, cursor)  # type: ignore[arg-type]
    if disconnected:
        connection.invalidate(error)
    raise exc.DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=disconnected,
        dialect=dialect,
    ) from error


class DriverStatement:
    """A Core statement as its driver runs it: compiled once for a dialect and a set of
    parameter names, its SQL with positional placeholders, its parameters' names in that order
    and each one's conversion, the values it holds itself (its constants), and the names and
    conversions of the columns it returns. The compilation is SQLAlchemy's, as its ``execute``
    would do it (an INSERT's or UPDATE's columns follow the names given), so the SQL and the
    values are the same as SQLAlchemy would send. What SQLAlchemy would do anew on each run is
    refused: an ``IN`` list it expands, a column's default it computes."""

    __slots__ = ("sql", "names", "constants", "processors", "row", "row_processors")

    def __init__(self, statement, dialect: Dialect, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if statement.is_dml else None)
        sql = str(compiled)
        names = compiled.positiontup
        if names is None:  # psycopg's named placeholders, made positional (its ClientCursor's)
            names = re.findall(r"%\((\w+)\)s", sql)
            sql = re.sub(r"%\((\w+)\)s", "%s", sql)
        binds = compiled.binds
        if any(binds[name].expanding for name in names):
            raise ValueError("an expanding parameter (IN) is rewritten on every run: one value each")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # SQLAlchemy works these out in its execution, which this skips.
            raise ValueError("a column's default is computed on each run: give it a value")
        self.sql = sql
        self.names = tuple(names)
        self.constants = {name: compiled.params[name] for name in names if not binds[name].required}
        self.processors = tuple(
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names
        )
        # The columns of the rows, as SQLAlchemy's result reads them: their types from the
        # compiled statement, their names as its rows name them (a SELECT's column keys). Not a
        # write's ``exported_columns``: ``returning()`` copies them from the statement it was
        # called on, as they were memoized there (SQLAlchemy 2.1.9), and so misses its own.
        returned = compiled._result_columns
        names_out = (
            statement.selected_columns.keys() if statement.is_select else [c.keyname for c in returned]
        )
        self.row = namedtuple("Row", names_out, rename=True) if returned else None
        processors = [entry.type.dialect_impl(dialect).result_processor(dialect, None) for entry in returned]
        self.row_processors = tuple(processors) if any(processors) else None

    def parameters(self, values: dict) -> list:
        """The driver's parameters, in their order: ``values`` by name, each converted."""
        given = {**self.constants, **values} if self.constants else values
        return [
            given[name] if process is None else process(given[name])
            for name, process in zip(self.names, self.processors, strict=True)
        ]

    def rows(self, fetched: list) -> list:
        """The driver's rows as named tuples, each value converted."""
        make = self.row._make  # type: ignore[union-attr]
        processors = self.row_processors
        if processors is None:
            return [make(values) for values in fetched]
        return [
            make(
                [
                    value if process is None else process(value)
                    for value, process in zip(values, processors, strict=True)
                ]
            )
            for values in fetched
        ]


def driver_statement(statement, dialect: Dialect, values: dict) -> DriverStatement:
    """``statement``'s :class:`DriverStatement` for ``dialect`` and the names of ``values``."""
    return _driver_statement(statement, dialect, tuple(sorted(values)))


@lru_cache(maxsize=256)
def _driver_statement(statement, dialect: Dialect, keys: tuple[str, ...]) -> DriverStatement:
    """Kept per statement object: the hot paths build theirs once (``functools.cache``)."""
    return DriverStatement(statement, dialect, keys)
