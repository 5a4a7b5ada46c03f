"""Issue 16, secrets and sessions, login abuse: the secret key, staff sessions and their end,
passwords, demo accounts in production, failed logins, and their audit trail."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
import requests
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from bench.harness import Gunicorn, ServerExited
from queue_server import config
from queue_server.app import create_app
from queue_server.audit.models import AuditEntry
from queue_server.auth import sessions as staff_sessions
from queue_server.auth.models import User, UserSession
from queue_server.auth.services import check_password
from queue_server.config import ConfigurationError
from queue_server.database import db, utcnow
from queue_server.demo import USERS
from queue_server.errors import ApiError
from queue_server.queueing.models import Ticket
from queue_server.sites.models import Site

from .browser import check_accessibility, screenshot
from .helpers import (
    BOTH_DATABASES,
    ROOT,
    error_of,
    issue,
    login,
    staff,
    staff_session,
    statements_sent,
)

STRONG_KEY = "k" * 64


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replayed(app, cookie: str):
    """Another browser (or an attacker) presenting a copy of a session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def events(app, name: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == name).order_by(AuditEntry.id)
        ).all()
        return entries


# -- the secret key ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "CHANGE-ME", "short-key-of-31-bytes-000000000"])
def test_production_refuses_to_start_without_a_real_secret_key(key, database_url):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "QUEUE_ENV": "production", "SECRET_KEY": key})
    assert create_app({"DATABASE_URL": database_url, "QUEUE_ENV": "production", "SECRET_KEY": STRONG_KEY})
    db.engine.dispose()


@pytest.mark.live  # starts gunicorn itself
def test_the_flask_command_and_gunicorn_exit_with_the_placeholder_key_in_production(database_url):
    settings = {"DATABASE_URL": database_url, "QUEUE_ENV": "production", "SECRET_KEY": "CHANGE-ME"}
    command = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "current"],
        cwd=ROOT,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert command.returncode != 0 and "SECRET_KEY is still the example's CHANGE-ME" in command.stderr
    with pytest.raises(ServerExited) as server:
        Gunicorn(settings, workers=2, ready_seconds=60)
    assert server.value.returncode != 0 and "CHANGE-ME" in server.value.log


