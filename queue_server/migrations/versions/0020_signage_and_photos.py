"""the hall screen's signage, and officers' photos

- signage_notices: the lines of a site's ticker, each shown while active, between optional dates.
- signage_media: the images and videos of a site's playlist (the file under SIGNAGE_DIR, by its
  SHA-256), with an image's duration.
- users.photo: the key of an officer's photo under PHOTOS_DIR, for the counter's screen.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _shown():
    """The columns saying when an item is on the screen (sites.signage_models.Shown)."""
    return [
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "signage_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        *_shown(),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_signage_notices_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signage_notices")),
    )
    with op.batch_alter_table("signage_notices") as batch_op:
        batch_op.create_index(batch_op.f("ix_signage_notices_site_id"), ["site_id"], unique=False)
    op.create_table(
        "signage_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        *_shown(),
        sa.CheckConstraint("duration_seconds >= 1", name=op.f("ck_signage_media_duration_positive")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_signage_media_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signage_media")),
    )
    with op.batch_alter_table("signage_media") as batch_op:
        batch_op.create_index(batch_op.f("ix_signage_media_site_id"), ["site_id"], unique=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("photo", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("photo")
    with op.batch_alter_table("signage_media") as batch_op:
        batch_op.drop_index(batch_op.f("ix_signage_media_site_id"))
    op.drop_table("signage_media")
    with op.batch_alter_table("signage_notices") as batch_op:
        batch_op.drop_index(batch_op.f("ix_signage_notices_site_id"))
    op.drop_table("signage_notices")
