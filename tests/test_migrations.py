"""Migrations run forward on a database that holds data, and keep it."""

import os
import sqlite3
import subprocess
import sys

from .conftest import ROOT


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
