"""sites: whether officers mark the start of service ("Bắt đầu phục vụ") after a call

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch_op:
        batch_op.add_column(
            sa.Column("use_start_step", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("sites") as batch_op:
        batch_op.drop_column("use_start_step")
