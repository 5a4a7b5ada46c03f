"""Alembic environment: migrates the database the app is configured for.

SQLite alters a table by copying it (batch mode) and dropping the original. With foreign keys
enforced, that drop would cascade and delete every dependent row, so enforcement is switched
off for the migration, outside any transaction as SQLite requires, and the keys are checked
before it is switched back on.
"""

from alembic import context

from queue_server import models  # noqa: F401  (registers every table)
from queue_server.database import Base, db

engine = db.engine
assert engine is not None  # configured by the app the flask db commands run in
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection  # the open sqlite3 (or psycopg) connection
    assert raw is not None
    if sqlite:
        raw.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")

# Close the pooled connections now: SQLite writes its WAL back into the database file when the
# last connection closes, and a copy of the file (the test template) must be complete.
engine.dispose()
