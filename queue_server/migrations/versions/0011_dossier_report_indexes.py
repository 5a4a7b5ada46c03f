"""dossier report indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 03:41:08.587314
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index("ix_dossiers_site_finished", ["site_id", "finished_at"], unique=False)
        batch_op.create_index("ix_dossiers_site_returned", ["site_id", "returned_at"], unique=False)


def downgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_site_returned")
        batch_op.drop_index("ix_dossiers_site_finished")