def test_secure_cookies_mean_production_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("QUEUE_ENV", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert config.from_env()["QUEUE_ENV"] == "development"
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert config.from_env()["QUEUE_ENV"] == "production"
    monkeypatch.setenv("QUEUE_ENV", "development")  # a trial server behind HTTPS
    assert config.from_env()["QUEUE_ENV"] == "development"


def test_without_a_secret_key_one_is_made_once_in_the_instance_folder(tmp_path):
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(config.secret_key(tmp_path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind
    assert config.secret_key(tmp_path) == keys[0]


@pytest.mark.live  # starts gunicorn itself
def test_two_gunicorn_workers_without_a_secret_key_accept_the_same_session(app, database_url, tmp_path):
    """``make run`` sets nothing: each worker builds its own app, and with a key of its own
    each refused the cookies of the others, and of the workers before a restart."""
    unset = dict.fromkeys(("SECRET_KEY", "QUEUE_ENV", "SESSION_COOKIE_SECURE", "SOCKETIO_MESSAGE_QUEUE"))
    settings = {**unset, "DATABASE_URL": database_url, "INSTANCE_DIR": str(tmp_path), "LOG_LEVEL": "warning"}
    server = Gunicorn(settings, workers=2)
    url = server.url

    def statuses(cookie):
        return [
            # A new connection each time, which either worker may take.
            requests.get(
                f"{url}/api/v1/auth/me",
                cookies={"session": cookie},
                headers={"Connection": "close"},
                timeout=10,
            ).status_code
            for _ in range(20)
        ]

    try:
        first = server.wait_for_workers()
        response = requests.post(
            f"{url}/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"}, timeout=10
        )
        assert response.status_code == 200
        cookie = response.cookies["session"]
        assert statuses(cookie) == [200] * 20
        for pid in first:  # both workers end; gunicorn starts two new ones
            os.kill(pid, signal.SIGTERM)
        server.wait_for_workers(other_than=first)
        assert statuses(cookie) == [200] * 20
        assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    finally:
        server.stop()


# -- sessions ------------------------------------------------------------------------------------


def test_logging_out_ends_every_session_of_the_account_and_a_copied_cookie_with_it(app):
    console = login(app.test_client(), "officer1")
    forgotten = login(app.test_client(), "officer1")  # on another counter's PC
    copy = cookie_of(console)
    assert replayed(app, copy).get("/api/v1/auth/me").status_code == 200
    assert console.post("/api/v1/auth/logout").status_code == 204

    refused = replayed(app, copy).get("/api/v1/auth/me")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "login_required"
    assert forgotten.get("/api/v1/auth/me").status_code == 401
    page = replayed(app, copy).get("/console/dossiers?site=NA-HCC", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/console?next=")
    assert login(app.test_client(), "officer1").get("/api/v1/auth/me").status_code == 200  # logs in again


@pytest.mark.parametrize(
    "change",
    [
        ("post", "/password", {"password": "cay-bang-trong-san-2026"}, "password_reset"),
        ("patch", "", {"role": "supervisor"}, "role_changed"),
        ("patch", "", {"sites": ["NA-HCC", "NA-TRUONGVINH"]}, "sites_changed"),
        ("patch", "", {"active": False}, "deactivated"),
    ],
    ids=["password reset", "role", "sites", "deactivation"],
)
def test_an_admins_change_to_an_account_ends_its_sessions_at_once(app, change):
    method, path, body, reason = change
    admin = login(app.test_client(), "admin")
    officer = login(app.test_client(), "officer2")
    copy = cookie_of(officer)
    renamed = admin.patch(
        f"/api/v1/admin/users/{user_id(app, 'officer2')}", json={"full_name": "Lê Thị Mai (B)"}
    )
    assert (
        renamed.status_code == 200 and officer.get("/api/v1/auth/me").status_code == 200
    )  # a name is harmless

    changed = getattr(admin, method)(f"/api/v1/admin/users/{user_id(app, 'officer2')}{path}", json=body)
    assert changed.status_code in (200, 204), changed.get_data(as_text=True)
    assert officer.get("/api/v1/auth/me").status_code == 401
    assert replayed(app, copy).get("/api/v1/auth/me").status_code == 401
    ended = events(app, "sessions_ended")[-1]
    assert ended.details == {"subject": "officer2", "reason": reason, "sessions": 1}
    assert ended.actor_name == "Quản trị hệ thống"


def test_a_member_of_staff_changes_their_password_and_their_other_sessions_end(app):
    here = login(app.test_client(), "officer1")
    elsewhere = login(app.test_client(), "officer1")
    wrong = here.post(
        "/api/v1/auth/password", json={"current_password": "not-it", "new_password": "cay-bang-trong-san"}
    )
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "wrong_password"
    assert wrong.json["error"]["field"] == "current_password"
    weak = here.post(
        "/api/v1/auth/password", json={"current_password": "officer-demo", "new_password": "123456789012"}
    )
    assert weak.status_code == 400 and weak.json["error"]["code"] == "password_common"
    assert weak.json["error"]["field"] == "new_password"
    same = here.post(
        "/api/v1/auth/password", json={"current_password": "officer-demo", "new_password": "officer-demo"}
    )
    assert same.json["error"]["code"] == "password_reused"

    changed = here.post(
        "/api/v1/auth/password",
        json={"current_password": "officer-demo", "new_password": "cay-bang-trong-san"},
    )
    assert changed.status_code == 204
    assert here.get("/api/v1/auth/me").status_code == 200  # the session it was made in goes on
    assert elsewhere.get("/api/v1/auth/me").status_code == 401
    assert (
        app.test_client()
        .post("/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"})
        .status_code
        == 401
    )
    login(app.test_client(), "officer1", "cay-bang-trong-san")


def test_sessions_end_after_idle_time_and_after_their_lifetime(app):
    idle = login(app.test_client(), "officer1")
    old = login(app.test_client(), "officer2")
    active = login(app.test_client(), "supervisor")
    now = utcnow()
    with app.app_context():
        sessions = {s.user.username: s.id for s in db.session.scalars(select(UserSession)).all()}
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == sessions["officer1"])
            .values(last_seen_at=now - timedelta(minutes=61))
        )
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == sessions["officer2"])
            .values(created_at=now - timedelta(hours=12, minutes=1), last_seen_at=now)
        )
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == sessions["supervisor"])
            .values(last_seen_at=now - timedelta(minutes=5))
        )
        db.session.commit()

    assert idle.get("/api/v1/auth/me").status_code == 401
    assert old.get("/api/v1/auth/me").status_code == 401
    assert active.get("/api/v1/admin/users").status_code == 200  # a read keeps it alive...
    with app.app_context():
        rows = {row.id: row for row in db.session.scalars(select(UserSession)).all()}
        assert rows[sessions["officer1"]].end_reason == "idle" and rows[sessions["officer1"]].ended_at
        assert rows[sessions["officer2"]].end_reason == "lifetime"
        assert rows[sessions["supervisor"]].ended_at is None
    assert active.get("/api/v1/auth/me").status_code == 200
    with app.app_context():
        seen = db.session.get(UserSession, sessions["supervisor"]).last_seen_at
        assert utcnow() - seen < timedelta(seconds=30)  # ...written although nothing was committed


