"""tickets: an index of the tickets sent to one counter

Call-next looks for the waiting tickets of the services a counter serves, or those sent to the
counter itself (a transfer). Without an index for the second, the database read the whole
waiting queue of the site for it on every call, the counters' with nobody waiting too: 1.1-1.3
ms of SQLite with 4,500 waiting. With it, each half reads its own index, and a call reads the
counter's queues alone (issue 21). Partial: only transferred tickets have a target.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

_TARGETED = sa.text("target_counter_id IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_tickets_target_counter",
        "tickets",
        ["target_counter_id", "status"],
        sqlite_where=_TARGETED,
        postgresql_where=_TARGETED,
    )


def downgrade():
    op.drop_index("ix_tickets_target_counter", table_name="tickets")
