"""payments: the bank statements a site imported and their lines (payments/)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

from queue_server.database import UTCDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statement_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("account_number", sa.String(30), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column(
            "imported_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("applied", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_statement_imports_site_id", "statement_imports", ["site_id"])
    op.create_table(
        "statement_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer(),
            sa.ForeignKey("statement_imports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("booked_at", UTCDateTime(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("payer", sa.String(500), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column(
            "dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="SET NULL"), nullable=True
        ),
        sa.UniqueConstraint("site_id", "reference", name="uq_statement_lines_reference"),
    )
    op.create_index("ix_statement_lines_import_outcome", "statement_lines", ["import_id", "outcome"])
    op.create_index("ix_statement_lines_dossier_id", "statement_lines", ["dossier_id"])


def downgrade():
    op.drop_table("statement_lines")
    op.drop_table("statement_imports")
