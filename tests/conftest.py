"""Shared fixtures: databases (SQLite and PostgreSQL), the app, logins, live servers.

PostgreSQL and Redis are real servers started by ``scripts/test-services.sh`` (``.ci/run`` does
it). Their addresses come from TEST_POSTGRES_URL and TEST_REDIS_URL; tests that need them are
skipped when they cannot be reached, except under CI, where that is a failure.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from queue_server import cache, demo
from queue_server.app import create_app
from queue_server.auth.services import issue_device_token
from queue_server.database import db
from queue_server.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"


def _unavailable(what: str, error: Exception):
    if IN_CI:
        pytest.fail(f"{what} is required under CI but unreachable: {error}")
    pytest.skip(f"{what} unreachable ({error}); run scripts/test-services.sh")


def migrate(url: str) -> None:
    """Run the real Alembic migrations against ``url``."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


@contextlib.contextmanager
def own_postgres_database(suffix: str = ""):
    """An empty database of this run's own, created next to ``TEST_POSTGRES_URL``'s and dropped
    at the end: two test runs at once (a CI clone and a developer's) never empty each other's
    tables. Yields its URL."""
    name = f"{POSTGRES_URL.rsplit('/', 1)[1]}_{os.getpid()}{suffix}"
    admin = create_engine(_psycopg(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        _unavailable("PostgreSQL", error)
    yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """The migrated PostgreSQL database of this run (see :func:`own_postgres_database`)."""
    with own_postgres_database() as url:
        migrate(url)
        yield url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(_psycopg(url))
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        _unavailable("Redis", error)
    return REDIS_URL


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated, empty database. Parametrize with "postgresql" to use PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def fast_demo_password_hashes():
    """Hash the demo users' passwords with few iterations: the demo is loaded for every test.

    Only the demo loader is affected; accounts created by a test use the real, slow hash.
    """
    from werkzeug.security import generate_password_hash

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            demo,
            "create_user",
            functools.partial(
                demo.create_user, password_hasher=lambda p: generate_password_hash(p, "pbkdf2:sha256:1000")
            ),
        )
        yield


@pytest.fixture
def app(database_url):
    cache.clear()
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "DERIVED_CACHE_SECONDS": 0,
            "LIVE_STATS_SECONDS": 0,
            "SOCKETIO_MESSAGE_QUEUE": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "KIOSK_RATE_LIMIT": "100000 per minute",  # tests/test_security.py checks the real limit
        }
    )
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    yield app
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username, password=None):
    password = password or {
        "admin": "quan-tri-demo",
        "supervisor": "giam-sat-demo",
        "postal": "buu-dien-demo",
    }.get(username, "officer-demo")
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    # Every later request carries the session's CSRF token, as the staff pages' script does.
    client.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
    return client


@pytest.fixture
def officer(app):
    return login(app.test_client(), "officer1")


@pytest.fixture
def kiosk_token(app) -> str:
    with app.app_context():
        _, token = issue_device_token(db.session, "kiosk", "NA-HCC", "test kiosk")
        db.session.commit()
    return token


@pytest.fixture
def kiosk(app, kiosk_token):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {kiosk_token}"
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real gunicorn (gevent workers) serving the app on a free port."""

    def __init__(self, database_url: str, workers: int = 1, message_queue: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-test",
            "WEB_CONCURRENCY": str(workers),
            "BIND": f"127.0.0.1:{self.port}",
            "LOG_LEVEL": "warning",
            "KIOSK_RATE_LIMIT": "100000 per minute",  # one token takes every test's numbers
            "LIVE_STANDING_SECONDS": "0.2",
        }
        self.env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        if message_queue:
            self.env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
            self.env["SOCKETIO_CHANNEL"] = f"queue-test-{os.getpid()}"  # this run's servers only
        self.start()

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it answers.

        Its log goes to a file, not a pipe: a pipe nobody reads fills up and blocks the server.
        """
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read().decode()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/v1/sites", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start in 30 s")

    def log_tail(self, size: int = 6000) -> str:
        if self.log.closed:
            return "(stopped)"
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


BROWSER = pytest.StashKey()


# Markers given by what a test uses (pyproject.toml declares them), so that they cannot drift:
# ``pytest -m "not browser and not live"`` is the quick inner loop (README, "Tests").
BROWSER_FIXTURES = frozenset({"browser", "contexts"})
LIVE_FIXTURES = frozenset({"server", "live_server_factory", "pty_pair"})


def pytest_collection_modifyitems(items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.live)  # a page needs a server to load it from
        elif used & LIVE_FIXTURES:
            item.add_marker(pytest.mark.live)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Each test answers for the violations of the pages it opened, set-up included."""
    if (browser := item.config.stash.get(BROWSER, None)) is not None:
        browser.take_violations()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test fails when a page broke the Content-Security-Policy (tests/browser.py)."""
    result = yield
    if (browser := item.config.stash.get(BROWSER, None)) is not None:
        browser.check()
    return result


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def live_server_factory(request):
    servers = []

    def start(database_url, **kwargs) -> LiveServer:
        server = LiveServer(database_url, **kwargs)
        servers.append(server)
        return server

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for server in servers:
        if failed:
            # The server's side of a failed browser test; pytest shows it under the failure.
            sys.stderr.write(f"--- log of the server on port {server.port} ---\n{server.log_tail()}\n")
        server.stop()


def staff_session(base_url: str, username: str) -> requests.Session:
    http = requests.Session()
    password = {"admin": "quan-tri-demo", "supervisor": "giam-sat-demo"}.get(username, "officer-demo")
    response = http.post(f"{base_url}/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    http.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return http


def issue_over_http(base_url: str, token: str, service: str = "NM-DD") -> dict:
    """Take a number at NA-HCC the way a kiosk does; returns the ticket."""
    response = requests.post(
        f"{base_url}/api/v1/sites/NA-HCC/tickets",
        json={"service": service},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def pty_pair(tmp_path):
    """Two connected pseudo-terminals (socat): a device's end and the host's end of a cable."""
    if shutil.which("socat") is None:
        if IN_CI:
            pytest.fail("socat is required under CI (scripts/system-deps.sh installs it)")
        pytest.skip("socat not installed; run scripts/system-deps.sh")
    device, host = tmp_path / "device", tmp_path / "host"
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={device}", f"pty,raw,echo=0,link={host}"])
    for _ in range(100):
        if device.exists() and host.exists():
            break
        time.sleep(0.05)
    yield device, host
    socat.terminate()
    socat.wait(5)


@pytest.fixture(scope="session")
def browser(pytestconfig):
    """Debian's headless Chromium through Playwright, one for the whole run: a second
    Playwright in the same process would fail, so page tests of every module share this one.
    Each page reports what the Content-Security-Policy blocked, and the test fails on it."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("chromium is required under CI (scripts/system-deps.sh installs it)")
        pytest.skip("chromium is not installed; run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        from .browser import CspWatchedBrowser

        pytestconfig.stash[BROWSER] = watched = CspWatchedBrowser(browser)
        yield watched
        del pytestconfig.stash[BROWSER]
        browser.close()


@pytest.fixture
def server(app, database_url, live_server_factory):
    """A real gunicorn serving the test's database (see ``live_server_factory``)."""
    return live_server_factory(database_url)


@pytest.fixture
def contexts(browser):
    """``new(**options)`` opens a page in a new browser context (Vietnamese, Hanoi's time);
    every context is closed after the test."""
    opened = []

    def new(**options):
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()
