"""notifications: the kind of the last error, beside its technical reason

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 14:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("error_kind", sa.String(length=20), nullable=True))
    # The errors recorded before kinds existed: their reason is still there for IT.
    op.execute("UPDATE notifications SET error_kind = 'other' WHERE error IS NOT NULL")


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("error_kind")
