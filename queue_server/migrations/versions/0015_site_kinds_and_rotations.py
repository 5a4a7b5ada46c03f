"""site kinds after the two-level reform

Since 1/7/2025 local government has two levels, province and commune: the district level is
gone. Former district one-stop units became branches of the provincial centre or were
dissolved, so the sites still recorded as ``district_unit`` are ``provincial_branch`` now. The
kinds are provincial_centre, provincial_branch, commune_centre, service_point and post_office.

Downgrade: ``provincial_branch`` goes back to ``district_unit`` (``service_point`` stays: the
old code has no equivalent).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 22:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _set_kind(old: str, new: str) -> None:
    op.execute(sa.text("UPDATE sites SET kind = :new WHERE kind = :old").bindparams(old=old, new=new))


def upgrade():
    _set_kind("district_unit", "provincial_branch")


def downgrade():
    _set_kind("provincial_branch", "district_unit")
