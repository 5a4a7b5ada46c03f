"""Security rules of issue 7: sites, forged requests, floods, passwords, cookies, personal data.

(A revoked device token refused at its very next request is in test_admin.py; an officer of a
ward refused a dossier of the province in test_dossier_pages.py.)
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from queue_server.actors import Actor
from queue_server.app import create_app
from queue_server.auth.models import DeviceToken, User
from queue_server.auth.services import device_for_token, issue_device_token, revoke_device_token
from queue_server.config import ConfigurationError
from queue_server.database import db
from queue_server.errors import ApiError
from queue_server.queueing import operations, quota
from queue_server.queueing.models import Ticket
from queue_server.sites.models import Counter, Site

from .helpers import BOTH_DATABASES, device_client, login, served, tracking_key

TICKETS = "/api/v1/sites/NA-HCC/tickets"

# What the citizen gave at intake; none of it may leave through an anonymous request.
ID_NUMBER, PHONE, ADDRESS = "040199007777", "0977123456", "Số 77 ngõ Bí Mật, phường Vinh Tân"


def error_code(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json["error"]["code"]


def test_an_officer_cannot_act_at_another_site(app):
    ward_officer = login(app.test_client(), "officer3")  # NA-TRUONGVINH only
    counters = ward_officer.get("/api/v1/sites/NA-HCC/counters").json
    counter_3 = next(c for c in counters if c["number"] == 3)
    assert error_code(ward_officer.post(f"/api/v1/counters/{counter_3['id']}/call-next"), 403) == "forbidden"
    issued = ward_officer.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert error_code(issued, 403) == "forbidden"
    intake = ward_officer.post(
        "/api/v1/dossiers", json={"site": "NA-HCC", "procedure": "1.001756", "applicant": {"name": "A"}}
    )
    assert intake.status_code == 403


def test_a_logged_in_browser_must_send_the_pages_token_to_change_anything(app):
    """A page of another site can make the officer's browser send the cookie, not the token."""
    browser = app.test_client()
    token = browser.post(
        "/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"}
    ).json["csrf_token"]
    counter = next(c for c in browser.get("/api/v1/sites/NA-HCC/counters").json if c["number"] == 3)
    pause = f"/api/v1/counters/{counter['id']}/pause"

    forged = browser.post(pause, json={"reason": "x"})
    assert error_code(forged, 400) == "csrf_failed"
    assert "Reload the page" in forged.json["error"]["message"]
    other = app.test_client()
    other_token = other.post(
        "/api/v1/auth/login", json={"username": "officer2", "password": "officer-demo"}
    ).json["csrf_token"]
    assert error_code(
        browser.post(pause, json={"reason": "x"}, headers={"X-CSRFToken": other_token}), 400
    ) == ("csrf_failed")
    state = next(c for c in browser.get("/api/v1/sites/NA-HCC/counters").json if c["number"] == 3)
    assert state["state"] != "paused"  # nothing happened

    assert browser.post(pause, json={"reason": "Họp"}, headers={"X-CSRFToken": token}).status_code == 200
    # Staff pages carry the token for their script; the console too, before anyone logs in.
    page = browser.get("/console/dossiers", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)
    assert '<meta name="csrf-token"' in app.test_client().get("/console").get_data(as_text=True)


def logged_in_without_token(app, username="officer1"):
    """A browser holding the officer's session cookie, which a page of another site can make
    it send (the token in the page it cannot read)."""
    browser = app.test_client()
    credentials = {"username": username, "password": "officer-demo"}
    assert browser.post("/api/v1/auth/login", json=credentials).status_code == 200
    return browser


def counter_3_state(app) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Counter.state)
            .join(Site, Site.id == Counter.site_id)
            .where(Site.code == "NA-HCC", Counter.number == 3)
        )


def test_no_other_authorization_header_spares_a_logged_in_browser_the_token(app):
    """An HTTP-auth proxy in front makes the browser add ``Authorization: Basic`` to every
    request, a forged one too; and anyone can write ``Bearer`` before anything."""
    browser = logged_in_without_token(app)
    with app.app_context():
        revoked, revoked_token = issue_device_token(db.session, "counter", "NA-HCC", "keypad", 3)
        revoke_device_token(revoked)
        db.session.commit()
    pause = "/api/v1/counters/3/pause"

    basic = browser.post(pause, json={"reason": "x"}, headers={"Authorization": "Basic b2ZmaWNlcjE6eA=="})
    assert error_code(basic, 400) == "csrf_failed"
    for token in ("not-a-token", "", revoked_token):
        refused = browser.post(pause, json={"reason": "x"}, headers={"Authorization": f"Bearer {token}"})
        assert error_code(refused, 401) == "invalid_token"
    assert counter_3_state(app) == "open"  # none of them was carried out


