"""Web Push from the tracking pages: the server's VAPID key, the channel against a real local
push endpoint that decrypts what it receives (as the browser's push service and the browser
would), the tracking pages' subscription API, and the page in Chromium."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import update

from bench.harness import free_port
from queue_server import config
from queue_server.database import db
from queue_server.errors import ApiError
from queue_server.notify import vapid
from queue_server.notify.channels import CHANNELS
from queue_server.notify.channels.base import Message, PermanentFailure, TemporaryFailure
from queue_server.notify.channels.webpush import WebPushChannel, check_subscription, topic
from queue_server.notify.models import SiteChannel, Subscription
from queue_server.tracking.views import notify_offer

from .browser import PHONE, assert_fits, check_accessibility, screenshot
from .helpers import BOTH_DATABASES, enable_channels, error_of, intake, issue, site, tracking_key
from .push_server import BrowserKeys, PushService, b64, unb64

SERVER_KEY = vapid._new_key()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


def channel(**overrides) -> WebPushChannel:
    settings = {**config.from_env(), "VAPID_PRIVATE_KEY": SERVER_KEY, "NOTIFY_PUSH_ALLOW_LOCAL": True}
    return WebPushChannel({}, None, {**settings, **overrides})


def message(endpoint: str, keys: dict, **fields) -> Message:
    values = {
        "key": "ticket.called:12:3",
        "channel": "webpush",
        "event": "ticket.called",
        "recipient": endpoint,
        "body": "Mời ông/bà đến quầy số 3",
        "subject": "Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
        "params": {"link": "https://hcc.example.vn/t/abc"},
        "keys": keys,
        **fields,
    }
    return Message(**values)


def check_vapid(headers: dict, endpoint: str) -> dict:
    """The VAPID token's claims, once its signature is checked with the key it names, which
    must be the server's (RFC 8292: ``Authorization: vapid t=<JWT>, k=<public key>``)."""
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    assert parts["k"] == vapid.application_server_key(SERVER_KEY)
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    decoded = json.loads(unb64(claims))
    origin = urlsplit(endpoint)
    assert decoded["aud"] == f"{origin.scheme}://{origin.netloc}"
    assert time.time() < decoded["exp"] <= time.time() + 24 * 3600  # RFC 8292: at most a day
    assert decoded["sub"].startswith(("mailto:", "https:"))
    return decoded


# -- the channel ---------------------------------------------------------------------------------


def test_the_webpush_channel_is_registered_by_its_name():
    assert CHANNELS["webpush"] is WebPushChannel


def test_a_called_ticket_reaches_the_browser_encrypted_signed_and_urgent(push_service):
    browser = BrowserKeys()
    endpoint = push_service.endpoint("phone-1")
    receipt = channel().send(message(endpoint, browser.keys))

    [request] = push_service.received
    assert request["path"] == "/push/phone-1"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert browser.decrypt(request["body"]) == {
        "title": "Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
        "body": "Mời ông/bà đến quầy số 3",
        "url": "https://hcc.example.vn/t/abc",
        "tag": "https://hcc.example.vn/t/abc",
    }
    check_vapid(request["headers"], endpoint)
    assert request["headers"]["urgency"] == "high"
    assert request["headers"]["ttl"] == "1800"  # a ticket's message is about the next minutes
    assert receipt.provider_ref == "/messages/1"
    # Another browser's keys cannot read it.
    with pytest.raises(Exception):  # noqa: B017 (http_ece raises cryptography's InvalidTag)
        BrowserKeys().decrypt(request["body"])


def test_a_retry_carries_the_same_topic_so_the_service_replaces_its_copy(push_service):
    browser = BrowserKeys()
    endpoint = push_service.endpoint("phone-2")
    push = channel()
    push.send(message(endpoint, browser.keys))
    push.send(message(endpoint, browser.keys))
    push.send(message(endpoint, browser.keys, key="ticket.near_turn:12:3", event="ticket.near_turn"))
    topics = [request["headers"]["topic"] for request in push_service.received]
    assert topics[0] == topics[1] == topic("ticket.called:12:3") != topics[2]
    assert all(len(value) <= 32 and value.replace("-", "").replace("_", "").isalnum() for value in topics)
    assert push_service.received[2]["headers"]["urgency"] == "high"


