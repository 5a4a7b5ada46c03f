"""counter devices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:11:26.231575
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counter_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_device_tokens_counter_id_counters"),
            "counters",
            ["counter_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_device_tokens_counter_id_counters"), type_="foreignkey")
        batch_op.drop_column("counter_id")
