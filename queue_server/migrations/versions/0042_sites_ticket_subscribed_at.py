"""sites.ticket_subscribed_at: when a citizen last subscribed to a ticket at the site

An officer's call asked the subscriptions' table whether anyone at the site had subscribed to a
ticket in the last day, before looking for the subscribers of the queue it moved: a round trip
to the database on every call, at a centre where nobody subscribed as much as at a busy one
(issue 21). The site's row, which a call reads with its counter's, now carries the instant of
the last such subscription (notify/outbox.py keeps it). Filled here from the subscriptions made
before.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("ticket_subscribed_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE sites SET ticket_subscribed_at = (SELECT max(s.created_at) FROM notify_subscriptions s"
        " WHERE s.site_id = sites.id AND s.ticket_id IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("ticket_subscribed_at")
