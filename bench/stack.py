"""Bring up what a benchmark measures: a migrated, seeded database and gunicorn workers
(``bench/harness.py``, the tests' too)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from .harness import ROOT, Gunicorn, python_of


def engine(url: str, **options):
    """An engine for a benchmark's database URL (``postgresql://`` goes through psycopg 3)."""
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"), **options)


def fresh_postgres(url: str) -> None:
    """Create the benchmark database if needed and empty it."""
    base, name = url.rsplit("/", 1)
    admin = engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = engine(url, isolation_level="AUTOCOMMIT")
    with database.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    database.dispose()


def flask_cli(url: str, *args: str, root: Path = ROOT) -> str:
    result = subprocess.run(
        [python_of(root), "-m", "flask", "--app", "wsgi", *args],
        cwd=root,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare(url: str, root: Path = ROOT) -> str:
    """Migrate and seed with the code of the checkout ``root``; return a kiosk token."""
    if url.startswith("postgresql"):
        fresh_postgres(url)
    elif url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        for leftover in (path, f"{path}-wal", f"{path}-shm"):  # a last run's journal too
            Path(leftover).unlink(missing_ok=True)
    flask_cli(url, "db", "upgrade", root=root)
    flask_cli(url, "seed-demo", root=root)
    output = flask_cli(url, "create-device-token", "--kind", "kiosk", "--site", "NA-HCC", root=root)
    return output.strip().splitlines()[-1]


def start_server(
    url: str,
    workers: int,
    message_queue: str | None,
    extra_env: dict | None = None,
    root: Path = ROOT,
) -> Gunicorn:
    """gunicorn with ``workers`` gevent worker processes on ``url``, sharing Redis for events;
    its output on the terminal. ``extra_env``: more environment (e.g. ``SOCKETIO_CHANNEL``);
    ``root``: the checkout it serves."""
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "LOG_LEVEL": "warning",
        # A few kiosk tokens stand in for a province's hundreds of kiosks: no per-kiosk limit.
        "KIOSK_RATE_LIMIT": "1000000 per minute",
    }
    if message_queue:
        settings["SOCKETIO_MESSAGE_QUEUE"] = message_queue
    return Gunicorn({**settings, **(extra_env or {})}, workers, ready_seconds=60, to_terminal=True, root=root)
