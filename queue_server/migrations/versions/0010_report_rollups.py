"""report rollups

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 03:28:45.927519
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duration_histograms",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_duration_histograms_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "site_id", "business_date", "measure", "bucket", name=op.f("pk_duration_histograms")
        ),
    )
    op.create_table(
        "report_days",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("built_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_report_days_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "business_date", name=op.f("pk_report_days")),
    )
    op.create_table(
        "ticket_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Integer(), nullable=True),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("wait_sum", sa.Float(), nullable=False),
        sa.Column("service_sum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_ticket_stats_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_stats")),
    )
    with op.batch_alter_table("ticket_stats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_stats_site_day", ["site_id", "business_date", "dimension"], unique=False
        )


def downgrade():
    with op.batch_alter_table("ticket_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_stats_site_day")

    op.drop_table("ticket_stats")
    op.drop_table("report_days")
    op.drop_table("duration_histograms")
