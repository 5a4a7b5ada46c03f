"""print jobs and device health

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:06:54.631227
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("sent_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("finished_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("expires_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device_tokens.id"],
            name=op.f("fk_print_jobs_device_id_device_tokens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_print_jobs_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_print_jobs_device_status", ["device_id", "status"], unique=False)

    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.drop_column("health")

    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_print_jobs_device_status")

    op.drop_table("print_jobs")
