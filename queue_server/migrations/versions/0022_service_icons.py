"""service icons: the kiosk's picture for a service, chosen from the built-in set

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("services") as batch_op:
        batch_op.add_column(sa.Column("icon", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("services") as batch_op:
        batch_op.drop_column("icon")
