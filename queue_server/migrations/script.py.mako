<%!
    def without_banners(commands):
        """Alembic wraps what it generated in "please adjust!" banners: a revision in this
        repository is adjusted before it is committed, so they are left out."""
        return "\n".join(line for line in commands.split("\n") if "# ###" not in line).strip()
%>\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from alembic import op
import sqlalchemy as sa
import queue_server.database
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${(upgrades if upgrades else "pass") | without_banners}


def downgrade():
    ${(downgrades if downgrades else "pass") | without_banners}
