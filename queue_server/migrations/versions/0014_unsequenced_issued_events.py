"""queue_events.site_seq may be empty: a ticket issued takes no place in the site's sequence

Numbering the event of every ticket issued in the site's sequence locked the site row in every
kiosk's transaction, so that a busy centre took its numbers one at a time, behind its officers'
calls too. Tickets issued are now logged without a sequence number; public screens are not
sent them and staff get them as notices (see queueing/journal.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("queue_events") as batch_op:
        batch_op.alter_column("site_seq", existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Unsequenced events get a number no sequenced one has (negative), so the column can be
    # required again.
    op.execute("UPDATE queue_events SET site_seq = -id WHERE site_seq IS NULL")
    with op.batch_alter_table("queue_events") as batch_op:
        batch_op.alter_column("site_seq", existing_type=sa.Integer(), nullable=False)
