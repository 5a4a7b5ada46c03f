"""The law in force: Nghị định 118/2025 and Thông tư 03/2025 on the dossier side

- sites.province: sites of one province receive each other's dossiers (Nghị định 118/2025
  Điều 14); empty everywhere until an admin sets it (one province per installation).
- procedures.cutoff (15:00 for the procedures already in the catalogue, the default of
  DOSSIER_DEFAULT_CUTOFF) and procedures.system_code (Thông tư 04/2025 codes).
- dossier_sequences.series: codes of a national centralised system number apart.
- register_sequences, tracking_books: the tracking book numbered per year (volumes opened after
  the first continue the numbering), and each kind of notice numbered per year. Dossiers already
  registered get their entries in the order they were received, in volume 1 of their receiving
  unit's book of that year.
- form_settings: a centre's heading lines, place and symbols per form set.
- dossiers: registered, return_site_id, fee_status, the book entry, counted_from,
  transfer_due_at; due_at may be empty (a dossier turned away at intake has none);
  agency_supplements becomes supplement_requests (a supplement may be asked once, by anyone).
  Dossiers received from 15/9/2025 (Vietnam time) keep Thông tư 03/2025's forms, the set in
  force that day; refused dossiers are classed "refused" instead of early/on time/late.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 23:30:00
"""

from collections import defaultdict
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import queue_server.database

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TT03_FROM_UTC = datetime(2025, 9, 14, 17, 0)  # 15/9/2025 00:00 in Vietnam, naive UTC as stored