def test_a_valid_device_token_beside_a_staff_session_acts_as_the_device_only(app, kiosk_token):
    browser = logged_in_without_token(app)
    as_kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    heartbeat = {"printer": "ok", "agent_version": "1"}
    assert browser.post("/api/v1/devices/me/heartbeat", json=heartbeat, headers=as_kiosk).status_code == 204
    issued = browser.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}, headers=as_kiosk)
    assert issued.status_code == 201
    # The officer's rights do not come with it: a kiosk pauses no counter.
    paused = browser.post("/api/v1/counters/3/pause", json={"reason": "x"}, headers=as_kiosk)
    assert error_code(paused, 403) == "forbidden"
    assert counter_3_state(app) == "open"


def test_a_citizen_rates_by_tracking_key_from_any_browser_with_no_token(app, kiosk, officer):
    """The rating by tracking key acts for nobody's session: a phone that an officer also logged
    in with (or any browser) needs no page token for it."""
    ticket = served(kiosk, officer)
    staff_phone = logged_in_without_token(app, "officer2")
    rated = staff_phone.post(f"/api/v1/track/{tracking_key(ticket)}/rating", json={"level": "satisfied"})
    assert rated.status_code == 201, rated.json
    ticket = served(kiosk, officer)
    anonymous = app.test_client().post(
        f"/api/v1/track/{tracking_key(ticket)}/rating", json={"level": "satisfied"}
    )
    assert anonymous.status_code == 201, anonymous.json


def test_devices_and_citizens_need_no_token(app, kiosk, client):
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert ticket.status_code == 201  # a bearer token: no cookie for another site to abuse
    assert (
        client.post("/api/v1/auth/login", json={"username": "officer1", "password": "x"}).status_code == 401
    )


