"""evaluations: one citizen's evaluation per dossier (evaluations/)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 20:00:00
"""

import sqlalchemy as sa
from alembic import op

from queue_server.database import UTCDateTime

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dossier_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "receiving_site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column(
            "procedure_id", sa.Integer(), sa.ForeignKey("procedures.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("field", sa.String(200), nullable=True),
        sa.Column(
            "department_id", sa.Integer(), sa.ForeignKey("departments.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("agency", sa.String(300), nullable=True),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column(
            "returned_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("criteria_set", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("indices", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_dossier_evaluations_site_created", "dossier_evaluations", ["site_id", "created_at"])


def downgrade():
    op.drop_index("ix_dossier_evaluations_site_created", table_name="dossier_evaluations")
    op.drop_table("dossier_evaluations")