def test_a_dossier_message_is_normal_urgency_and_kept_for_days(push_service):
    browser = BrowserKeys()
    endpoint = push_service.endpoint("phone-3")
    channel().send(
        message(
            endpoint,
            browser.keys,
            key="dossier.result_ready:7:4",
            event="dossier.result_ready",
            subject=None,
            params={"site": "Trung tâm HCC", "link": "https://hcc.example.vn/d/xyz"},
        )
    )
    [request] = push_service.received
    assert request["headers"]["urgency"] == "normal"
    assert request["headers"]["ttl"] == str(3 * 24 * 3600)
    assert browser.decrypt(request["body"])["title"] == "Trung tâm HCC"  # no subject: the site's name


@pytest.mark.parametrize(
    ("status", "headers", "failure", "gone", "retry_after", "kind"),
    [
        (410, {}, PermanentFailure, True, None, "gone"),
        (404, {}, PermanentFailure, True, None, "gone"),
        (429, {"Retry-After": "120"}, TemporaryFailure, None, 120, "rate_limited"),
        (500, {}, TemporaryFailure, None, None, "unavailable"),
        (503, {"Retry-After": "date"}, TemporaryFailure, None, 300, "unavailable"),
        (400, {}, PermanentFailure, False, None, "rejected"),
        (403, {}, PermanentFailure, False, None, "misconfigured"),  # the VAPID signature refused
        (413, {}, PermanentFailure, False, None, "rejected"),
    ],
)
def test_the_push_services_answers_are_failures_the_worker_understands(
    push_service, status, headers, failure, gone, retry_after, kind
):
    if headers.get("Retry-After") == "date":
        headers = {"Retry-After": format_datetime(datetime.now(UTC) + timedelta(seconds=300), usegmt=True)}
    push_service.answers["/push/refusing"] = (status, headers)
    with pytest.raises(failure) as raised:
        channel().send(message(push_service.endpoint("refusing"), BrowserKeys().keys))
    assert len(push_service.received) == 1
    assert "127.0.0.1" not in str(raised.value)  # the endpoint identifies the browser: never in the error
    assert raised.value.kind == kind
    if failure is PermanentFailure:
        assert raised.value.gone is gone
    elif retry_after is None:
        assert raised.value.retry_after is None
    else:
        assert retry_after - 5 <= raised.value.retry_after <= retry_after


def test_a_push_service_that_cannot_be_reached_is_tried_again_later():
    with pytest.raises(TemporaryFailure) as raised:
        channel().send(message(f"http://127.0.0.1:{free_port()}/push/x", BrowserKeys().keys))
    assert "127.0.0.1" not in str(raised.value) and raised.value.kind == "unreachable"


def test_a_redirect_is_not_followed(push_service):
    push_service.answers["/push/moved"] = (307, {"Location": push_service.endpoint("elsewhere")})
    with pytest.raises(PermanentFailure):
        channel().send(message(push_service.endpoint("moved"), BrowserKeys().keys))
    assert [request["path"] for request in push_service.received] == ["/push/moved"]


def test_a_local_endpoint_is_not_posted_to_unless_the_setting_allows_it(push_service):
    with pytest.raises(PermanentFailure) as raised:
        channel(NOTIFY_PUSH_ALLOW_LOCAL=False).send(message(push_service.endpoint("lab"), BrowserKeys().keys))
    assert raised.value.gone and raised.value.kind == "gone"
    assert push_service.received == []


def test_the_channel_has_no_settings_of_its_own():
    assert WebPushChannel.check_settings({}) == {}
    with pytest.raises(ValueError):
        WebPushChannel.check_settings({"icon": "x"})


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://localhost/push",
        "https://10.1.2.3/push",
        "https://192.168.1.10:8443/push",
        "https://[::1]/push",
        "https://169.254.169.254/latest",
        "https://printer.local/push",
        "https://intranet/push",
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",
        "javascript:alert(1)",
        "https://fcm.googleapis.com/" + "a" * 2000,
    ],
)
def test_an_endpoint_the_server_must_not_post_to_is_refused(endpoint):
    with pytest.raises(ApiError) as raised:
        check_subscription(endpoint, BrowserKeys().keys)
    assert raised.value.code == "invalid_endpoint"


def test_the_push_services_endpoints_are_accepted_with_their_keys_unpadded():
    keys = BrowserKeys().keys
    padded = {name: value + "=" * (-len(value) % 4) for name, value in keys.items()}
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/dXk3:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGuQyavXutnMH",
    ):
        assert check_subscription(endpoint, padded) == (endpoint, keys)


