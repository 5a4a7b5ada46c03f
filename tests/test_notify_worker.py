"""The notification worker (notify/worker.py) and the e-mail channel (notify/channels/email.py),
against a real local SMTP server (aiosmtpd, the ``smtp_server`` fixture)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email.header import decode_header, make_header
from email.parser import Parser
from email.policy import compat32

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from queue_server.database import utcnow
from queue_server.notify import operations
from queue_server.notify.channels.email import EmailChannel, message_id
from queue_server.notify.models import Notification, Subscription
from queue_server.notify.presenters import notification_view
from queue_server.notify.worker import Worker, backoff, claim

from .helpers import ROOT, enable_channels, issue, login, site

SETTINGS = {"sender_name": "Trung tâm Phục vụ hành chính công Nghệ An", "reply_to": "hcc@nghean.gov.vn"}


@pytest.fixture
def mail(app, session, smtp_server):
    """E-mail switched on at NA-HCC, the app's relay the local SMTP server."""
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        NOTIFY_EMAIL_FROM="thongbao@hcc.example.vn",
        PUBLIC_BASE_URL="https://hcc.nghean.gov.vn",
    )
    enable_channels(session, "email", settings=SETTINGS)
    return smtp_server


def subscribed(session, kiosk, *addresses: str) -> list[Notification]:
    """A ticket, and its "issued" message to each address."""
    ticket = issue(kiosk)
    for address in addresses:
        operations.subscribe(
            session,
            site_id=site(session).id,
            channel="email",
            address=address,
            via="kiosk",
            at=utcnow(),
            ticket_id=ticket["id"],
        )
    session.commit()
    return rows(session)


def rows(session) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_the_worker_sends_one_email_per_message_with_its_key_and_opt_out(app, session, kiosk, mail):
    written = subscribed(session, kiosk, "hoa@example.vn", "lan@example.vn")
    assert Worker(app).run_once() == 2
    assert Worker(app).run_once() == 0  # nothing twice
    assert len(mail.messages) == 2
    sent = rows(session)
    assert [row.status for row in sent] == ["sent", "sent"] and all(row.attempts == 1 for row in sent)
    email = {message["To"]: message for message in mail.messages}["hoa@example.vn"]
    first = written[0]
    assert email["Message-ID"] == message_id(first.key, "hcc.example.vn") == sent[0].provider_ref
    # (read as RFC 2047 says: Python's own parser adds a space between two encoded words)
    raw_from = Parser(policy=compat32).parsestr(mail.raw[mail.messages.index(email)].decode())["From"]
    assert str(make_header(decode_header(raw_from))) == f"{SETTINGS['sender_name']} <thongbao@hcc.example.vn>"
    assert email["Reply-To"] == "hcc@nghean.gov.vn"
    assert email["Subject"] == first.subject
    assert email.get_content().strip() == first.body.strip()  # what was recorded is what was sent
    assert "Ông/Bà" in email.get_content() and email.get_content_charset() == "utf-8"
    token = session.scalars(select(Subscription.token).where(Subscription.address == "hoa@example.vn")).one()
    assert email["List-Unsubscribe"] == f"<https://hcc.nghean.gov.vn/n/{token}>"


def test_a_relay_that_is_down_is_tried_again_with_backoff_until_it_is_back(app, session, kiosk, mail):
    app.config.update(NOTIFY_BACKOFF_BASE_SECONDS=0.2, NOTIFY_BACKOFF_CAP_SECONDS=0.4)
    subscribed(session, kiosk, "hoa@example.vn")
    mail.stop()
    started = utcnow()
    Worker(app).run_once()
    (row,) = rows(session)
    assert (row.status, row.attempts) == ("pending", 1) and row.error.startswith("SMTP: ConnectionRefused")
    assert row.error_kind == "unreachable"
    assert started + timedelta(seconds=0.09) < row.next_attempt_at < utcnow() + timedelta(seconds=0.3)
    assert Worker(app).run_once() == 0  # not before its time

    time.sleep(0.25)
    Worker(app).run_once()
    assert (rows(session)[0].status, rows(session)[0].attempts) == ("pending", 2)

    mail.start()
    time.sleep(0.45)
    assert Worker(app).run_once() == 1
    (row,) = rows(session)
    assert (row.status, row.attempts, row.error, row.error_kind) == ("sent", 3, None, None)
    assert len(mail.messages) == 1


def test_a_refused_recipient_fails_at_once_and_attempts_run_out(app, session, kiosk, mail):
    mail.refuse.add("nobody@example.vn")
    subscribed(session, kiosk, "nobody@example.vn")
    Worker(app).run_once()
    (row,) = rows(session)
    assert (row.status, row.attempts) == ("failed", 1) and row.error.startswith("SMTP 550")
    assert "nobody" not in row.error  # no address in the error
    assert row.error_kind == "refused_address"

    app.config.update(NOTIFY_MAX_ATTEMPTS=2, NOTIFY_BACKOFF_BASE_SECONDS=0, SMTP_PORT=1)  # nothing listens
    subscribed(session, kiosk, "hoa@example.vn")
    Worker(app).run_once()
    Worker(app).run_once()
    assert [(row.status, row.attempts) for row in rows(session)][1] == ("failed", 2)


def test_backoff_grows_within_its_cap_and_honours_retry_after(app):
    config = {"NOTIFY_BACKOFF_BASE_SECONDS": 30, "NOTIFY_BACKOFF_CAP_SECONDS": 7200}
    assert 15 <= backoff(1, config) <= 30 and 60 <= backoff(3, config) <= 120
    assert 3600 <= backoff(20, config) <= 7200
    assert backoff(1, config, retry_after=600) == 600


