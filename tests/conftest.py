"""The fixtures every test module may use: databases (SQLite and PostgreSQL), the app, logins,
devices, live servers (``bench/harness.py``), the browser; and the hooks that mark the tests.
Plain helpers are in helpers.py: a test module imports from no other test module.

PostgreSQL and Redis are real servers started by ``scripts/test-services.sh`` (``.ci/run`` does
it). Their addresses come from TEST_POSTGRES_URL and TEST_REDIS_URL; tests that need them are
skipped when they cannot be reached, except under CI, where that is a failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.harness import Gunicorn
from queue_server import cache, demo
from queue_server.app import create_app
from queue_server.database import db
from queue_server.demo import load_demo

from .helpers import (
    IN_CI,
    SmtpRecorder,
    device_client,
    device_token,
    live_server,
    login,
    migrate,
    own_postgres_database,
    truncate_postgres,
    unavailable,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """The migrated PostgreSQL database of this run (see :func:`own_postgres_database`)."""
    with own_postgres_database() as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        unavailable("Redis", error)
    return REDIS_URL


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated, empty database. Parametrize with "postgresql" to use PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
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
            "LIVE_NOTICE_SECONDS": 0,
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


@pytest.fixture
def officer(app):
    return login(app.test_client(), "officer1")


@pytest.fixture
def kiosk_token(app) -> str:
    return device_token(app, "kiosk", "NA-HCC", "test kiosk")


@pytest.fixture
def kiosk(app, kiosk_token):
    return device_client(app, kiosk_token)


@pytest.fixture
def post_office(app):
    """The post office of Vinh (NA-BC-VINH), as its client sends requests."""
    return device_client(app, device_token(app, "postal", "NA-BC-VINH", "quầy bưu cục"))


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

    def start(database_url, **kwargs) -> Gunicorn:
        server = live_server(database_url, **kwargs)
        servers.append(server)
        return server

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for server in servers:
        if failed:
            # The server's side of a failed browser test; pytest shows it under the failure.
            sys.stderr.write(f"--- log of the server on port {server.port} ---\n{server.log_tail()}\n")
        server.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port, recording what it accepts, that a
    test may stop and start again (see :class:`~.helpers.SmtpRecorder`)."""
    server = SmtpRecorder()
    server.start()
    yield server
    server.stop()


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
    try:
        socat.wait(5)
    except subprocess.TimeoutExpired:  # a busy machine: SIGTERM not handled yet
        socat.kill()
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
