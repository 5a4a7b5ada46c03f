"""covering report indexes: dossiers and ratings are counted from the index alone

The report counts dossiers received (by channel), finished (by outcome) and returned by post, and
ratings by level, over a period. With the grouped column in the index, PostgreSQL answers from
the index without reading the table (an index-only scan), which keeps two years of a province's
dossiers well inside the report's one-second budget without a roll-up of their own.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 06:40:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DOSSIERS = {
    "ix_dossiers_site_received": (["site_id", "received_at"], ["site_id", "received_at", "channel"]),
    "ix_dossiers_site_finished": (["site_id", "finished_at"], ["site_id", "finished_at", "outcome"]),
    "ix_dossiers_site_returned": (["site_id", "returned_at"], ["site_id", "returned_at", "return_method"]),
}
RATINGS = {"ix_ratings_site_created": (["site_id", "created_at"], ["site_id", "created_at", "level"])}


def _swap(table: str, indexes: dict, new: bool) -> None:
    with op.batch_alter_table(table) as batch_op:
        for name, (old_columns, new_columns) in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, new_columns if new else old_columns, unique=False)


def upgrade():
    _swap("dossiers", DOSSIERS, new=True)
    _swap("ratings", RATINGS, new=True)


def downgrade():
    _swap("ratings", RATINGS, new=False)
    _swap("dossiers", DOSSIERS, new=False)