def test_a_login_starts_a_new_session_and_the_token_from_before_it_is_worthless(app):
    browser = app.test_client()
    page = browser.get("/console").get_data(as_text=True)
    before = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    planted = cookie_of(browser)  # e.g. set in a shared PC's browser by someone else
    response = browser.post("/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"})
    after = response.json["csrf_token"]
    assert cookie_of(browser) != planted and after != before
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer.loads(planted)["csrf_token"] != serializer.loads(cookie_of(browser))["csrf_token"]
    assert replayed(app, planted).get("/api/v1/auth/me").status_code == 401

    counter = next(c for c in browser.get("/api/v1/sites/NA-HCC/counters").json if c["number"] == 3)
    pause = f"/api/v1/counters/{counter['id']}/pause"
    stale = browser.post(pause, json={"reason": "Họp"}, headers={"X-CSRFToken": before})
    assert stale.status_code == 400 and stale.json["error"]["code"] == "csrf_failed"
    assert browser.post(pause, json={"reason": "Họp"}, headers={"X-CSRFToken": after}).status_code == 200


def test_a_remember_me_cookie_opens_no_session(app):
    """The product never issues one; one made with the key is still refused."""
    with app.test_request_context():
        forged = encode_cookie(str(user_id(app, "admin")))
    client = app.test_client()
    client.set_cookie("remember_token", forged)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/admin/users").status_code == 401


def _me_with_statements(client) -> tuple:
    """``GET /api/v1/auth/me`` and the SQL it sent."""
    with statements_sent(db.engine) as sent:
        return client.get("/api/v1/auth/me"), [statement for statement, _ in sent]


def test_a_staff_request_reads_its_session_and_user_in_one_statement(app):
    me, statements = _me_with_statements(login(app.test_client(), "officer1"))
    assert me.status_code == 200
    assert len(statements) == 1 and "user_sessions" in statements[0] and "user_sites" in statements[0]


def test_an_account_of_several_sites_is_loaded_with_them_all(app):
    """The loader reads the account's sites as rows of its one statement (a row each): every
    site comes back, the same as the ORM reads them, and none is read again at first use."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "officer2"))
        user.sites = db.session.scalars(select(Site).order_by(Site.code).limit(3)).all()
        expected = sorted(site.code for site in user.sites)
        db.session.commit()
    me, statements = _me_with_statements(login(app.test_client(), "officer2"))
    assert me.status_code == 200 and me.get_json()["sites"] == expected and len(expected) == 3
    assert len(statements) == 1, statements


def _waiting_ticket(app, kiosk) -> int:
    """A ticket waiting for NA-HCC's counter 3, staffed by officer1; its id."""
    with app.app_context():
        staff(db.session, [3])
    return issue(kiosk)["id"]


