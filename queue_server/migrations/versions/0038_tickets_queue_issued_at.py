"""tickets: ``issued_at`` at the end of ``ix_tickets_queue``, so that the count of the tickets
ahead of a walk-in reads the index alone (queueing/estimates.py, issue 21)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04 19:30:00
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

QUEUE = ["site_id", "business_date", "service_id", "status"]


def upgrade():
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", [*QUEUE, "issued_at"])


def downgrade():
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", QUEUE)
