"""dossiers: the payment record of a dossier's fee, when it was paid, its receipt number and
who confirmed it (dossiers/fees.py)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 17:20:00
"""

import sqlalchemy as sa
from alembic import op

from queue_server.database import UTCDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.add_column(sa.Column("fee_paid_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("fee_receipt_number", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("fee_confirmed_by", sa.String(200), nullable=True))
    # A fee paid at intake was paid then, to the receiving officer.
    op.execute(
        "UPDATE dossiers SET fee_paid_at = received_at, fee_confirmed_by = received_by_name"
        " WHERE fee_status IN ('paid', 'refunded') AND fee_payment IN ('cash', 'bank', 'card')"
    )


def downgrade():
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.drop_column("fee_confirmed_by")
        batch_op.drop_column("fee_receipt_number")
        batch_op.drop_column("fee_paid_at")
