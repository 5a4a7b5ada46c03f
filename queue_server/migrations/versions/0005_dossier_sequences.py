"""dossier sequences

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:49:48.821912
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dossier_sequences",
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_code", "received_on", name=op.f("pk_dossier_sequences")),
    )


def downgrade():
    op.drop_table("dossier_sequences")
