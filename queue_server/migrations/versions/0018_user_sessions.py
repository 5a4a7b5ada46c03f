"""staff sessions kept on the server, and passwords that must be changed

- user_sessions: one row per login (the token's SHA-256, when it began, was last used and
  ended, and why; address and browser), so that a session can be ended before its cookie does.
  Sessions open before this migration had no row: their holders log in again.
- users.must_change_password: a password someone else chose (an admin's reset, a demo account
  seeded in production) must be changed by its holder first.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 04:00:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("ended_at", queue_server.database.UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("user_sessions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