@BOTH_DATABASES
def test_an_officers_call_reads_the_session_with_the_counters_lock(app, kiosk):
    """The statement that locks the counter reads the officer's session, account and sites too,
    and the user loader reads nothing more: on PostgreSQL a round trip less for every call."""
    ticket_id = _waiting_ticket(app, kiosk)
    officer = login(app.test_client(), "officer1")
    with statements_sent(db.engine) as sent:
        called = officer.post("/api/v1/counters/3/call-next")
    assert called.status_code == 200 and called.json["ticket"]["id"] == ticket_id
    reading = [statement for statement, _ in sent if "user_sessions" in statement]
    assert len(reading) == 1 and "counters" in reading[0] and "user_sites" in reading[0], reading
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE OF counters" in reading[0]


@BOTH_DATABASES
def test_a_call_with_an_ended_or_idle_session_is_refused_and_changes_nothing(app, kiosk):
    """The rules of the user loader hold for the session read with the counter's lock: a logged
    out copy of the cookie and a session idle too long get 401, the idle one is ended, and the
    waiting ticket stays waiting. An officer of another site's session, read the same way, is
    refused too (403)."""
    ticket_id = _waiting_ticket(app, kiosk)
    officer = login(app.test_client(), "officer1")
    copy = replayed(app, cookie_of(officer))
    copy.environ_base["HTTP_X_CSRFTOKEN"] = officer.environ_base["HTTP_X_CSRFTOKEN"]  # as its page would
    assert officer.post("/api/v1/auth/logout").status_code == 204
    assert error_of(copy.post("/api/v1/counters/3/call-next"), 401) == "login_required"

    idle = login(app.test_client(), "officer1")
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(minutes=61))
        )
        db.session.commit()
    assert error_of(idle.post("/api/v1/counters/3/call-next"), 401) == "login_required"

    elsewhere = login(app.test_client(), "officer3")  # NA-TRUONGVINH only
    assert error_of(elsewhere.post("/api/v1/counters/3/call-next"), 403) == "forbidden"
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).status == "waiting"
        reasons = db.session.scalars(select(UserSession.end_reason).order_by(UserSession.id)).all()
        assert reasons[-3:] == ["logout", "idle", None]


def test_rows_read_for_another_session_are_not_taken_for_this_one(app):
    """The loader takes rows a view read only for the token they were read for."""
    with app.test_request_context():
        staff_sessions.read_with("hash-of-another-token", [("row",)])
        assert staff_sessions._rows_read("hash-of-this-token") is None
        staff_sessions.read_with("hash-of-this-token", [("row",), (None,)])
        assert staff_sessions._rows_read("hash-of-this-token") == [("row",)]  # no session: NULLs
        assert staff_sessions._rows_read("hash-of-this-token") is None  # taken once


# -- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [
        ("ngan-qua", "password_too_short"),
        ("password1234", "password_common"),
        ("123456789012", "password_common"),
        ("qwertyuiop12", "password_common"),
        ("aaaaaaaaaaaaaaaa", "password_common"),
        ("officer7", "password_too_short"),
        ("Officer7-o-cua-so-3", "password_like_username"),
        ("officer7officer7", "password_like_username"),
    ],
)
def test_the_password_policy_refuses_short_common_and_username_like_passwords(password, code):
    with pytest.raises(ApiError) as refused:
        check_password(password, "officer7")
    assert refused.value.code == code and refused.value.details == {"field": "password"}
    check_password("cay-bang-trong-san", "officer7")


def test_every_demo_password_meets_the_policy():
    for username, password, *_ in USERS:
        check_password(password, username)


