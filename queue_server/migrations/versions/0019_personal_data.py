"""personal data: the applicant's consent to be contacted, the marks of the retention purge,
and an index to find a data subject's dossiers by ID number

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.add_column(
            sa.Column("contact_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("contact_consent_at", queue_server.database.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("contact_consent_via", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("personal_data_purged_at", queue_server.database.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_dossiers_applicant_id_number", ["applicant_id_number"])
    with op.batch_alter_table("dossier_attachments") as batch_op:
        batch_op.add_column(sa.Column("purged_at", queue_server.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("dossier_attachments") as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.drop_index("ix_dossiers_applicant_id_number")
        batch_op.drop_column("personal_data_purged_at")
        batch_op.drop_column("contact_consent_via")
        batch_op.drop_column("contact_consent_at")
        batch_op.drop_column("contact_consent")