@BOTH_DATABASES
def test_a_kiosk_is_limited_per_device_and_told_when_to_try_again(app, kiosk):
    app.config["KIOSK_RATE_LIMIT"] = "3 per minute"
    presses = [str(uuid.uuid4()) for _ in range(3)]
    for press in presses:
        taken = kiosk.post(TICKETS, json={"service": "NM-DD", "client_id": press})
        assert taken.status_code == 201
    flooded = kiosk.post(TICKETS, json={"service": "NM-DD"})
    assert error_code(flooded, 429) == "too_many_requests"
    assert 0 < int(flooded.headers["Retry-After"]) <= 60
    assert "3 per 1 minute" in flooded.json["error"]["message"]
    # A resend of a press that took a number (its answer was lost) still gets that number.
    again = kiosk.post(TICKETS, json={"service": "NM-DD", "client_id": presses[-1]})
    assert again.status_code == 200 and again.json["number"] == taken.json["number"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 3  # none half-made
        _, second = issue_device_token(db.session, "kiosk", "NA-HCC", "kiosk 2")
        db.session.commit()
    assert device_client(app, second).post(TICKETS, json={"service": "NM-DD"}).status_code == 201


@BOTH_DATABASES
def test_a_members_of_staffs_numbers_are_limited_on_their_own(app, kiosk):
    app.config["KIOSK_RATE_LIMIT"] = "2 per minute"
    officer = login(app.test_client(), "officer1")
    taken = [officer.post(TICKETS, json={"service": "NM-DD"}).status_code for _ in range(3)]
    assert taken == [201, 201, 429]
    assert kiosk.post(TICKETS, json={"service": "NM-DD"}).status_code == 201  # the kiosk's count is its own


@BOTH_DATABASES
def test_a_kiosks_limit_is_counted_across_workers_on_its_own_row(app, kiosk_token):
    """Two app instances (two workers, or two servers) share the count of one kiosk's numbers:
    it is kept with the kiosk's token in the database, with no shared store of counts."""
    settings = {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "test",
        "TESTING": True,
        "SOCKETIO_MESSAGE_QUEUE": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "KIOSK_RATE_LIMIT": "3 per minute",
    }
    first, second = (device_client(create_app(settings), kiosk_token) for _ in range(2))
    taken = [(first, second)[n % 2].post(TICKETS, json={"service": "NM-DD"}).status_code for n in range(4)]
    assert taken == [201, 201, 201, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 3
        device = device_for_token(db.session, kiosk_token)
        assert device.taken_in_window == 3 and device.taken_window % 60 == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_numbers_taken_at_once_by_one_kiosk_both_count(app, kiosk_token):
    """On PostgreSQL the count is read without a lock and raised at the commit: two presses in
    flight together both read 0, and both count (the database adds, it does not overwrite)."""
    with app.app_context():
        device = device_for_token(db.session, kiosk_token)
        db.session.commit()
        sessions = [db.session.session_factory() for _ in range(2)]
        # Two services: each number takes its service's sequence row's lock until the commit.
        for session, service in zip(sessions, ["NM-DD", "TC-DT"], strict=True):
            press = operations.find_press(session, "NA-HCC", service, None, device.token_hash)
            taker = Actor(device=session.get(DeviceToken, device.id))
            assert taker.device.taken_in_window == 0
            operations.issue_ticket_once(session, press, taker, limit="3 per minute")
        for session in sessions:
            session.commit()
            session.close()
        db.session.expire_all()
        assert db.session.get(DeviceToken, device.id).taken_in_window == 2


def test_the_window_starts_again_at_the_clocks_round_time(app, kiosk_token):
    with app.app_context():
        device = device_for_token(db.session, kiosk_token)
        actor = Actor(device=device)
        start = 1_796_000_040.0  # a round minute
        quota.count_number(db.session, actor, "1 per minute", now=start + 5)
        db.session.commit()
        db.session.refresh(device)
        with pytest.raises(ApiError) as refused:
            quota.count_number(db.session, actor, "1 per minute", now=start + 59.5)
        assert refused.value.status == 429 and refused.value.details["retry_after"] == 1
        db.session.rollback()
        quota.count_number(db.session, actor, "1 per minute", now=start + 60)  # the next minute
        db.session.commit()
        db.session.refresh(device)
        assert (device.taken_window, device.taken_in_window) == (start + 60, 1)


def test_a_kiosk_limit_of_several_rates_is_refused_at_start(app):
    with pytest.raises(ConfigurationError, match="KIOSK_RATE_LIMIT"):
        create_app(
            {"DATABASE_URL": app.config["DATABASE_URL"], "KIOSK_RATE_LIMIT": "3 per minute;9 per hour"}
        )


def test_passwords_are_stored_with_a_slow_salted_hash(app):
    """(The demo's own accounts get a fast hash in the tests only, to keep the fixtures quick.)"""
    supervisor = login(app.test_client(), "supervisor")
    body = {"password": "mat-khau-dai-1", "role": "officer", "sites": ["NA-HCC"]}
    for username in ("officer7", "officer8"):
        assert supervisor.post("/api/v1/admin/users", json={**body, "username": username}).status_code == 201
    with app.app_context():
        hashes = db.session.scalars(
            select(User.password_hash).where(User.username.in_(["officer7", "officer8"]))
        ).all()
    assert hashes[0] != hashes[1]  # salted: the same password hashes apart
    for value in hashes:
        method, salt, _ = value.split("$", 2)
        name, cost, *_ = method.split(":")
        assert name == "scrypt" and int(cost) >= 2**15 and len(salt) >= 16
    login(app.test_client(), "officer7", "mat-khau-dai-1")


def test_behind_https_cookies_are_secure_and_out_of_reach_of_scripts(app):
    app.config.update(SESSION_COOKIE_SECURE=True)
    app.wsgi_app = __import__("werkzeug.middleware.proxy_fix", fromlist=["ProxyFix"]).ProxyFix(
        app.wsgi_app, x_for=1, x_proto=1, x_host=1
    )
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.113.1.7"}
    response = client.post(
        "/api/v1/auth/login", json={"username": "supervisor", "password": "giam-sat-demo"}, headers=headers
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    language = client.get("/kiosk/NA-HCC?lang=en", headers=headers).headers["Set-Cookie"]
    assert language.startswith("lang=en") and "Secure" in language and "HttpOnly" in language
    # The audit trail records the citizen's or officer's address, not nginx's.
    token = response.json["csrf_token"]
    changed = client.patch(
        "/api/v1/admin/sites/NA-HCC",
        json={"target_wait_minutes": 20},
        headers={**headers, "X-CSRFToken": token, "Referer": "https://localhost/admin/sites"},
    )
    assert changed.status_code == 200, changed.json
    trail = client.get("/api/v1/audit?site=NA-HCC&limit=5", headers=headers).json
    assert trail[0]["address"] == "203.113.1.7"


def _anonymous_urls(app, values: dict) -> list[str]:
    """Every GET route of the application, its parameters filled with real values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        try:
            urls.append(_build(rule, values))
        except KeyError:
            continue
    return urls


def _build(rule: Rule, values: dict) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), url)
    return url


def test_no_endpoint_without_login_returns_an_id_number_phone_or_address(app, kiosk):
    officer = login(app.test_client(), "officer1")
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "TKQ"}).json
    dossier = officer.post(
        "/api/v1/dossiers",
        json={
            "site": "NA-HCC",
            "procedure": "1.001756",
            "applicant": {"name": "Lê Văn Kín", "id_number": ID_NUMBER, "phone": PHONE, "address": ADDRESS},
            "delivery": "post",
            "delivery_address": ADDRESS,
        },
    ).json
    assert officer.get(f"/api/v1/dossiers/{dossier['code']}").json["applicant"]["phone"] == PHONE  # staff do
    with app.app_context():
        row = db.session.get(Ticket, ticket["id"])
        token = row.public_token
    key = dossier["tracking_url"].rsplit("/", 1)[1]
    values = {
        "site_code": "NA-HCC",
        "code": dossier["code"],
        "key": key,
        "token": token,
        "ticket_id": ticket["id"],
        "number": 3,
        "counter_number": 3,
        "counter_id": 3,
        "filename": "x",
        "path": "x",
        "package": "socket.io-client",
        "lang": "vi",
        "fmt": "pdf",
    }
    urls = _anonymous_urls(app, values)
    assert "/api/v1/dossiers/{code}".replace("{code}", dossier["code"]) in urls and f"/d/{key}" in urls
    stranger = app.test_client()
    seen = {}
    for url in urls:
        response = stranger.get(url, headers={"Accept": "text/html, application/json"})
        assert response.status_code < 500, url
        body = (
            response.get_data(as_text=True)
            if response.mimetype.startswith(("text/", "application/json"))
            else ""
        )
        seen[url] = response.status_code
        for secret in (ID_NUMBER, PHONE, ADDRESS, "Bí Mật"):
            assert secret not in body, (url, secret)
    assert seen[f"/d/{key}"] == 200 and seen[f"/t/{token}"] == 200  # the public pages do answer
    print(f"{len(seen)} addresses asked anonymously: {sorted(set(seen.values()))}")


def test_a_page_of_another_site_cannot_open_the_live_socket(app, database_url, live_server_factory):
    """Browsers send the page's Origin with a WebSocket; only this server's own pages get one."""
    import websocket

    server = live_server_factory(database_url)
    address = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    own = websocket.create_connection(address, origin=server.url, timeout=10)
    try:
        assert own.recv().startswith("0{")  # Engine.IO's open packet
    finally:
        own.close()
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(address, origin="http://evil.example", timeout=10)


def test_create_user_asks_for_the_password_instead_of_taking_it_on_the_command_line(app):
    runner = app.test_cli_runner()
    command = ["create-user", "--username", "lan3", "--role", "officer", "--site", "NA-HCC"]
    mismatch = runner.invoke(args=command, input="mat-khau-dai-3\nsomething-else\n" * 3)
    assert mismatch.exit_code != 0 and "mat-khau-dai-3" not in mismatch.output
    result = runner.invoke(args=command, input="mat-khau-dai-3\nmat-khau-dai-3\n")
    assert result.exit_code == 0, result.output
    assert "Created officer lan3" in result.output and "mat-khau-dai-3" not in result.output
    login(app.test_client(), "lan3", "mat-khau-dai-3")


def test_every_kind_of_device_token_can_be_issued_from_the_command_line(app):
    """The README's rating tablet included (the command used to refuse --kind rating)."""
    runner = app.test_cli_runner()
    rating = runner.invoke(
        args=["create-device-token", "--kind", "rating", "--site", "NA-HCC", "--counter", "3"]
    )
    assert rating.exit_code == 0, rating.output
    token = rating.output.strip().splitlines()[-1]
    assert token.startswith("rating_")
    with app.app_context():
        device = device_for_token(db.session, token)
        assert (device.kind, db.session.get(Counter, device.counter_id).number) == ("rating", 3)
    refused = runner.invoke(args=["create-device-token", "--kind", "rating", "--site", "NA-HCC"])
    assert refused.exit_code != 0 and "name their counter" in refused.output