def test_the_command_line_and_the_admin_api_apply_the_same_policy(app):
    runner = app.test_cli_runner()
    common = runner.invoke(
        args=["create-user", "--username", "lan5", "--role", "officer", "--site", "NA-HCC"],
        input="password1234\npassword1234\n",
    )
    assert common.exit_code != 0 and "too common" in common.output
    admin = login(app.test_client(), "admin")
    body = {"username": "lan5", "role": "officer", "sites": ["NA-HCC"]}
    refused = admin.post("/api/v1/admin/users", json={**body, "password": "lan5-lan5-lan5"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "password_like_username"
    assert refused.json["error"]["field"] == "password"
    created = admin.post("/api/v1/admin/users", json={**body, "password": "hoa-sen-no-giua-dam"})
    assert created.status_code == 201 and created.json["must_change_password"] is True
    reset = admin.post(f"/api/v1/admin/users/{created.json['id']}/password", json={"password": "short"})
    assert reset.json["error"]["code"] == "password_too_short"

    officer = login(app.test_client(), "officer1")
    short = runner.invoke(args=["set-password", "--username", "officer1"], input="ngan\nngan\n")
    assert short.exit_code != 0 and "12 characters" in short.output
    done = runner.invoke(args=["set-password", "--username", "officer1"], input="mua-xuan-tren-song\n" * 2)
    assert done.exit_code == 0, done.output
    assert officer.get("/api/v1/auth/me").status_code == 401
    login(app.test_client(), "officer1", "mua-xuan-tren-song")


def test_after_an_admins_reset_the_session_may_only_change_the_password(app):
    admin = login(app.test_client(), "admin")
    officer_id = user_id(app, "officer1")
    admin.post(f"/api/v1/admin/users/{officer_id}/password", json={"password": "tam-thoi-cho-lan-dau"})
    officer = login(app.test_client(), "officer1", "tam-thoi-cho-lan-dau")
    assert officer.get("/api/v1/auth/me").json["must_change_password"] is True
    counters = officer.get("/api/v1/sites/NA-HCC/counters").json  # public: as to anyone
    refused = officer.post(f"/api/v1/counters/{counters[0]['id']}/call-next")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "password_change_required"
    page = officer.get("/console/dossiers?site=NA-HCC", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/console/password?next=")
    assert officer.get("/console/password", headers={"Accept": "text/html"}).status_code == 200

    changed = officer.post(
        "/api/v1/auth/password",
        json={"current_password": "tam-thoi-cho-lan-dau", "new_password": "cay-bang-trong-san"},
    )
    assert changed.status_code == 204
    assert officer.get("/api/v1/auth/me").json["must_change_password"] is False
    assert officer.get("/console/dossiers?site=NA-HCC", headers={"Accept": "text/html"}).status_code == 200


# -- demo accounts in production -----------------------------------------------------------------


@pytest.fixture
def production_app(database_url):
    """An empty database served under production settings."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "QUEUE_ENV": "production",
            "SECRET_KEY": STRONG_KEY,
            "TESTING": True,
            "SOCKETIO_MESSAGE_QUEUE": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield app
    db.session.remove()
    db.engine.dispose()


def test_in_production_the_demo_loads_only_when_told_and_its_accounts_must_change_passwords(production_app):
    runner = production_app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "--allow-production" in refused.output
    with production_app.app_context():
        assert db.session.scalar(select(User.id)) is None
    loaded = runner.invoke(args=["seed-demo", "--allow-production"])
    assert loaded.exit_code == 0, loaded.output
    with production_app.app_context():
        assert all(db.session.scalars(select(User.must_change_password)).all())

    admin = login(production_app.test_client(), "admin", "quan-tri-demo")
    refused = admin.get("/api/v1/admin/users")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "password_change_required"
    page = admin.get("/admin?site=NA-HCC", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/console/password")
    changed = admin.post(
        "/api/v1/auth/password",
        json={"current_password": "quan-tri-demo", "new_password": "mot-cua-that-su-2027"},
    )
    assert changed.status_code == 204
    assert admin.get("/api/v1/admin/users").status_code == 200


# -- failed logins -------------------------------------------------------------------------------


def wrong_login(client, username="officer2", address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": "khong-phai-mat-khau"},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def redis_apps(app, redis_url):
    """Two app instances (two workers, or two servers) sharing the real Redis, with a short lock."""
    channel = f"login-test-{uuid.uuid4().hex}"
    settings = {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "test",
        "TESTING": True,
        "SOCKETIO_MESSAGE_QUEUE": None,
        "SOCKETIO_CHANNEL": channel,  # this test's counts only
        "RATELIMIT_STORAGE_URI": redis_url,
        "LOGIN_LOCK_SECONDS": 6,
    }
    return create_app(settings), create_app(settings)


def test_twenty_wrong_passwords_lock_the_account_across_workers_until_the_lock_ends(app, redis_apps):
    first, second = (worker.test_client() for worker in redis_apps)
    statuses = [wrong_login((first, second)[n % 2]).status_code for n in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}  # backoff, then the lock

    for client in (first, second):  # the right password, on either worker: still refused
        locked = client.post("/api/v1/auth/login", json={"username": "officer2", "password": "officer-demo"})
        assert locked.status_code == 429 and locked.json["error"]["code"] == "login_locked"
        assert 1 <= int(locked.headers["Retry-After"]) <= 6
        assert locked.json["error"]["retry_after"] == int(locked.headers["Retry-After"])
    # A colleague behind the same address still gets in: an address may fail more often.
    login(first, "officer1")
    (lock,) = events(app, "login_locked")
    assert lock.details == {"subject": "officer2", "scope": "username", "failures": 20, "seconds": 6}

    time.sleep(int(locked.headers["Retry-After"]) + 0.5)
    login(second, "officer2")  # the lock has ended: the real user gets in


def test_an_admins_reset_lifts_the_lock_of_a_locked_out_officer(app):
    """Locked out at the start of the day, an officer gets in with the password the admin gives
    at once: guesses at the old one no longer matter. The officer's own wrong guesses after
    that count again."""
    app.config["LOGIN_LOCK_AFTER"] = 4
    from queue_server.auth import throttle

    throttle.init_app(app)
    client = app.test_client()
    statuses = [wrong_login(client, "officer2").status_code for _ in range(4)]
    assert statuses[-1] == 429
    right = {"username": "officer2", "password": "officer-demo"}
    assert client.post("/api/v1/auth/login", json=right).status_code == 429

    admin = login(app.test_client(), "admin")
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "officer2"))
    new = "hoa-phuong-do-2026"
    assert admin.post(f"/api/v1/admin/users/{officer.id}/password", json={"password": new}).status_code == 204
    again = client.post("/api/v1/auth/login", json={"username": "officer2", "password": new})
    assert again.status_code == 200


def test_an_address_is_locked_after_more_failures_than_a_username(app):
    app.config["LOGIN_ADDRESS_LOCK_AFTER"] = 8
    from queue_server.auth import throttle

    throttle.init_app(app)
    client = app.test_client()
    statuses = [wrong_login(client, f"nobody{n}", "10.0.0.9").status_code for n in range(8)]
    assert statuses[:2] == [401, 401] and statuses[-1] == 429
    right = {"username": "officer1", "password": "officer-demo"}
    from_there = client.post("/api/v1/auth/login", json=right, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert from_there.status_code == 429 and from_there.json["error"]["code"] == "login_locked"
    assert (
        client.post("/api/v1/auth/login", json=right, environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code
        == 200
    )
    (lock,) = events(app, "login_locked")
    assert lock.details["scope"] == "address" and lock.details["subject"] == "10.0.0.9"


def test_without_redis_each_process_still_counts_failed_logins(app):
    app.config.update(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", LOGIN_LOCK_AFTER=4)
    from queue_server.auth import throttle

    throttle.init_app(app)
    client = app.test_client()
    # Each attempt counts, refused while waiting (429) or tried (401): which, depends on whether
    # the next came within the first backoff's second, which a busy machine may not keep.
    statuses = [wrong_login(client).status_code for _ in range(4)]
    assert statuses[0] == 401 and set(statuses) <= {401, 429}
    locked = client.post("/api/v1/auth/login", json={"username": "officer2", "password": "officer-demo"})
    assert locked.status_code == 429
    login(client, "officer1")


def test_logins_failures_locks_and_logouts_are_in_the_audit_trail_without_passwords(app):
    agent = {"User-Agent": "Chromium quầy 3"}
    client = app.test_client()
    failed = client.post(
        "/api/v1/auth/login",
        json={"username": "officer1", "password": "mat-khau-sai-XYZ"},
        headers=agent,
        environ_base={"REMOTE_ADDR": "10.1.1.1"},
    )
    assert failed.status_code == 401
    client.post("/api/v1/auth/login", json={"username": "x" * 80, "password": "bi-mat-2"})
    (entry, unknown) = events(app, "login_failed")  # committed although the requests failed
    assert entry.details == {"subject": "officer1", "reason": "wrong_password"}
    assert (entry.address, entry.user_agent, entry.actor_name) == (
        "10.1.1.1",
        "Chromium quầy 3",
        "Trần Văn Hùng",
    )
    assert entry.site_id is not None  # the site's supervisors find it
    assert unknown.details == {"subject": "x" * 80, "reason": "unknown_user"} and unknown.user_id is None
    with app.app_context():
        everything = str([(e.details, e.changes, e.action) for e in db.session.scalars(select(AuditEntry))])
    assert "mat-khau-sai-XYZ" not in everything and "bi-mat-2" not in everything

    client.post(
        "/api/v1/auth/login",
        json={"username": "officer1", "password": "officer-demo"},
        headers=agent,
        environ_base={"REMOTE_ADDR": "10.1.1.2"},
    )
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get("/api/v1/auth/me").json["csrf_token"]
    client.post("/api/v1/auth/logout", headers=agent, environ_base={"REMOTE_ADDR": "10.1.1.2"})
    (logged_in,) = events(app, "login")
    (logged_out,) = events(app, "logout")
    for entry in (logged_in, logged_out):
        assert (entry.address, entry.user_agent, entry.actor_name) == (
            "10.1.1.2",
            "Chromium quầy 3",
            "Trần Văn Hùng",
        )
    assert logged_out.details == {"subject": "officer1", "sessions": 1}
    supervisor = login(app.test_client(), "supervisor")
    found = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit&q=officer1").json
    assert {"login", "logout", "login_failed"} <= {row["event"] for row in found}


# -- the pages -----------------------------------------------------------------------------------


def test_an_officer_with_a_reset_password_chooses_their_own_and_a_locked_login_says_how_long(
    app, database_url, live_server_factory, contexts
):
    server = live_server_factory(database_url)
    supervisor = staff_session(server.url, "supervisor")
    officer_id = next(
        u["id"]
        for u in supervisor.get(f"{server.url}/api/v1/admin/users").json()
        if u["username"] == "officer2"
    )
    reset = supervisor.post(
        f"{server.url}/api/v1/admin/users/{officer_id}/password", json={"password": "tam-thoi-cho-lan-dau"}
    )
    assert reset.status_code == 204

    page = contexts(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/console")
    page.fill("#username", "officer2")
    page.fill("#password", "tam-thoi-cho-lan-dau")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/password"))
    assert "Mật khẩu của bạn do người khác đặt" in page.inner_text("body")
    page.fill("#current-password", "tam-thoi-cho-lan-dau")
    page.fill("#new-password", "officer2-o-quay-9")
    page.fill("#repeat-password", "khac-han-hoan-toan")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    assert page.inner_text("#message") == "Hai mật khẩu mới không khớp nhau."
    page.fill("#new-password", "officer2-o-quay-9")
    page.fill("#repeat-password", "officer2-o-quay-9")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.wait_for_function("() => document.getElementById('message').textContent.includes('tên đăng nhập')")
    assert page.inner_text("#message") == "Mật khẩu không được chứa tên đăng nhập."
    screenshot(page, "change-password")
    check_accessibility(page)
    page.fill("#new-password", "hoa-phuong-do-san-truong")
    page.fill("#repeat-password", "hoa-phuong-do-san-truong")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.wait_for_selector("#notice:not([hidden])")
    page.wait_for_url(f"{server.url}/console")
    page.wait_for_selector("#step-choose:not([hidden])")

    page.goto(f"{server.url}/console/dossiers?site=NA-HCC")  # the staff pages' header leads there
    page.get_by_role("link", name="Đổi mật khẩu").click()
    page.wait_for_url(re.compile(r"/console/password\?next=/console/dossiers"))

    for _ in range(20):
        requests.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "officer3", "password": "doan-bua-thoi"},
            timeout=10,
        )
    other = contexts(viewport={"width": 1280, "height": 900})
    other.goto(f"{server.url}/console")
    other.fill("#username", "officer3")
    other.fill("#password", "officer-demo")
    other.click("#login-form button[type=submit]")
    other.wait_for_selector("#message:not([hidden])")
    assert other.inner_text("#message") == "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
