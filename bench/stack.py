"""Bring up what a benchmark measures: a migrated, seeded database and gunicorn workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


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


def flask_cli(url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare(url: str) -> str:
    """Migrate and seed; return a kiosk token."""
    if url.startswith("postgresql"):
        fresh_postgres(url)
    elif url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "seed-demo")
    output = flask_cli(url, "create-device-token", "--kind", "kiosk", "--site", "NA-HCC")
    return output.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with ``workers`` gevent worker processes, sharing Redis for events."""

    def __init__(self, url: str, workers: int, message_queue: str | None, extra_env: dict | None = None):
        """``extra_env``: more environment for gunicorn (e.g. ``SOCKETIO_CHANNEL``), over the defaults."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WEB_CONCURRENCY": str(workers),
            "BIND": f"127.0.0.1:{self.port}",
            "LOG_LEVEL": "warning",
            # A few kiosk tokens stand in for a province's hundreds of kiosks: no per-kiosk limit.
            "KIOSK_RATE_LIMIT": "1000000 per minute",
        }
        if message_queue:
            env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
        env.update(extra_env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/api/v1/sites", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def pids(self) -> list[int]:
        """The master, then each worker process."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of the master and each worker process."""
        sizes = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
