"""notifications: the outbox, the citizens' subscriptions, channels and templates per site (notify/)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=2000), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("near_turn_ahead", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("opted_out_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_notify_subscriptions_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_notify_subscriptions_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_notify_subscriptions_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions")),
        sa.UniqueConstraint("token", name=op.f("uq_notify_subscriptions_token")),
    )
    op.create_index("ix_notify_subscriptions_ticket", "notify_subscriptions", ["ticket_id"])
    op.create_index("ix_notify_subscriptions_dossier", "notify_subscriptions", ["dossier_id"])
    op.create_index("ix_notify_subscriptions_booking", "notify_subscriptions", ["booking_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=2000), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("lease_until", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("sent_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("failed_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_notifications_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_notifications_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["notify_subscriptions.id"],
            name=op.f("fk_notifications_subscription_id_notify_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_notifications_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_ticket", "notifications", ["ticket_id"])
    op.create_index("ix_notifications_dossier", "notifications", ["dossier_id"])
    op.create_index("ix_notifications_site_created", "notifications", ["site_id", "created_at", "channel"])
    op.create_table(
        "notify_site_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_notify_site_channels_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_site_channels")),
        sa.UniqueConstraint("site_id", "channel", name=op.f("uq_notify_site_channels_site_id_channel")),
    )
    op.create_table(
        "notify_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_notify_templates_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_notify_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_templates")),
        sa.UniqueConstraint(
            "site_id",
            "event",
            "channel",
            "language",
            name=op.f("uq_notify_templates_site_id_event_channel_language"),
        ),
    )


def downgrade():
    op.drop_table("notify_templates")
    op.drop_table("notify_site_channels")
    op.drop_index("ix_notifications_site_created", table_name="notifications")
    op.drop_index("ix_notifications_dossier", table_name="notifications")
    op.drop_index("ix_notifications_ticket", table_name="notifications")
    op.drop_index("ix_notifications_due", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_notify_subscriptions_booking", table_name="notify_subscriptions")
    op.drop_index("ix_notify_subscriptions_dossier", table_name="notify_subscriptions")
    op.drop_index("ix_notify_subscriptions_ticket", table_name="notify_subscriptions")
    op.drop_table("notify_subscriptions")
