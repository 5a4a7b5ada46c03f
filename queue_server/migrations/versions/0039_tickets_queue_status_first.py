"""tickets: ``status`` before ``service_id`` in ``ix_tickets_queue``

Call-next looks for the waiting tickets of the services a counter serves, or of the counter
itself (a transfer): no single service, so the index's ``service_id`` could not narrow it, and
it read every ticket of the site's day, the served ones too. With ``status`` first it reads
the waiting ones only. The count of the people ahead (``service_id`` equal, ``status`` one of
two, ``issued_at`` a range) reads the index alone either way (issue 21).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04 20:10:00
"""

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index(
        "ix_tickets_queue", "tickets", ["site_id", "business_date", "status", "service_id", "issued_at"]
    )


def downgrade():
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index(
        "ix_tickets_queue", "tickets", ["site_id", "business_date", "service_id", "status", "issued_at"]
    )
