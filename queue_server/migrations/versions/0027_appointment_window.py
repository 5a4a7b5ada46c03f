"""tickets: the end of a booked ticket's window ahead of walk-ins (booking check-in)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(
            sa.Column("appointment_until", queue_server.database.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("appointment_until")
