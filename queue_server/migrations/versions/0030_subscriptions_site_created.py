"""notify_subscriptions: an index on (site_id, created_at), for the question every call asks:
has anyone at this site subscribed to a ticket today? (notify/outbox.py)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 14:45:00
"""

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notify_subscriptions_site_created", "notify_subscriptions", ["site_id", "created_at"])


def downgrade():
    op.drop_index("ix_notify_subscriptions_site_created", table_name="notify_subscriptions")
