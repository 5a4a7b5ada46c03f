"""counters: the business day the officer signed on (sites/staffing.py)

A counter's officer counts only on the day he signed on: without it, yesterday's officer of a
counter left open overnight would count today. Existing officers get no day, so nobody counts
as working at a counter until he acts there again.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("counters") as batch_op:
        batch_op.add_column(sa.Column("officer_day", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("counters") as batch_op:
        batch_op.drop_column("officer_day")
