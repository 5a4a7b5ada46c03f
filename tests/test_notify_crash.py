"""A worker killed in the middle of sending, against a real local gateway of eSMS's shape, for
SMS brandname and for Zalo ZNS (notify/channels/gateways.py), and a real local push service
(notify/channels/webpush.py). The e-mail channel's own test is in test_notify_worker.py.

The gateway here behaves as eSMS documents: it keeps every request, sends each ``RequestId``
once, and answers a repeated one with code 124 ("RequestId already used"), which the channel
takes as sent. So when the worker dies after the gateway took the message but before it heard
the answer, the next worker's attempt carries the same RequestId and the phone gets one text
or one ZNS message.
A push service keeps one waiting message per ``Topic`` (RFC 8030 §5.4: a new message with the
topic of one not yet delivered replaces it), and the channel's topic comes from the
notification's key: the browser is shown one message per event.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from queue_server.database import utcnow
from queue_server.notify import operations, vapid
from queue_server.notify.channels.gateways import Sms, Zalo
from queue_server.notify.channels.webpush import topic as webpush_topic
from queue_server.notify.models import Notification

from .gateway_server import Answer, Gateway, Received
from .helpers import BOTH_DATABASES, ROOT, enable_channels, issue, site
from .push_server import BrowserKeys, PushService

PHONES = ("0912 345 678", "0987 654 321", "0903 111 222")


class Esms:
    """What the gateway delivers: one text per RequestId."""

    def __init__(self) -> None:
        self.delivered: dict[str, dict] = {}

    def __call__(self, received: Received) -> Answer:
        assert isinstance(received.body, dict)
        request_id = received.body["RequestId"]
        if request_id in self.delivered:
            return Answer(body={"CodeResult": "124", "ErrorMessage": "RequestId already used"})
        self.delivered[request_id] = received.body
        return Answer(body={"CodeResult": "100", "SMSID": f"esms-{len(self.delivered)}"})


def kill_then_recover(app, session, tmp_path, receiver, extra_env=None) -> list[Notification]:
    """`flask notify-worker` SIGKILLed while ``receiver`` holds its answer to the first message;
    a second worker then sends everything (the held message again, once its lease ends). The
    outbox's rows at the end."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "a-test-key-of-more-than-thirty-two-bytes",
        "INSTANCE_DIR": str(tmp_path),
        "NOTIFY_LEASE_SECONDS": "2",
        "NOTIFY_POLL_SECONDS": "0.1",
        "DOSSIER_WATCH_SECONDS": "0",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "notify-worker"]
    receiver.hold.set()  # the receiver takes the first message and keeps the worker waiting
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert receiver.holding.wait(30), "the worker never reached the receiver"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    receiver.hold.clear()
    assert "sending" in {row.status for row in rows(session)}  # the dead worker never heard
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while {row.status for row in rows(session)} != {"sent"} and time.monotonic() < deadline:
            time.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=15)
    finally:
        second.kill()
    return rows(session)


def rows(session) -> list[Notification]:
    """The outbox as it is now. The session is closed after reading: on SQLite an open
    transaction holds the write lock (``BEGIN IMMEDIATE``), which the worker needs."""
    session.expire_all()
    found = list(session.scalars(select(Notification).order_by(Notification.id)))
    session.close()
    return found


# Each channel an eSMS-shaped gateway serves: its settings (given the gateway's address) and what
# the gateway must have been asked for the ticket's first message.
GATEWAY_CHANNELS = {
    "sms": (
        lambda url: Sms.check_settings({"url": url + "/sms", "api_key": "KEY-1", "brandname": "HCC NGHEAN"}),
        lambda body, ticket: f"so {ticket['number']} (" in body["Content"],
    ),
    "zalo": (
        lambda url: Zalo.check_settings(
            {
                "family": "esms",
                "url": url + "/zns",
                "api_key": "KEY-1",
                "oa_id": "4097311281936189049",
                "templates": {"ticket.issued": "267247"},
            }
        ),
        lambda body, ticket: (
            body["OAID"] == "4097311281936189049"
            and body["TempID"] == "267247"
            and {"key": "number", "value": ticket["number"]} in body["TempData"]
        ),
    ),
}


