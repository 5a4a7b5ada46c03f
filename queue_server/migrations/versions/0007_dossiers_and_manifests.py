"""dossiers and manifests

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 02:19:40.224244
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sync_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("applied_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device_tokens.id"],
            name=op.f("fk_sync_operations_device_id_device_tokens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_operations")),
    )
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_calendar_days_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("site_id", "day", name=op.f("uq_calendar_days_site_id_day")),
    )
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_days_day"), ["day"], unique=False)

    op.create_table(
        "manifests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("from_site_id", sa.Integer(), nullable=False),
        sa.Column("to_site_id", sa.Integer(), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("created_by_name", sa.String(length=200), nullable=True),
        sa.Column("closed_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("receiving_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("received_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("received_by_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["from_site_id"], ["sites.id"], name=op.f("fk_manifests_from_site_id_sites")),
        sa.ForeignKeyConstraint(["to_site_id"], ["sites.id"], name=op.f("fk_manifests_to_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint("client_id", name=op.f("uq_manifests_client_id")),
        sa.UniqueConstraint("code", name=op.f("uq_manifests_code")),
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifests_from_site_id"), ["from_site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manifests_to_site_id"), ["to_site_id"], unique=False)

    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("tracking_key", sa.String(length=32), nullable=False),
        sa.Column("form_set", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("intake_site_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=20), nullable=True),
        sa.Column("applicant_phone", sa.String(length=20), nullable=True),
        sa.Column("applicant_address", sa.String(length=500), nullable=True),
        sa.Column("applicant_email", sa.String(length=200), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("delivery_address", sa.String(length=500), nullable=True),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("fee_payment", sa.String(length=10), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("received_by_name", sa.String(length=200), nullable=True),
        sa.Column("due_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("apology_due_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("paused_since", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("agency_supplements", sa.Integer(), nullable=False),
        sa.Column("due_soon_flagged_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("finished_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("returned_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("return_method", sa.String(length=10), nullable=True),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_site_id"], ["sites.id"], name=op.f("fk_dossiers_intake_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_dossiers_procedure_id_procedures")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_dossiers_received_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_dossiers_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_dossiers_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("client_id", name=op.f("uq_dossiers_client_id")),
        sa.UniqueConstraint("code", name=op.f("uq_dossiers_code")),
        sa.UniqueConstraint("tracking_key", name=op.f("uq_dossiers_tracking_key")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossiers_due_at"), ["due_at"], unique=False)
        batch_op.create_index("ix_dossiers_site_received", ["site_id", "received_at"], unique=False)
        batch_op.create_index("ix_dossiers_site_status", ["site_id", "status"], unique=False)

    op.create_table(
        "dossier_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_attachments_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_device_id"],
            ["device_tokens.id"],
            name=op.f("fk_dossier_attachments_uploaded_by_device_id_device_tokens"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_dossier_attachments_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_attachments")),
        sa.UniqueConstraint("client_id", name=op.f("uq_dossier_attachments_client_id")),
    )
    with op.batch_alter_table("dossier_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_attachments_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "dossier_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_device_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=True),
        sa.Column("from_party", sa.String(length=300), nullable=True),
        sa.Column("to_party", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_device_id"],
            ["device_tokens.id"],
            name=op.f("fk_dossier_events_actor_device_id_device_tokens"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_dossier_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_events_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_events")),
        sa.UniqueConstraint("client_id", name=op.f("uq_dossier_events_client_id")),
    )
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_events_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "manifest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("arrived_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_manifest_items_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.id"],
            name=op.f("fk_manifest_items_manifest_id_manifests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_items")),
        sa.UniqueConstraint(
            "manifest_id", "dossier_code", name=op.f("uq_manifest_items_manifest_id_dossier_code")
        ),
    )
    with op.batch_alter_table("manifest_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifest_items_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manifest_items_manifest_id"), ["manifest_id"], unique=False)

    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("returns_results", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_code", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_sites_agency_code"), ["agency_code"])


def downgrade():
    op.drop_table("sync_operations")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("returns_results")

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_sites_agency_code"), type_="unique")
        batch_op.drop_column("agency_code")

    with op.batch_alter_table("manifest_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_items_manifest_id"))
        batch_op.drop_index(batch_op.f("ix_manifest_items_dossier_id"))

    op.drop_table("manifest_items")
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_events_dossier_id"))

    op.drop_table("dossier_events")
    with op.batch_alter_table("dossier_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_attachments_dossier_id"))

    op.drop_table("dossier_attachments")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_site_status")
        batch_op.drop_index("ix_dossiers_site_received")
        batch_op.drop_index(batch_op.f("ix_dossiers_due_at"))

    op.drop_table("dossiers")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifests_to_site_id"))
        batch_op.drop_index(batch_op.f("ix_manifests_from_site_id"))

    op.drop_table("manifests")
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_days_day"))

    op.drop_table("calendar_days")
