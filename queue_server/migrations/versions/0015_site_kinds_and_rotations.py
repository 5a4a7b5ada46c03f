"""site kinds after the two-level reform; rotations instead of ISO week parity; officers' duties

Site kinds. Since 1/7/2025 local government has two levels, province and commune: the district
level is gone. Former district one-stop units became branches of the provincial centre or were
dissolved, so the sites still recorded as ``district_unit`` are ``provincial_branch`` now. The
kinds are provincial_centre, provincial_branch, commune_centre, service_point and post_office.

Rotations. A counter rule used to hold in odd or even ISO weeks. ISO years with 53 weeks break
that: 2026's week 53 (28/12/2026-3/1/2027) and 2027's week 1 are both odd, so a merged counter
served the same department two weeks running. A rule now follows a week of a rotation, a cycle
of N weeks counted from an anchor Monday. Each site with odd/even rules gets one two-week
rotation anchored on Monday 29/12/2025 (ISO week 1 of 2026, odd): odd rules take week 1, even
rules week 2. Throughout ISO year 2026 every rule holds on the same days as before; from
4/1/2027 on, the weeks keep alternating where parity did not.

Officers' duties (``duties``): which officer works which counter, on which days and weeks.

Downgrade: ``provincial_branch`` goes back to ``district_unit`` (``service_point`` stays: the
old code has no equivalent); a rule on a two-week rotation goes back to the parity of its week in
ISO terms, as the anchor says it. Rules on a rotation of any other length cannot be said with a
parity: the downgrade refuses to run, leaving everything as it is, while such rules exist.
Duties are dropped.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 22:15:00
"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ANCHOR = date(2025, 12, 29)  # Monday of ISO week 1 of 2026
ROTATION_NAME = "Tuần lẻ, tuần chẵn"

rotations = sa.table(
    "rotations",
    sa.column("id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("anchor", sa.Date),
    sa.column("weeks", sa.Integer),
)


def _set_kind(old: str, new: str) -> None:
    op.execute(sa.text("UPDATE sites SET kind = :new WHERE kind = :old").bindparams(old=old, new=new))


def _rotation_checks(table: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(
            "(rotation_id IS NULL) = (rotation_week IS NULL)", name=op.f(f"ck_{table}_rotation_week_given")
        ),
        sa.CheckConstraint("rotation_week >= 1", name=op.f(f"ck_{table}_rotation_week_from_one")),
    ]


def upgrade():
    _set_kind("district_unit", "provincial_branch")

    op.create_table(
        "rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.CheckConstraint("weeks >= 2", name=op.f("ck_rotations_at_least_two_weeks")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_rotations_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotations")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_rotations_site_id_name")),
    )
    with op.batch_alter_table("rotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rotations_site_id"), ["site_id"], unique=False)

    op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=True),
        sa.Column("rotation_week", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        *_rotation_checks("duties"),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_duties_counter_id_counters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"], ["rotations.id"], name=op.f("fk_duties_rotation_id_rotations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_duties_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duties")),
    )
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duties_counter_id"), ["counter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duties_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("counter_schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rotation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rotation_week", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_counter_schedules_rotation_id_rotations"), "rotations", ["rotation_id"], ["id"]
        )

    bind = op.get_bind()
    sites = bind.execute(
        sa.text(
            "SELECT DISTINCT counters.site_id FROM counter_schedules"
            " JOIN counters ON counters.id = counter_schedules.counter_id"
            " WHERE counter_schedules.week_parity IS NOT NULL ORDER BY counters.site_id"
        )
    ).scalars()
    for site_id in list(sites):
        bind.execute(rotations.insert().values(site_id=site_id, name=ROTATION_NAME, anchor=ANCHOR, weeks=2))
        rotation_id = bind.execute(
            sa.select(rotations.c.id).where(rotations.c.site_id == site_id, rotations.c.name == ROTATION_NAME)
        ).scalar_one()
        bind.execute(
            sa.text(
                "UPDATE counter_schedules SET rotation_id = :rotation,"
                " rotation_week = CASE week_parity WHEN 'odd' THEN 1 ELSE 2 END"
                " WHERE week_parity IS NOT NULL"
                " AND counter_id IN (SELECT id FROM counters WHERE site_id = :site)"
            ).bindparams(rotation=rotation_id, site=site_id)
        )

    with op.batch_alter_table("counter_schedules", schema=None) as batch_op:
        batch_op.drop_column("week_parity")
        for check in _rotation_checks("counter_schedules"):
            batch_op.create_check_constraint(check.name, check.sqltext)


def downgrade():
    bind = op.get_bind()
    other = bind.execute(
        sa.text(
            "SELECT COUNT(*) FROM counter_schedules JOIN rotations"
            " ON rotations.id = counter_schedules.rotation_id WHERE rotations.weeks <> 2"
        )
    ).scalar_one()
    if other:
        raise RuntimeError(
            f"{other} counter rule(s) follow a rotation of other than two weeks, which odd/even ISO"
            " weeks cannot express: change them before downgrading."
        )
    parities = {}
    for (
        rotation_id,
        anchor,
    ) in bind.execute(sa.select(rotations.c.id, rotations.c.anchor)):
        anchor = anchor if isinstance(anchor, date) else date.fromisoformat(str(anchor))
        monday = anchor - timedelta(days=anchor.weekday())
        first_odd = monday.isocalendar()[1] % 2 == 1
        parities[rotation_id] = {1: "odd" if first_odd else "even", 2: "even" if first_odd else "odd"}

    with op.batch_alter_table("counter_schedules", schema=None) as batch_op:
        for check in _rotation_checks("counter_schedules"):
            batch_op.drop_constraint(check.name, type_="check")
        batch_op.add_column(sa.Column("week_parity", sa.String(length=4), nullable=True))
    for rotation_id, weeks in parities.items():
        for week, parity in weeks.items():
            bind.execute(
                sa.text(
                    "UPDATE counter_schedules SET week_parity = :parity"
                    " WHERE rotation_id = :rotation AND rotation_week = :week"
                ).bindparams(parity=parity, rotation=rotation_id, week=week)
            )
    with op.batch_alter_table("counter_schedules", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_counter_schedules_rotation_id_rotations"), type_="foreignkey")
        batch_op.drop_column("rotation_week")
        batch_op.drop_column("rotation_id")

    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duties_user_id"))
        batch_op.drop_index(batch_op.f("ix_duties_counter_id"))
    op.drop_table("duties")
    with op.batch_alter_table("rotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotations_site_id"))
    op.drop_table("rotations")

    _set_kind("provincial_branch", "district_unit")
