"""sites: the settings of appointments booked from a phone and of remote tickets (booking/)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 13:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

COLUMNS = (
    ("booking_enabled", sa.Boolean(), sa.false()),
    ("booking_share", sa.Integer(), "30"),
    ("booking_slot_minutes", sa.Integer(), "15"),
    ("booking_days_ahead", sa.Integer(), "14"),
    ("booking_min_notice_minutes", sa.Integer(), "60"),
    ("booking_grace_minutes", sa.Integer(), "15"),
    ("remote_ticket_enabled", sa.Boolean(), sa.false()),
)


def upgrade():
    with op.batch_alter_table("sites") as batch_op:
        for name, type_, default in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, server_default=default, nullable=False))


def downgrade():
    with op.batch_alter_table("sites") as batch_op:
        for name, _, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
