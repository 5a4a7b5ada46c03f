"""sites.screen_seq: the sequence of the events public screens follow

Public screens (hall and counter displays, rating pads) no longer receive every ticket issued;
they count only the events they get, so a gap in their own sequence still means a lost event.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch_op:
        batch_op.add_column(sa.Column("screen_seq", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("sites") as batch_op:
        batch_op.drop_column("screen_seq")
