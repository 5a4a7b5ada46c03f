"""sites: the account fees are transferred to, for the VietQR code on a dossier's receipt

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

COLUMNS = (
    ("payment_bank_bin", sa.String(6)),
    ("payment_account_number", sa.String(19)),
    ("payment_account_name", sa.String(100)),
    ("payment_bank_name", sa.String(100)),
)


def upgrade():
    with op.batch_alter_table("sites") as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table("sites") as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