def upgrade():
    with op.batch_alter_table("sites") as batch_op:
        batch_op.add_column(sa.Column("province", sa.String(length=100), nullable=True))

    with op.batch_alter_table("procedures") as batch_op:
        batch_op.add_column(sa.Column("cutoff", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("system_code", sa.String(length=2), nullable=True))
    procedures = sa.table("procedures", sa.column("cutoff", sa.Time()))
    op.get_bind().execute(procedures.update().values(cutoff=time(15, 0)))

    with op.batch_alter_table("dossier_sequences", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("series", sa.String(length=2), nullable=False, server_default=""))
        batch_op.drop_constraint("pk_dossier_sequences", type_="primary")
        batch_op.create_primary_key("pk_dossier_sequences", ["agency_code", "received_on", "series"])

    op.create_table(
        "register_sequences",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_register_sequences_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "register", "year", name=op.f("pk_register_sequences")),
    )
    op.create_table(
        "tracking_books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("first_entry", sa.Integer(), nullable=False),
        sa.Column("opened_at", queue_server.database.UTCDateTime(), nullable=False),
        sa.Column("opened_by_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_tracking_books_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_books")),
        sa.UniqueConstraint("site_id", "year", "volume", name=op.f("uq_tracking_books_site_id_year_volume")),
    )
    with op.batch_alter_table("tracking_books") as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_books_site_id"), ["site_id"], unique=False)
    op.create_table(
        "form_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("form_set", sa.String(length=20), nullable=False),
        sa.Column("governing_body", sa.String(length=300), nullable=True),
        sa.Column("centre_name", sa.String(length=300), nullable=True),
        sa.Column("place_name", sa.String(length=100), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_form_settings_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_settings")),
        sa.UniqueConstraint("site_id", "form_set", name=op.f("uq_form_settings_site_id_form_set")),
    )
    with op.batch_alter_table("form_settings") as batch_op:
        batch_op.create_index(batch_op.f("ix_form_settings_site_id"), ["site_id"], unique=False)

    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.add_column(sa.Column("return_site_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(
            sa.Column("fee_status", sa.String(length=15), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("book_site_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("book_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("book_volume", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("book_entry", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("counted_from", queue_server.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("transfer_due_at", queue_server.database.UTCDateTime(), nullable=True))
        batch_op.alter_column("agency_supplements", new_column_name="supplement_requests")
        batch_op.alter_column("due_at", existing_type=queue_server.database.UTCDateTime(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_dossiers_return_site_id_sites"), "sites", ["return_site_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_dossiers_book_site_id_sites"), "sites", ["book_site_id"], ["id"]
        )
        batch_op.create_index("ix_dossiers_intake_received", ["intake_site_id", "received_at"], unique=False)
        batch_op.create_unique_constraint(
            "uq_dossiers_book_entry", ["book_site_id", "book_year", "book_entry"]
        )

    bind = op.get_bind()
    bind.execute(sa.text("UPDATE dossiers SET return_site_id = site_id WHERE delivery = 'counter'"))
    bind.execute(sa.text("UPDATE dossiers SET counted_from = received_at"))
    bind.execute(
        sa.text(
            "UPDATE dossiers SET fee_status = CASE"
            " WHEN fee_payment = 'exempt' THEN 'exempt' WHEN fee = 0 THEN 'none'"
            " WHEN fee_payment = 'unpaid' THEN 'unpaid' ELSE 'paid' END"
        )
    )
    bind.execute(sa.text("UPDATE dossiers SET outcome = 'refused' WHERE status = 'refused'"))
    bind.execute(
        sa.text("UPDATE dossiers SET form_set = 'TT03/2025' WHERE received_at >= :start"),
        {"start": TT03_FROM_UTC},
    )
    _enter_existing_dossiers(bind)


def _enter_existing_dossiers(bind) -> None:
    """Number the dossiers already registered in their receiving unit's book, in the order
    received: the unit is where they were handed in, unless that was a post office."""
    sites = {row.id: row for row in bind.execute(sa.text("SELECT id, kind, timezone FROM sites")).mappings()}
    rows = bind.execute(
        sa.text("SELECT id, site_id, intake_site_id, received_at FROM dossiers ORDER BY received_at, id")
    ).mappings()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        intake = sites[row["intake_site_id"]]
        book_site = row["intake_site_id"] if intake["kind"] != "post_office" else row["site_id"]
        received = row["received_at"]
        if isinstance(received, str):
            received = datetime.fromisoformat(received)
        local = received.replace(tzinfo=UTC).astimezone(ZoneInfo(sites[book_site]["timezone"]))
        key = (book_site, local.year)
        counts[key] += 1
        bind.execute(
            sa.text(
                "UPDATE dossiers SET book_site_id = :site, book_year = :year, book_volume = 1,"
                " book_entry = :entry WHERE id = :id"
            ),
            {"site": book_site, "year": local.year, "entry": counts[key], "id": row["id"]},
        )
    sequences = sa.table(
        "register_sequences",
        sa.column("site_id", sa.Integer()),
        sa.column("register", sa.String()),
        sa.column("year", sa.Integer()),
        sa.column("last_value", sa.Integer()),
    )
    for (site_id, year), last in counts.items():
        bind.execute(sequences.insert().values(site_id=site_id, register="book", year=year, last_value=last))


def downgrade():
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM dossiers WHERE registered = false OR due_at IS NULL"))
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.drop_constraint("uq_dossiers_book_entry", type_="unique")
        batch_op.drop_index("ix_dossiers_intake_received")
        batch_op.drop_constraint(batch_op.f("fk_dossiers_book_site_id_sites"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_dossiers_return_site_id_sites"), type_="foreignkey")
        batch_op.alter_column("due_at", existing_type=queue_server.database.UTCDateTime(), nullable=False)
        batch_op.alter_column("supplement_requests", new_column_name="agency_supplements")
        for column in (
            "transfer_due_at",
            "counted_from",
            "book_entry",
            "book_volume",
            "book_year",
            "book_site_id",
            "fee_status",
            "registered",
            "return_site_id",
        ):
            batch_op.drop_column(column)
    op.drop_table("form_settings")
    op.drop_table("tracking_books")
    op.drop_table("register_sequences")
    bind.execute(sa.text("DELETE FROM dossier_sequences WHERE series <> ''"))
    with op.batch_alter_table("dossier_sequences", recreate="always") as batch_op:
        batch_op.drop_constraint("pk_dossier_sequences", type_="primary")
        batch_op.create_primary_key("pk_dossier_sequences", ["agency_code", "received_on"])
        batch_op.drop_column("series")
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.drop_column("system_code")
        batch_op.drop_column("cutoff")
    with op.batch_alter_table("sites") as batch_op:
        batch_op.drop_column("province")
