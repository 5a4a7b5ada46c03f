"""audit events: logins, locks and reads of personal data, with the client's user agent

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("user_agent", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("event", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch_op.create_index("ix_audit_entries_event", ["event"])


def downgrade():
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_index("ix_audit_entries_event")
        batch_op.drop_column("details")
        batch_op.drop_column("event")
        batch_op.drop_column("user_agent")
