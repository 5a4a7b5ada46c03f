"""device_tokens, users: the numbers each took in the kiosk limit's current window

A kiosk (or a member of staff) may take ``KIOSK_RATE_LIMIT`` numbers. They were counted in
Redis, one round trip of each press of its own, 7-8% of a press's CPU (issue 21). The count now
lives on the taker's own row, which the press reads anyway and writes with its commit
(``queueing/quota.py``): the window's start (seconds since 1970) and the numbers taken in it.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

_TABLES = ("device_tokens", "users")


def upgrade():
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("taken_window", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("taken_in_window", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("taken_in_window")
            batch.drop_column("taken_window")
