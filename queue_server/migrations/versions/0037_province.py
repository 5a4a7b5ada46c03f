"""province: a site's link to the provincial system, its outbox, the dossiers imported from it

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 20:00:00
"""

import sqlalchemy as sa
from alembic import op

from queue_server.database import UTCDateTime

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "province_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("adapter", sa.String(10), nullable=False),
        sa.Column("endpoint_url", sa.String(500), nullable=False),
        sa.Column("username", sa.String(200), nullable=True),
        sa.Column("secret", sa.String(500), nullable=True),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("status_codes", sa.JSON(), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("soap_action", sa.String(300), nullable=True),
        sa.Column("soap_namespace", sa.String(300), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "province_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("status_code", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(15), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("province_ref", sa.String(200), nullable=True),
        sa.Column("resent_at", UTCDateTime(), nullable=True),
        sa.Column("resent_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_province_messages_due", "province_messages", ["status", "next_attempt_at"])
    op.create_index("ix_province_messages_dossier", "province_messages", ["dossier_id", "id"])
    op.create_index("ix_province_messages_site_created", "province_messages", ["site_id", "created_at"])
    op.create_table(
        "province_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_code", sa.String(60), nullable=False, unique=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=True),
    )


def downgrade():
    op.drop_table("province_imports")
    op.drop_table("province_messages")
    op.drop_table("province_links")