@pytest.mark.parametrize(
    "keys",
    [
        None,
        {"p256dh": "abc"},
        {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(os.urandom(16))},  # not on the curve
        {"p256dh": "***", "auth": b64(os.urandom(16))},
        {"auth": b64(os.urandom(8)), "p256dh": BrowserKeys().keys["p256dh"]},  # auth too short
    ],
)
def test_wrong_keys_are_refused(keys):
    with pytest.raises(ApiError) as raised:
        check_subscription("https://fcm.googleapis.com/fcm/send/x", keys)
    assert raised.value.code == "invalid_keys"


# -- the VAPID key -------------------------------------------------------------------------------


def test_without_a_key_in_the_environment_one_is_made_once_in_the_instance_folder(tmp_path):
    """Made by config.made_once, as the secret key is (tests/test_sessions.py races workers on it)."""
    key = vapid.made_once(tmp_path)
    assert key.startswith("-----BEGIN PRIVATE KEY-----")
    assert [path.name for path in tmp_path.iterdir()] == [vapid.KEY_FILE]
    assert stat.S_IMODE((tmp_path / vapid.KEY_FILE).stat().st_mode) == 0o600
    assert vapid.made_once(tmp_path) == key
    assert len(unb64(vapid.application_server_key(key))) == 65


def test_a_key_given_as_pem_or_raw_base64url_is_the_same_key():
    pem = vapid._new_key()
    number = vapid.load(pem).private_key.private_numbers().private_value
    raw = b64(number.to_bytes(32, "big"))
    assert vapid.application_server_key(raw) == vapid.application_server_key(pem)
    assert len(unb64(vapid.application_server_key(pem))) == 65


def test_a_wrong_key_in_the_environment_stops_the_server_starting(database_url):
    from queue_server.app import create_app

    with pytest.raises(config.ConfigurationError, match="VAPID_PRIVATE_KEY"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "VAPID_PRIVATE_KEY": "not a key"})


def test_the_subject_names_who_the_push_services_may_contact():
    assert vapid.subject({"VAPID_SUBJECT": "mailto:it@hcc.nghean.gov.vn"}) == "mailto:it@hcc.nghean.gov.vn"
    assert vapid.subject({"PUBLIC_BASE_URL": "https://hcc.nghean.gov.vn"}) == "https://hcc.nghean.gov.vn"
    assert vapid.subject({"PUBLIC_BASE_URL": "http://10.0.0.5"}) == "mailto:webpush@10.0.0.5"


# -- subscribing on the tracking pages -----------------------------------------------------------


def enable(app, *channels, code="NA-HCC"):
    with app.app_context():
        enable_channels(db.session, *channels, code=code)


def subscriptions(app) -> list[Subscription]:
    with app.app_context():
        rows = db.session.query(Subscription).order_by(Subscription.id).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def push_app(app):
    app.config["NOTIFY_PUSH_ALLOW_LOCAL"] = True
    enable(app, "webpush")
    return app


@BOTH_DATABASES
def test_a_browser_subscribes_to_its_ticket_and_turns_it_off(push_app, kiosk, client, push_service):
    key = tracking_key(issue(kiosk))
    browser = BrowserKeys()
    endpoint = push_service.endpoint("ticket-phone")
    url = f"/api/v1/track/t/{key}/subscriptions"
    body = {"channel": "webpush", "address": endpoint, "keys": browser.keys, "language": "en"}

    response = client.post(url, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"channel": "webpush", "subscribed": True, "near_turn_ahead": 3}
    assert endpoint not in response.get_data(as_text=True)
    [row] = subscriptions(push_app)
    assert (row.channel, row.address, row.keys, row.via, row.language) == (
        "webpush",
        endpoint,
        browser.keys,
        "tracking",
        "en",
    )
    assert row.ticket_id is not None and row.near_turn_ahead == 3

    # Choosing another number of people updates the same subscription.
    assert client.post(url, json={**body, "near_turn_ahead": 5}).get_json()["near_turn_ahead"] == 5
    assert [row.near_turn_ahead for row in subscriptions(push_app)] == [5]
    state = client.post(f"{url}/state", json={"channel": "webpush", "address": endpoint})
    assert state.get_json() == {"channel": "webpush", "subscribed": True, "near_turn_ahead": 5}

    off = client.post(f"{url}/off", json={"channel": "webpush", "address": endpoint})
    assert off.get_json()["subscribed"] is False
    assert subscriptions(push_app)[0].opted_out_at is not None
    assert (
        client.post(f"{url}/state", json={"channel": "webpush", "address": endpoint}).get_json()["subscribed"]
        is False
    )
    # Turning it on again ends the opt-out.
    client.post(url, json=body)
    assert subscriptions(push_app)[0].opted_out_at is None


