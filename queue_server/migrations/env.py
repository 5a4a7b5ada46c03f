"""Alembic environment: migrates the database the app is configured for."""

from alembic import context

from queue_server import models  # noqa: F401  (registers every table)
from queue_server.database import Base, db

with db.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
