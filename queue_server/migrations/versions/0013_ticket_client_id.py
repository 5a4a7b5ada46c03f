"""ticket client_id: a kiosk's retried request finds the ticket it already took

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint("uq_tickets_client_id", ["client_id"])


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint("uq_tickets_client_id", type_="unique")
        batch_op.drop_column("client_id")