@BOTH_DATABASES
@pytest.mark.parametrize("channel", list(GATEWAY_CHANNELS))
def test_a_worker_killed_while_the_gateway_answers_sends_each_message_once(
    app, session, kiosk, tmp_path, channel
):
    configure, asked_for = GATEWAY_CHANNELS[channel]
    with Gateway() as gateway:
        esms = gateway.respond = Esms()
        enable_channels(session, channel, settings=configure(gateway.url), secret="SECRET")
        ticket = issue(kiosk)
        for phone in PHONES:
            operations.subscribe(
                session, site_id=site(session).id, channel=channel, address=phone, via="kiosk", at=utcnow(),
                ticket_id=ticket["id"],
            )  # fmt: skip
        session.commit()
        assert len(rows(session)) == len(PHONES)
        sent = kill_then_recover(app, session, tmp_path, gateway)
        taken = gateway.received[0]
        assert {row.status for row in sent} == {"sent"}
        assert all(asked_for(r.body, ticket) for r in gateway.received)
        # Four requests for three messages: the held one came again, with the same RequestId...
        assert len(gateway.received) == len(PHONES) + 1
        repeats = [r for r in gateway.received[1:] if r.body["RequestId"] == taken.body["RequestId"]]
        assert len(repeats) == 1 and repeats[0].body["Phone"] == taken.body["Phone"]
        # ...and each phone got one message, each under its notification's key.
        assert sorted(esms.delivered) == sorted(row.key for row in sent)
        assert sorted(body["Phone"] for body in esms.delivered.values()) == sorted(
            ["84912345678", "84987654321", "84903111222"]
        )
        assert next(row for row in sent if row.key == taken.body["RequestId"]).attempts == 2


@BOTH_DATABASES
def test_a_worker_killed_while_the_push_service_answers_shows_each_message_once(
    app, session, kiosk, tmp_path
):
    browsers = [BrowserKeys() for _ in range(3)]
    service = PushService()
    try:
        enable_channels(session, "webpush")
        ticket = issue(kiosk)
        for number, browser in enumerate(browsers):
            operations.subscribe(
                session, site_id=site(session).id, channel="webpush", address=service.endpoint(f"b{number}"),
                via="tracking", at=utcnow(), ticket_id=ticket["id"], keys=browser.keys,
            )  # fmt: skip
        session.commit()
        server_key = vapid._new_key()
        sent = kill_then_recover(
            app, session, tmp_path, service, {"VAPID_PRIVATE_KEY": server_key, "NOTIFY_PUSH_ALLOW_LOCAL": "1"}
        )
    finally:
        service.close()
    assert {row.status for row in sent} == {"sent"}
    # Four requests for three messages: the held one came again, with the same topic...
    assert len(service.received) == len(browsers) + 1
    taken = service.received[0]
    repeats = [r for r in service.received[1:] if r["headers"]["topic"] == taken["headers"]["topic"]]
    assert len(repeats) == 1 and repeats[0]["path"] == taken["path"]
    # ...so each browser is shown one message per event (one waiting message per topic), and
    # each decrypts to the ticket's first message.
    waiting = {(r["path"], r["headers"]["topic"]): r for r in service.received}
    assert len(waiting) == len(browsers)
    assert sorted(topic for _, topic in waiting) == sorted(webpush_topic(row.key) for row in sent)
    for number, browser in enumerate(browsers):
        [(_, request)] = [(key, r) for key, r in waiting.items() if key[0].endswith(f"/b{number}")]
        assert browser.decrypt(request["body"])["body"].startswith(f"Ông/Bà đã lấy số {ticket['number']}")