def test_a_browser_subscribes_to_a_dossier_from_its_receipts_link(push_app, officer, client, push_service):
    created = intake(officer).get_json()
    key = created["tracking_url"].rsplit("/", 1)[1]
    body = {"channel": "webpush", "address": push_service.endpoint("d"), "keys": BrowserKeys().keys}
    response = client.post(f"/api/v1/track/d/{key}/subscriptions", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["near_turn_ahead"] is None
    [row] = subscriptions(push_app)
    assert row.dossier_id is not None and row.ticket_id is None


def test_subscribing_refuses_what_it_cannot_use(push_app, kiosk, client, push_service):
    key = tracking_key(issue(kiosk))
    url = f"/api/v1/track/t/{key}/subscriptions"
    good = {"channel": "webpush", "address": push_service.endpoint("x"), "keys": BrowserKeys().keys}
    assert error_of(client.post("/api/v1/track/t/nope/subscriptions", json=good), 404) == "unknown_ticket"
    assert error_of(client.post(f"/api/v1/track/x/{key}/subscriptions", json=good), 404) == "not_found"
    assert error_of(client.post(url, json={**good, "keys": None}), 422) == "validation_failed"
    assert (
        error_of(client.post(url, json={**good, "keys": {"p256dh": "x", "auth": "y"}}), 400) == "invalid_keys"
    )
    assert (
        error_of(client.post(url, json={k: v for k, v in good.items() if k != "keys"}), 400) == "invalid_keys"
    )
    assert error_of(client.post(url, json={**good, "near_turn_ahead": 0}), 422) == "validation_failed"
    assert error_of(client.post(url, json={**good, "channel": "fax"}), 422) == "validation_failed"
    assert error_of(client.post(url, data="{", content_type="application/json"), 400) == "bad_request"
    assert (
        error_of(client.post(url, json={**good, "channel": "sms", "address": "0912345678"}), 409)
        == "channel_off"
    )
    push_app.config["NOTIFY_PUSH_ALLOW_LOCAL"] = False
    assert error_of(client.post(url, json=good), 400) == "invalid_endpoint"
    assert subscriptions(push_app) == []


def test_a_site_without_push_takes_an_email_address_and_never_shows_it(app, kiosk, client):
    enable(app, "email")
    key = tracking_key(issue(kiosk))
    url = f"/api/v1/track/t/{key}/subscriptions"
    assert (
        error_of(client.post(url, json={"channel": "email", "address": "not an address"}), 400)
        == "invalid_email"
    )
    response = client.post(url, json={"channel": "email", "address": " hoa.nguyen@example.vn "})
    assert response.status_code == 201
    assert "hoa" not in response.get_data(as_text=True)
    assert [row.address for row in subscriptions(app)] == ["hoa.nguyen@example.vn"]
    # Whether an address is subscribed is told only of a push endpoint (a secret of the browser).
    state = client.post(f"{url}/state", json={"channel": "email", "address": "hoa.nguyen@example.vn"})
    assert error_of(state, 400) == "invalid_channel"
    assert (
        client.post(f"{url}/off", json={"channel": "email", "address": "someone@example.vn"}).status_code
        == 200
    )
    assert subscriptions(app)[0].opted_out_at is None
    client.post(f"{url}/off", json={"channel": "email", "address": "hoa.nguyen@example.vn"})
    assert subscriptions(app)[0].opted_out_at is not None


def test_one_address_may_subscribe_only_so_often(push_app, kiosk, client, push_service):
    push_app.config["TRACKING_SUBSCRIBE_RATE_LIMIT"] = "3 per minute"
    key = tracking_key(issue(kiosk))
    body = {"channel": "webpush", "address": push_service.endpoint("flood"), "keys": BrowserKeys().keys}
    codes = [client.post(f"/api/v1/track/t/{key}/subscriptions", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_the_tracking_page_offers_push_with_the_servers_key_and_nothing_personal(push_app, kiosk, client):
    key = tracking_key(issue(kiosk))
    page = client.get(f"/t/{key}").get_data(as_text=True)
    assert vapid.application_server_key(push_app.config["VAPID_PRIVATE_KEY"]) in page
    assert 'id="notify"' in page and "Nhận thông báo" in page


def test_the_dossiers_page_subscribes_in_its_own_scope_and_offers_nothing_the_centre_does_not_send(
    app, officer, client
):
    key = intake(officer).get_json()["tracking_url"].rsplit("/", 1)[1]
    assert 'id="notify"' in client.get(f"/d/{key}").get_data(as_text=True)
    with app.test_request_context():
        db.session.execute(update(SiteChannel).values(enabled=False))  # the demo's Web Push too
        db.session.commit()
        nothing = notify_offer(site(db.session).id, "d", key)
        enable(app, "webpush", "zalo")
        offer = notify_offer(site(db.session).id, "d", key)
    assert (nothing["push"], nothing["vapidKey"], nothing["contact"]) == (False, None, [])
    assert offer["push"] and offer["scope"] == "/d/" and offer["nearTurn"] is None
    assert offer["url"] == f"/api/v1/track/d/{key}/subscriptions"
    assert offer["contact"] == [{"channel": "zalo", "label": "Zalo"}]


def test_the_service_worker_is_served_from_the_root_and_never_cached_stale(client):
    response = client.get("/push-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert "showNotification" in response.get_data(as_text=True)


# -- the pages in Chromium -----------------------------------------------------------------------

# Headless Chromium refuses pushManager.subscribe ("Registration failed - permission denied":
# it has no push messaging service, and a real one, Google's FCM, is not reachable offline).
# So the page's PushManager is replaced by one that answers as Chromium would, with a
# subscription to the test's local push service and keys the test holds; the service worker
# itself is the real one, registered from /push-worker.js, and a message is delivered to it
# through DevTools (ServiceWorker.deliverPushMessage), as the browser does on a push.
FAKE_PUSH_MANAGER = """
((subscription) => {
    const made = () => ({
        endpoint: subscription.endpoint,
        toJSON: () => ({endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys}),
        unsubscribe: async () => { localStorage.removeItem("fakePush"); return true; },
    });
    PushManager.prototype.subscribe = async function (options) {
        const key = String.fromCharCode(...new Uint8Array(options.applicationServerKey));
        const asked = {userVisibleOnly: options.userVisibleOnly, key: btoa(key)};
        localStorage.setItem("fakePush", JSON.stringify(asked));
        return made();
    };
    PushManager.prototype.getSubscription = async function () {
        return localStorage.getItem("fakePush") ? made() : null;
    };
})(%s);
"""


def phone_page(contexts, server, subscription: dict | None = None):
    page = contexts(viewport=PHONE)
    page.context.grant_permissions(["notifications"], origin=server.url)
    if subscription:
        page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    return page


def deliver_to_service_worker(page, server, payload: dict) -> list[dict]:
    """Give the page's service worker a push message, as the browser does when one arrives,
    and return the notifications it then shows.

    What it shows is recorded in the worker itself when ``showNotification`` resolves (the
    browser has shown it), not read back with ``getNotifications()``: headless Chromium may
    take a shown notification away before any look finds it (a CI run, and 1 run in 20 of this
    test alone, found none in 10 s)."""
    ours = f"{server.url}/push-worker.js"
    [worker] = [w for w in page.context.service_workers if w.url == ours] or [
        page.context.wait_for_event("serviceworker", lambda w: w.url == ours)
    ]
    worker.evaluate(
        """() => {
            const registration = self.registration, show = registration.showNotification.bind(registration);
            self.shownForTest = [];
            registration.showNotification = (title, options) => show(title, options).then(() => {
                self.shownForTest.push({title, body: options.body, tag: options.tag, data: options.data});
            });
        }"""
    )
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    _eventually(page, "() => navigator.serviceWorker.getRegistration('/t/').then((r) => !!(r && r.active))")
    deadline = time.monotonic() + 10
    while not any(r["scopeURL"].endswith("/t/") for r in registrations) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    [registration] = [r for r in registrations if r["scopeURL"].endswith("/t/") and not r["isDeleted"]]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": server.url, "registrationId": registration["registrationId"], "data": json.dumps(payload)},
    )
    return _eventually(page, "() => self.shownForTest.length ? self.shownForTest : null", within=worker)


def _eventually(page, script: str, seconds: float = 10, within=None):
    """The page's answer to ``script`` (which may return a promise) once it is truthy; with
    ``within`` (a worker of the page), that worker's.

    Not ``page.wait_for_function``: its predicate is synchronous by design, and a promise is
    truthy at once, so it returned before the promise had settled, and the value read from it
    afterwards could still be empty (two CI runs found no notification shown, none rerun alone).
    ``page.evaluate`` waits for the promise."""
    deadline = time.monotonic() + seconds
    while not (value := (within or page).evaluate(script)):
        assert time.monotonic() < deadline, f"never true within {seconds} s: {script}"
        page.wait_for_timeout(50)
    return value


def test_a_citizen_turns_on_push_for_their_ticket_on_a_phone(
    push_app, kiosk, live_server_factory, database_url, contexts, push_service
):
    server = live_server_factory(database_url, VAPID_PRIVATE_KEY=SERVER_KEY, NOTIFY_PUSH_ALLOW_LOCAL="1")
    ticket = issue(kiosk)
    key = tracking_key(ticket)
    browser = BrowserKeys()
    endpoint = push_service.endpoint("chromium")
    page = phone_page(contexts, server, {"endpoint": endpoint, "keys": browser.keys})
    page.goto(f"{server.url}/t/{key}")
    on = page.get_by_role("button", name="Nhận thông báo")
    on.wait_for()
    assert page.get_by_label("Báo khi còn").input_value() == "3"
    assert_fits(page)
    screenshot(page, "tracking-push-offered")

    page.get_by_label("Báo khi còn").fill("2")
    on.click()
    page.get_by_text("Đã bật thông báo trên trình duyệt này").wait_for()
    [row] = subscriptions(push_app)
    assert (row.channel, row.address, row.keys, row.near_turn_ahead, row.language, row.via) == (
        "webpush",
        endpoint,
        browser.keys,
        2,
        "vi",
        "tracking",
    )
    asked = json.loads(page.evaluate("() => localStorage.getItem('fakePush')"))
    assert asked == {
        "userVisibleOnly": True,
        "key": base64.b64encode(unb64(vapid.application_server_key(SERVER_KEY))).decode(),
    }
    assert endpoint not in page.content()  # the page shows that it is on, never the address

    # Back on the page later: it asks the server, which still has it.
    page.reload()
    page.get_by_text("Đã bật thông báo trên trình duyệt này").wait_for()
    assert page.get_by_label("Báo khi còn").input_value() == "2"
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, "tracking-push-on")

    # The server's own worker (outbox, worker, channel) tells the browser at once what it
    # subscribed to, the ticket's "issued" message: it reaches the local push service, the
    # browser decrypts it, and the page's service worker shows it.
    deadline = time.monotonic() + 15
    while not push_service.received and time.monotonic() < deadline:
        time.sleep(0.05)
    [request] = push_service.received
    payload = browser.decrypt(request["body"])
    [shown] = deliver_to_service_worker(page, server, payload)
    site_name = "Trung tâm Phục vụ hành chính công tỉnh Nghệ An"
    assert shown["title"] == f"Số thứ tự {ticket['number']} tại {site_name}"
    assert shown["body"].startswith(f"Ông/Bà đã lấy số {ticket['number']} (Đất đai) tại {site_name}.")
    assert (shown["tag"], shown["data"]) == (f"{server.url}/t/{key}", {"url": f"{server.url}/t/{key}"})

    page.get_by_role("button", name="Tắt thông báo").click()
    on.wait_for()
    assert subscriptions(push_app)[0].opted_out_at is not None


def test_where_the_centre_sends_no_push_a_citizen_gives_an_email_on_the_dossiers_page(
    app, officer, live_server_factory, database_url, contexts
):
    with app.app_context():
        enable_channels(db.session, "email", "sms", only=True)  # no Web Push, not even the demo's
    key = intake(officer).get_json()["tracking_url"].rsplit("/", 1)[1]
    server = live_server_factory(database_url)
    page = phone_page(contexts, server)
    page.goto(f"{server.url}/d/{key}")
    page.get_by_role("button", name="Đăng ký").wait_for()
    assert page.get_by_role("button", name="Nhận thông báo").count() == 0
    # A long page that scrolls, but never sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Nhận qua").select_option("email")
    page.get_by_label("Địa chỉ thư điện tử").fill("hoa.nguyen@example")
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_text("Địa chỉ thư điện tử không đúng.").wait_for()
    screenshot(page, "tracking-dossier-contact-error")
    page.get_by_label("Địa chỉ thư điện tử").fill("hoa.nguyen@example.vn")
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_text("Đã đăng ký nhận thông báo").wait_for()
    assert "hoa.nguyen" not in page.content()
    check_accessibility(page)
    screenshot(page, "tracking-dossier-contact-done")
    [row] = subscriptions(app)
    assert (row.channel, row.address, row.near_turn_ahead) == ("email", "hoa.nguyen@example.vn", None)
