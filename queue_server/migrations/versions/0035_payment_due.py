"""procedures and dossiers: the fee is paid before the dossier goes to processing

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 20:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("procedures", "dossiers"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "payment_before_processing", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )


def downgrade():
    for table in ("dossiers", "procedures"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("payment_before_processing")
