"""bookings: appointments booked from a phone (booking/); tickets: the slot of a booked ticket

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:40:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("ends_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_bookings_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_bookings_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_bookings_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("token", name=op.f("uq_bookings_token")),
    )
    op.create_index("ix_bookings_site_day", "bookings", ["site_id", "day", "service_id", "status"])
    op.create_index(
        "uq_bookings_active_phone",
        "bookings",
        ["site_id", "service_id", "day", "phone"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("appointment_at", queue_server.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("appointment_at")
    op.drop_index("uq_bookings_active_phone", table_name="bookings")
    op.drop_index("ix_bookings_site_day", table_name="bookings")
    op.drop_table("bookings")