def test_a_message_left_sending_by_a_dead_worker_is_sent_again_with_the_same_key(app, session, kiosk, mail):
    subscribed(session, kiosk, "hoa@example.vn")
    assert claim(session, utcnow(), 60) == [(rows(session)[0].id, 1)]  # a worker that then dies
    session.commit()
    assert Worker(app).run_once() == 0  # its lease holds
    session.execute(update(Notification).values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert Worker(app).run_once() == 1
    (row,) = rows(session)
    assert (row.status, row.attempts) == ("sent", 2)
    assert mail.messages[0]["Message-ID"] == message_id(row.key, "hcc.example.vn")


def test_the_email_channel_checks_a_sites_settings():
    assert EmailChannel.check_settings(
        {"sender_name": " Trung tâm HCC ", "reply_to": "hcc@nghean.gov.vn"}
    ) == {
        "sender_name": "Trung tâm HCC",
        "reply_to": "hcc@nghean.gov.vn",
    }
    assert EmailChannel.check_settings({}) == {}
    for bad in ({"reply_to": "not an address"}, {"sender_name": "A\r\nBcc: x@y.z"}):
        with pytest.raises(ValueError):
            EmailChannel.check_settings(bad)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_at_once_never_send_a_message_twice(app, session, kiosk, mail):
    addresses = [f"cong.dan{i}@example.vn" for i in range(40)]
    subscribed(session, kiosk, *addresses)
    session.close()
    errors: list[BaseException] = []

    def work():
        try:
            while Worker(app).run_once():
                pass
        except BaseException as error:  # noqa: BLE001 (shown by the assertion below)
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert errors == []
    assert sorted(message["To"] for message in mail.messages) == sorted(addresses)
    assert {row.status for row in rows(session)} == {"sent"}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_killed_while_sending_loses_and_doubles_nothing(app, session, kiosk, mail, tmp_path):
    """The issue's test: `flask notify-worker` is SIGKILLed while the mail server holds its
    reply to DATA (the message stored, the "250" not yet sent); a new worker sends it again once
    the lease ends, with the same Message-ID, and the mail store keeps one copy per event."""
    subscribed(session, kiosk, "hoa@example.vn", "lan@example.vn", "minh@example.vn")
    session.close()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "a-test-key-of-more-than-thirty-two-bytes",
        "INSTANCE_DIR": str(tmp_path),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail.port),
        "NOTIFY_EMAIL_FROM": "thongbao@hcc.example.vn",
        "NOTIFY_LEASE_SECONDS": "2",
        "NOTIFY_POLL_SECONDS": "0.1",
        "DOSSIER_WATCH_SECONDS": "0",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "notify-worker"]
    mail.hold.set()
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert mail.holding.wait(30), "the worker never reached DATA"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    mail.hold.clear()
    held = mail.messages[0]
    assert [row.status for row in rows(session)].count("sending") >= 1

    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while {row.status for row in rows(session)} != {"sent"} and time.monotonic() < deadline:
            time.sleep(0.2)
        session.close()
        second.send_signal(signal.SIGTERM)  # and it stops cleanly
        output = second.communicate(timeout=15)[0].decode()
    finally:
        second.kill()
    assert second.returncode == 0 and "Stopped." in output, output
    sent = rows(session)
    assert {row.status for row in sent} == {"sent"}
    stored = mail.stored()
    assert sorted(stored) == sorted(message_id(row.key, "hcc.example.vn") for row in sent)  # one per event
    assert len(mail.messages) == len(sent) + 1  # the held one came twice...
    again = [message for message in mail.messages[1:] if message["Message-ID"] == held["Message-ID"]]
    assert len(again) == 1 and again[0]["To"] == held["To"]  # ...with the same Message-ID
    assert next(row for row in sent if row.recipient == held["To"]).attempts == 2


def test_a_worker_told_to_stop_gives_back_what_it_has_not_sent(app, session, kiosk, mail):
    subscribed(session, kiosk, "hoa@example.vn", "lan@example.vn", "minh@example.vn")
    asked: list[bool] = []

    def stopping() -> bool:  # asked once before each message: stop after the first
        asked.append(True)
        return len(asked) > 1

    assert Worker(app).run_once(stopping) == 1
    assert [(row.status, row.attempts, row.lease_until) for row in rows(session)] == [
        ("sent", 1, None),
        ("pending", 0, None),
        ("pending", 0, None),
    ]
    assert Worker(app).run_once() == 2  # at once, not after a lease
    assert len(mail.messages) == 3


def test_staff_read_why_a_message_failed_in_vietnamese_and_it_the_technical_reason(app, session, kiosk, mail):
    mail.refuse.add("nobody@example.vn")
    (written,) = subscribed(session, kiosk, "nobody@example.vn")
    Worker(app).run_once()
    supervisor = login(app.test_client(), "supervisor")
    shown = supervisor.get(f"/api/v1/tickets/{written.ticket_id}/notifications").json
    assert [(n["status"], n["error_kind"], n["error_text"]) for n in shown] == [
        ("failed", "refused_address", "Địa chỉ hoặc số điện thoại không nhận được tin")
    ]
    assert shown[0]["error"].startswith("SMTP 550")
    with force_locale("en"):  # (the test's open app context keeps the first request's language)
        english = notification_view(rows(session)[0])
    assert english["error_text"] == "The address or phone number cannot receive messages"
