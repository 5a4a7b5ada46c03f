"""Migrations run forward on a database that holds data, and keep it."""

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from .helpers import ROOT, own_postgres_database, psycopg_url


def flask_db(url, *args):
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def test_upgrading_sqlite_keeps_every_row_of_the_tables_it_rebuilds(tmp_path):
    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    flask_db(url, "upgrade", "0001")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO sites (id, code, name, kind, timezone, priority_policy, priority_max_run,"
            " call_template, event_seq) VALUES (1, 'S', 'Site', 'provincial_centre',"
            " 'Asia/Ho_Chi_Minh', 'strict', 2, '{number} {counter}', 0)"
        )
        conn.execute("INSERT INTO departments (id, site_id, code, name) VALUES (1, 1, 'D', 'Dept')")
        conn.execute(
            "INSERT INTO services (id, site_id, department_id, code, name, prefix,"
            " default_service_seconds, sort_order, active) VALUES (1, 1, 1, 'SV', 'Service', 'A', 300, 0, 1)"
        )
        conn.execute(
            "INSERT INTO counters (id, site_id, number, name, state, priority_run)"
            " VALUES (1, 1, 1, 'Counter', 'open', 0)"
        )
    flask_db(url, "upgrade")
    with sqlite3.connect(path) as conn:
        counts = [
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("sites", "departments", "services", "counters")
        ]
        enforced = conn.execute("SELECT enforce_opening_hours FROM sites").fetchone()[0]
    assert counts == [1, 1, 1, 1]
    assert enforced == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> str:
    """A database with no tables yet, to migrate step by step: SQLite, or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with own_postgres_database("_migrations") as url:
        yield url


def test_a_freshly_migrated_database_has_what_the_models_declare(empty_database):
    """Alembic's check, as ``flask db check``: a model changed without its migration (or a
    migration that the models do not follow) fails here, with the differences in the message."""
    from queue_server.app import create_app
    from queue_server.cli import alembic_config
    from queue_server.database import db

    flask_db(empty_database, "upgrade")
    app = create_app({"DATABASE_URL": empty_database, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        command.check(alembic_config())
        db.session.remove()
        db.engine.dispose()


def routing_by_day(url, days) -> dict:
    """The ids of the services counter 1 of site 1 serves on each day, as the application says."""
    from queue_server import cache
    from queue_server.app import create_app
    from queue_server.database import db
    from queue_server.sites.routing import site_routing

    cache.clear()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True, "DERIVED_CACHE_SECONDS": 0})
    with app.app_context():
        served = {day: set(site_routing(db.session, 1, day)[1]) for day in days}
        db.session.remove()
        db.engine.dispose()
    return served


OLD_ROWS = [
    "INSERT INTO sites (id, code, name, kind, timezone, priority_policy, priority_max_run, call_template,"
    " event_seq, enforce_opening_hours, target_wait_minutes) VALUES"
    " (1, 'S', 'Site', 'district_unit', 'Asia/Ho_Chi_Minh', 'strict', 2, '{number} {counter}', 0, TRUE, 15),"
    " (2, 'W', 'Ward', 'commune_centre', 'Asia/Ho_Chi_Minh', 'strict', 2, '{number} {counter}', 0, TRUE, 15)",
    "INSERT INTO departments (id, site_id, code, name) VALUES (1, 1, 'A', 'A'), (2, 1, 'B', 'B')",
    "INSERT INTO services (id, site_id, department_id, code, name, prefix, default_service_seconds,"
    " sort_order, active, returns_results) VALUES"
    " (1, 1, 1, 'SA', 'A', 'A', 300, 0, TRUE, FALSE), (2, 1, 2, 'SB', 'B', 'B', 300, 1, TRUE, FALSE)",
    "INSERT INTO counters (id, site_id, number, name, state, priority_run) VALUES (1, 1, 1, 'Q1', 'open', 0)",
    # Department A in odd ISO weeks, B in even weeks, and B on Saturdays whatever the week.
    "INSERT INTO counter_schedules (counter_id, department_id, weekdays, week_parity) VALUES"
    " (1, 1, '1234567', 'odd'), (1, 2, '1234567', 'even'), (1, 2, '6', NULL)",
]


def test_odd_and_even_week_rules_become_a_two_week_rotation_and_district_units_branches(empty_database):
    """Through ISO year 2026 every rule holds on the same days as with parity; from the end of
    2026 (53 weeks: week 53 and week 1 both odd) the rotation keeps alternating."""
    url = empty_database
    flask_db(url, "upgrade", "0014")
    engine = create_engine(psycopg_url(url))
    with engine.begin() as conn:
        for statement in OLD_ROWS:
            conn.execute(text(statement))
    flask_db(url, "upgrade")
    with engine.connect() as conn:
        rotations = conn.execute(text("SELECT id, site_id, name, anchor, weeks FROM rotations")).all()
        rules = conn.execute(
            text("SELECT department_id, rotation_id, rotation_week FROM counter_schedules ORDER BY id")
        ).all()
        kinds = conn.execute(text("SELECT code, kind FROM sites ORDER BY code")).all()
    anchor = rotations[0][3]
    assert [tuple(r)[1:] for r in rotations] == [(1, "Tuần lẻ, tuần chẵn", anchor, 2)]
    assert str(anchor) == "2025-12-29"
    rotation_id = rotations[0][0]
    assert [tuple(r) for r in rules] == [(1, rotation_id, 1), (2, rotation_id, 2), (2, None, None)]
    assert [tuple(k) for k in kinds] == [("S", "provincial_branch"), ("W", "commune_centre")]

    days_2026 = [date(2025, 12, 29) + timedelta(days=n) for n in range(0, 364, 3)]
    served = routing_by_day(url, [*days_2026, date(2027, 1, 4), date(2027, 1, 11)])
    for day in days_2026:
        odd = day.isocalendar()[1] % 2 == 1
        assert served[day] == ({1} if odd else {2}) | ({2} if day.isoweekday() == 6 else set()), day
    assert date(2027, 1, 4).isocalendar()[1] == 1
    assert served[date(2027, 1, 4)] == {2}  # ISO week 1, odd, right after odd week 53: week 2
    assert served[date(2027, 1, 11)] == {1}  # and on it goes

    flask_db(url, "downgrade", "0014")
    with engine.connect() as conn:
        parities = conn.execute(text("SELECT week_parity FROM counter_schedules ORDER BY id")).scalars().all()
        kind = conn.execute(text("SELECT kind FROM sites WHERE code = 'S'")).scalar_one()
    assert parities == ["odd", "even", None] and kind == "district_unit"
    engine.dispose()


DOSSIER_ROWS = [
    "INSERT INTO sites (id, code, name, kind, timezone, priority_policy, priority_max_run, call_template,"
    " event_seq, enforce_opening_hours, target_wait_minutes, agency_code) VALUES"
    " (1, 'C', 'Centre', 'provincial_centre', 'Asia/Ho_Chi_Minh', 'strict', 2, '{number}', 0, TRUE, 15,"
    " 'H40'),"
    " (2, 'P', 'Post', 'post_office', 'Asia/Ho_Chi_Minh', 'strict', 2, '{number}', 0, TRUE, 15, 'BC.1')",
    "INSERT INTO departments (id, site_id, code, name) VALUES (1, 1, 'STP', 'Sở Tư pháp')",
    "INSERT INTO procedures (id, site_id, department_id, code, name, processing_amount, processing_unit, fee,"
    " documents, postal_allowed, active) VALUES (1, 1, 1, '1.001756', 'LLTP', 10, 'working_days', 200000,"
    " '[]', TRUE, TRUE)",
]


def _old_dossier(id_, intake, received, status, outcome, payment):
    """A dossier row as revision 0015 stored it (received_at in naive UTC)."""
    return (
        "INSERT INTO dossiers (id, client_id, code, tracking_key, form_set, site_id, intake_site_id,"
        " procedure_id, channel, status, applicant_name, documents, sets, delivery, fee, fee_payment,"
        " received_at, due_at, paused_seconds, agency_supplements, outcome, created_at, updated_at) VALUES"
        f" ({id_}, 'client-{id_}xxxx', 'H40-000000-{id_:04d}', 'key{id_}', 'TT01/2018', 1, {intake}, 1,"
        f" '{'counter' if intake == 1 else 'postal'}', '{status}', 'A', '[]', 1, 'counter', 200000,"
        f" '{payment}',"
        f" '{received}', '{received}', 0, 0, {outcome}, '{received}', '{received}')"
    )


def test_dossiers_get_their_book_entry_form_set_and_fee_status_when_the_law_in_force_arrives(empty_database):
    url = empty_database
    flask_db(url, "upgrade", "0015")
    engine = create_engine(psycopg_url(url))
    with engine.begin() as conn:
        for statement in DOSSIER_ROWS:
            conn.execute(text(statement))
        # 10/9/2025 at the centre; 20/9/2025 by post (the centre registers it); a refusal in 2026.
        conn.execute(text(_old_dossier(1, 1, "2025-09-10 02:00:00", "processing", "NULL", "cash")))
        conn.execute(text(_old_dossier(2, 2, "2025-09-20 02:00:00", "received", "NULL", "unpaid")))
        conn.execute(text(_old_dossier(3, 1, "2026-01-05 02:00:00", "refused", "'early'", "cash")))
    flask_db(url, "upgrade")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, form_set, book_site_id, book_year, book_volume, book_entry, fee_status, outcome,"
                " return_site_id, registered FROM dossiers ORDER BY id"
            )
        ).all()
        cutoff = conn.execute(text("SELECT cutoff FROM procedures")).scalar_one()
        counts = conn.execute(
            text("SELECT year, last_value FROM register_sequences WHERE register = 'book' ORDER BY year")
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, "TT01/2018", 1, 2025, 1, 1, "paid", None, 1, True),
        (2, "TT03/2025", 1, 2025, 1, 2, "unpaid", None, 1, True),
        (3, "TT03/2025", 1, 2026, 1, 1, "paid", "refused", 1, True),  # no longer "early"
    ]
    assert str(cutoff).startswith("15:00")
    assert [tuple(c) for c in counts] == [(2025, 2), (2026, 1)]
    flask_db(url, "downgrade", "0015")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM dossiers")).scalar_one() == 3
    engine.dispose()
