"""SMS brandname and Zalo ZNS through their HTTP gateways, against a real local HTTP server
that records what it got (tests/gateway_server.py); the SMS length rules; the administration
of channels and message templates; the kiosk's phone number; delivery reports; the report's
message counts."""

from __future__ import annotations

import csv
import io
import socket

import pytest
from sqlalchemy import select

from queue_server.database import utcnow
from queue_server.notify.channels import CHANNELS
from queue_server.notify.channels.base import Message, PermanentFailure, TemporaryFailure
from queue_server.notify.channels.gateways import (
    REQUEST_ID_MAX,
    EsmsZns,
    InvalidSettings,
    JsonBrandnameSms,
    Sms,
    Zalo,
    ZaloZns,
    request_id,
)
from queue_server.notify.models import Notification, NotificationStatus, SiteChannel, Subscription
from queue_server.notify.operations import NEAR_TURN_DEFAULT
from queue_server.notify.smslength import measure, unaccented

from . import helpers
from .gateway_server import Answer, Gateway
from .helpers import BOTH_DATABASES, device_client, device_token, error_of, issue, login

# A local server on a loaded machine: an answer took more than half a second once in CI.
CONFIG = {"NOTIFY_GATEWAY_TIMEOUT": 1.5}
KEY = "ticket.near_turn:41:7"


@pytest.fixture
def gateway():
    with Gateway() as server:
        yield server


def sms_settings(url: str, **overrides) -> dict:
    return Sms.check_settings({"url": url, "api_key": "KEY-1", "brandname": "HCC NGHEAN", **overrides})


def message(
    body="Số A012 sắp đến lượt, còn 3 người trước Ông/Bà.", recipient="+84912345678", **extra
) -> Message:
    return Message(key=KEY, channel="sms", event="ticket.near_turn", recipient=recipient, body=body, **extra)


# -- SMS length ----------------------------------------------------------------------------------


def test_vietnamese_with_marks_is_ucs2_and_unaccented_is_gsm7():
    text = "Hồ sơ của Ông/Bà đã có kết quả."
    assert measure(text).encoding == "ucs2" and measure(text).segments == 1
    assert unaccented("Đường Lê Lợi, phường Trường Vinh") == "Duong Le Loi, phuong Truong Vinh"
    assert measure(unaccented(text)).encoding == "gsm7"


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("€" * 80, "gsm7", 1),  # the extension table: two septets each
        ("€" * 81, "gsm7", 2),
        ("ă" * 70, "ucs2", 1),
        ("ă" * 71, "ucs2", 2),
        ("ă" * 134, "ucs2", 2),
        ("ă" * 135, "ucs2", 3),
        ("", "gsm7", 0),
    ],
)
def test_segments_follow_the_gsm_and_ucs2_limits(text, encoding, segments):
    length = measure(text)
    assert (length.encoding, length.segments) == (encoding, segments)


# -- the SMS brandname family --------------------------------------------------------------------


def test_sms_gateway_gets_the_brandname_fields_and_the_notification_key(gateway):
    url = gateway.answer("/sms", body={"CodeResult": "100", "SMSID": "esms-991"})
    channel = CHANNELS["sms"](sms_settings(url, sandbox=True), "SECRET-1", CONFIG)
    receipt = channel.send(message())
    assert receipt.provider_ref == "esms-991"
    (got,) = gateway.received
    assert got.body == {
        "ApiKey": "KEY-1",
        "SecretKey": "SECRET-1",
        "Brandname": "HCC NGHEAN",
        "Phone": "84912345678",
        "Content": "Số A012 sắp đến lượt, còn 3 người trước Ông/Bà.",
        "SmsType": "2",
        "IsUnicode": "1",
        "Sandbox": "1",
        "RequestId": KEY,
    }


def test_sms_gateway_that_wants_unaccented_text_gets_it_as_gsm7(gateway):
    url = gateway.answer("/sms", body={"CodeResult": "100", "SMSID": "1"})
    settings = sms_settings(url, unaccented=True, phone_format="national")
    CHANNELS["sms"](settings, "s", CONFIG).send(message())
    (got,) = gateway.received
    assert got.body["Content"] == "So A012 sap den luot, con 3 nguoi truoc Ong/Ba."
    assert got.body["IsUnicode"] == "0" and got.body["Phone"] == "0912345678"


def test_another_gateway_of_the_same_shape_names_its_own_fields(gateway):
    url = gateway.answer("/v2/send", body={"status": "00", "tranId": "sp-1"})
    settings = sms_settings(
        url,
        fields={
            "phone": "to",
            "content": "content",
            "brandname": "sender",
            "result": "status",
            "message_id": "tranId",
        },
        success_codes=["00"],
    )
    assert CHANNELS["sms"](settings, "s", CONFIG).send(message()).provider_ref == "sp-1"
    assert {"to", "content", "sender", "RequestId"} <= set(gateway.received[0].body)


@pytest.mark.parametrize(
    ("status", "body", "headers", "failure", "retry_after", "kind"),
    [
        (
            200,
            {"CodeResult": "108", "ErrorMessage": "Phone invalid"},
            {},
            PermanentFailure,
            None,
            "refused_address",
        ),
        (
            200,
            {"CodeResult": "146", "ErrorMessage": "Wrong template"},
            {},
            PermanentFailure,
            None,
            "rejected",
        ),
        (200, {"CodeResult": "101"}, {}, PermanentFailure, None, "misconfigured"),  # wrong ApiKey/SecretKey
        (
            200,
            {"CodeResult": "103"},
            {},
            TemporaryFailure,
            None,
            "misconfigured",
        ),  # balance too low: topped up
        (429, {}, {"Retry-After": "7"}, TemporaryFailure, 7.0, "rate_limited"),
        (500, {}, {}, TemporaryFailure, None, "unavailable"),
        (503, {}, {"Retry-After": "30"}, TemporaryFailure, 30.0, "unavailable"),
        (401, {}, {}, PermanentFailure, None, "misconfigured"),
        (400, {}, {}, PermanentFailure, None, "rejected"),
    ],
)
def test_sms_gateway_errors_are_temporary_or_permanent_of_a_kind(
    gateway, status, body, headers, failure, retry_after, kind
):
    url = gateway.answer("/sms", status=status, body=body, headers=headers)
    with pytest.raises(failure) as raised:
        CHANNELS["sms"](sms_settings(url), "s", CONFIG).send(message())
    if failure is TemporaryFailure:
        assert raised.value.retry_after == retry_after
    assert raised.value.kind == kind
    assert gateway.received[0].body["RequestId"] == KEY


def test_a_repeated_request_id_is_a_message_already_sent(gateway):
    """eSMS answers 124 to a RequestId it has seen: the first attempt got through."""
    url = gateway.answer("/sms", body={"CodeResult": "124"})
    assert CHANNELS["sms"](sms_settings(url), "s", CONFIG).send(message()).provider_ref is None


def test_a_gateway_that_does_not_answer_in_time_is_tried_again(gateway):
    url = gateway.answer("/sms", body={"CodeResult": "100"}, delay=3)
    with pytest.raises(TemporaryFailure, match="timeout") as raised:
        CHANNELS["sms"](sms_settings(url), "s", CONFIG).send(message())
    assert raised.value.kind == "timeout"


def test_a_gateway_that_is_down_is_tried_again():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(TemporaryFailure, match="unreachable") as raised:
        CHANNELS["sms"](sms_settings(f"http://127.0.0.1:{port}/sms"), "s", CONFIG).send(message())
    assert raised.value.kind == "unreachable"


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"brandname": ""}, "missing_setting"),
        ({"brandname": "A BRANDNAME TOO LONG"}, "setting_too_long"),
        ({"brandname": "HCC/NA"}, "invalid_brandname"),
        ({"url": "ftp://x"}, "invalid_url"),
        ({"max_segments": 11}, "invalid_max_segments"),
        ({"sandbox": "yes"}, "invalid_setting"),
        ({"fields": {"nonsense": "x"}}, "invalid_fields"),
        ({"family": "carrier-pigeon"}, "unknown_family"),
    ],
)
def test_sms_settings_are_checked(settings, code):
    with pytest.raises(InvalidSettings) as refused:
        Sms.check_settings(
            {"url": "https://gw.example.vn/send", "api_key": "k", "brandname": "HCC", **settings}
        )
    assert refused.value.code == code


# -- Zalo ZNS ------------------------------------------------------------------------------------


def zalo(url: str, **overrides):
    settings = ZaloZns.check_settings({"url": url, "templates": {"ticket.near_turn": "231234"}, **overrides})
    return CHANNELS["zalo"](settings, "ACCESS-TOKEN", CONFIG)


def test_zns_gets_the_template_its_data_and_the_tracking_id(gateway):
    url = gateway.answer(
        "/message/template", body={"error": 0, "message": "Success", "data": {"msg_id": "z-77"}}
    )
    params = {"number": "A012", "ahead": 3}
    zns = Message(
        key=KEY, channel="zalo", event="ticket.near_turn", recipient="+84912345678", body="", params=params
    )
    receipt = zalo(url, development=True).send(zns)
    assert receipt.provider_ref == "z-77"
    (got,) = gateway.received
    assert got.headers["access_token"] == "ACCESS-TOKEN"
    assert got.body == {
        "phone": "84912345678",
        "template_id": "231234",
        "template_data": {"number": "A012", "ahead": "3"},
        "tracking_id": KEY,
        "mode": "development",
    }


@pytest.mark.parametrize(
    ("status", "body", "failure", "kind"),
    [
        (200, {"error": -108, "message": "Phone number invalid"}, PermanentFailure, "refused_address"),
        (200, {"error": -118, "message": "Zalo account not existed"}, PermanentFailure, "refused_address"),
        (200, {"error": -109, "message": "Template ID invalid"}, PermanentFailure, "misconfigured"),
        (200, {"error": -124, "message": "Access token invalid"}, PermanentFailure, "misconfigured"),
        (200, {"error": -115, "message": "Out of quota"}, TemporaryFailure, "rate_limited"),
        (200, {"error": -100, "message": "Unknown error"}, TemporaryFailure, "unavailable"),
        (200, {"error": -999, "message": "Something new"}, PermanentFailure, "rejected"),
        (429, {}, TemporaryFailure, "rate_limited"),
        (502, {}, TemporaryFailure, "unavailable"),
    ],
)
def test_zns_errors_are_temporary_or_permanent_of_a_kind(gateway, status, body, failure, kind):
    url = gateway.answer("/message/template", status=status, body=body)
    zns = Message(key=KEY, channel="zalo", event="ticket.near_turn", recipient="+84912345678", body="")
    with pytest.raises(failure) as raised:
        zalo(url).send(zns)
    assert raised.value.kind == kind


def test_zns_without_a_template_for_the_event_sends_nothing(gateway):
    url = gateway.answer("/message/template", body={"error": 0})
    zns = Message(key=KEY, channel="zalo", event="dossier.result_ready", recipient="+84912345678", body="")
    with pytest.raises(PermanentFailure, match="no template") as raised:
        zalo(url).send(zns)
    assert raised.value.kind == "misconfigured"
    assert gateway.received == []


def test_zns_template_ids_are_numbers():
    with pytest.raises(InvalidSettings) as refused:
        ZaloZns.check_settings({"templates": {"ticket.near_turn": "abc"}})
    assert refused.value.code == "invalid_template_id"
    assert ZaloZns.check_settings({})["url"] == ZaloZns.DEFAULT_URL
    assert (
        JsonBrandnameSms.check_settings({"url": "https://x.vn", "api_key": "k", "brandname": "B"})[
            "max_segments"
        ]
        is None
    )


# -- Zalo ZNS through eSMS -------------------------------------------------------------------------

OA = "4097311281936189049"


def esms_zns(url: str, **overrides):
    settings = Zalo.check_settings(
        {
            "family": "esms",
            "url": url,
            "api_key": "KEY-1",
            "oa_id": OA,
            "templates": {"ticket.near_turn": "267247"},
        }
        | overrides
    )
    return CHANNELS["zalo"](settings, "SECRET-1", CONFIG)


def zns_message(key=KEY, event="ticket.near_turn") -> Message:
    params = {"number": "A012", "ahead": 3}
    return Message(key=key, channel="zalo", event=event, recipient="+84912345678", body="", params=params)


def test_zns_through_esms_gets_the_oa_the_template_its_data_and_the_request_id(gateway):
    url = gateway.answer("/zns", body={"CodeResult": "100", "CountRegenerate": 0, "SMSID": "e-9"})
    assert esms_zns(url).send(zns_message()).provider_ref == "e-9"
    assert esms_zns(url, data_format="object", sandbox=True, phone_format="national").send(zns_message())
    pairs, as_object = (got.body for got in gateway.received)
    assert pairs == {
        "ApiKey": "KEY-1",
        "SecretKey": "SECRET-1",
        "Phone": "84912345678",
        "OAID": OA,
        "TempID": "267247",
        "TempData": [{"key": "number", "value": "A012"}, {"key": "ahead", "value": "3"}],
        "Sandbox": "0",
        "RequestId": KEY,
    }
    assert as_object["TempData"] == {"number": "A012", "ahead": "3"}
    assert as_object["Sandbox"] == "1" and as_object["Phone"] == "0912345678"


def test_a_repeated_request_id_is_taken_as_sent_and_zns_refusals_have_their_kind(gateway):
    url = gateway.answer("/zns", body={"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"})
    assert esms_zns(url).send(zns_message()).provider_ref is None
    for code, failure, kind in [
        ("789", PermanentFailure, "misconfigured"),  # the template is not the OA's
        ("799", PermanentFailure, "misconfigured"),  # the OA is not the account's
        ("108", PermanentFailure, "refused_address"),
        ("103", TemporaryFailure, "misconfigured"),  # the balance: retried once topped up
    ]:
        url = gateway.answer("/zns", body={"CodeResult": code})
        with pytest.raises(failure) as raised:
            esms_zns(url).send(zns_message())
        assert raised.value.kind == kind, code
    with pytest.raises(PermanentFailure, match="no template"):
        esms_zns(url).send(zns_message(event="dossier.result_ready"))


def test_a_key_longer_than_the_gateway_takes_goes_as_the_same_short_request_id_every_time(gateway):
    long_key = "dossier.supplement_requested:1234567:12345678:1234567"
    assert len(long_key) > REQUEST_ID_MAX
    assert request_id(long_key) == request_id(long_key) != request_id(long_key + "0")
    assert len(request_id(long_key)) <= REQUEST_ID_MAX and request_id(KEY) == KEY
    url = gateway.answer("/zns", body={"CodeResult": "100", "SMSID": "e-1"})
    esms_zns(url).send(zns_message(key=long_key))
    sms = CHANNELS["sms"](sms_settings(url), "S", CONFIG)
    sms.send(message())
    sms.send(
        Message(key=long_key, channel="sms", event="ticket.near_turn", recipient="+84912345678", body="x")
    )
    assert [got.body["RequestId"] for got in gateway.received] == [
        request_id(long_key),
        KEY,
        request_id(long_key),
    ]


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"oa_id": ""}, "missing_setting"),
        ({"oa_id": "OA-1"}, "invalid_oa_id"),
        ({"api_key": ""}, "missing_setting"),
        ({"data_format": "xml"}, "invalid_setting"),
        ({"templates": {"ticket.issued": "x1"}}, "invalid_template_id"),
        ({"family": "pigeon"}, "unknown_family"),
    ],
)
def test_zns_through_esms_settings_are_checked(settings, code):
    with pytest.raises(InvalidSettings) as refused:
        Zalo.check_settings({"family": "esms", "api_key": "k", "oa_id": OA} | settings)
    assert refused.value.code == code
    assert Zalo.check_settings({"family": "esms", "api_key": "k", "oa_id": OA})["url"] == EsmsZns.DEFAULT_URL
    assert Zalo.check_settings({})["family"] == "zns"  # sites set up before there was a choice


# -- the administration: channels, "Gửi thử", templates ------------------------------------------

API = "/api/v1/admin/sites/NA-HCC"


@pytest.fixture
def supervisor(app):
    return login(app.test_client(), "supervisor")


def put_sms(client, url: str, secret: str | None = "SECRET-1", **settings):
    body = {
        "enabled": True,
        "settings": {"url": url, "api_key": "KEY-1", "brandname": "HCC NGHEAN", **settings},
    }
    if secret is not None:
        body["secret"] = secret
    return client.put(f"{API}/channels/sms", json=body)


def test_only_the_sites_supervisors_and_admins_configure_its_channels(app, supervisor, officer, kiosk):
    assert error_of(officer.get(f"{API}/channels"), 403) == "forbidden"
    assert error_of(kiosk.get(f"{API}/channels"), 403) == "forbidden"
    assert error_of(app.test_client().get(f"{API}/channels"), 401) == "login_required"
    commune = login(app.test_client(), "officer3")
    assert error_of(commune.put(f"{API}/channels/sms", json={"enabled": False}), 403) == "forbidden"
    assert {row["channel"] for row in supervisor.get(f"{API}/channels").json} >= {"sms", "zalo"}
    admin = login(app.test_client(), "admin")
    assert put_sms(admin, "https://gw.example.vn/send").status_code == 200


@BOTH_DATABASES
def test_a_channels_secret_is_written_and_never_shown_back(app, supervisor, session):
    saved = put_sms(supervisor, "https://gw.example.vn/send", secret="TOP-SECRET-9")
    assert saved.status_code == 200, saved.json
    assert saved.json["secret_set"] is True and "TOP-SECRET-9" not in saved.get_data(as_text=True)
    listed = supervisor.get(f"{API}/channels")
    assert "TOP-SECRET-9" not in listed.get_data(as_text=True)
    sms = next(row for row in listed.json if row["channel"] == "sms")
    assert sms["enabled"] and sms["secret_set"] and sms["settings"]["brandname"] == "HCC NGHEAN"
    assert "/api/v1/notify/NA-HCC/sms/delivery/" in sms["callback_url"]
    # Saved again without a secret: the one set stays, and so does the callback address.
    again = put_sms(supervisor, "https://gw.example.vn/send", secret=None, sandbox=True)
    assert again.json["secret_set"] and again.json["callback_url"] == sms["callback_url"]
    row = session.scalar(select(SiteChannel).where(SiteChannel.channel == "sms"))
    assert row.secret == "TOP-SECRET-9" and row.settings["sandbox"] is True
    # The audit trail never copies it either.
    trail = supervisor.get("/api/v1/audit?site=NA-HCC&q=notify_site_channels")
    assert trail.status_code == 200 and "HCC NGHEAN" in trail.get_data(as_text=True)  # the change is there
    assert "TOP-SECRET-9" not in trail.get_data(as_text=True)
    cleared = put_sms(supervisor, "https://gw.example.vn/send", secret="")
    assert cleared.json["secret_set"] is False


def test_bad_channel_settings_are_refused_with_their_field(supervisor):
    refused = put_sms(supervisor, "https://gw.example.vn/send", brandname="TOO LONG BRANDNAME")
    assert error_of(refused, 400) == "setting_too_long" and refused.json["error"]["field"] == "brandname"
    assert error_of(supervisor.put(f"{API}/channels/fax", json={"enabled": True}), 404) == "unknown_channel"


def test_send_a_test_message_through_the_local_gateway(supervisor, gateway):
    url = gateway.answer("/sms", body={"CodeResult": "100", "SMSID": "t-1"})
    put_sms(supervisor, url)
    sent = supervisor.post(f"{API}/channels/sms/test", json={"address": "0912 345 678"})
    assert sent.status_code == 200, sent.json
    assert sent.json == {"provider_ref": "t-1"}
    (got,) = gateway.received
    assert got.body["Phone"] == "84912345678" and "thử" in got.body["Content"]
    gateway.answer("/sms", body={"CodeResult": "101"})
    failed = supervisor.post(f"{API}/channels/sms/test", json={"address": "0912345678"})
    assert error_of(failed, 502) == "test_failed"
    gateway.answer("/sms", status=503)
    assert error_of(supervisor.post(f"{API}/channels/sms/test", json={"address": "0912345678"}), 502) == (
        "test_failed_temporary"
    )
    assert (
        error_of(supervisor.post(f"{API}/channels/sms/test", json={"address": "12"}), 400) == "invalid_phone"
    )
    assert error_of(supervisor.post(f"{API}/channels/zalo/test", json={"address": "0912345678"}), 409) == (
        "channel_not_configured"
    )


def test_a_kiosk_is_served_while_a_test_message_waits_for_the_gateway(supervisor, kiosk, gateway):
    """The test message's reads end before the gateway is asked: on SQLite every transaction
    holds the write lock (database.begin_immediate), and a gateway that took its time kept
    every kiosk's press waiting behind it (here until the gateway's answer timed out)."""
    pressed = []

    def respond(received):
        press = {"service": "NM-DD", "client_id": "while-sending-1"}
        pressed.append(kiosk.post("/api/v1/sites/NA-HCC/tickets", json=press).status_code)
        return Answer(200, {"CodeResult": "100", "SMSID": "t-2"})

    put_sms(supervisor, gateway.answer("/sms"))
    gateway.respond = respond
    sent = supervisor.post(f"{API}/channels/sms/test", json={"address": "0912345678"})
    assert (sent.status_code, pressed) == (200, [201]), (sent.json, pressed)


def test_send_a_test_zns_with_the_events_template(supervisor, gateway):
    url = gateway.answer("/zns", body={"error": 0, "data": {"msg_id": "z-1"}})
    body = {
        "enabled": True,
        "settings": {"url": url, "templates": {"ticket.near_turn": "4321"}},
        "secret": "tok",
    }
    assert supervisor.put(f"{API}/channels/zalo", json=body).status_code == 200
    sent = supervisor.post(
        f"{API}/channels/zalo/test", json={"address": "0912345678", "event": "ticket.near_turn"}
    )
    assert sent.json == {"provider_ref": "z-1"}
    assert gateway.received[0].body["template_id"] == "4321"
    assert set(gateway.received[0].body["template_data"]) == {"number", "service", "ahead", "site", "link"}


def test_templates_show_the_defaults_and_keep_the_sites_own(supervisor):
    listed = supervisor.get(f"{API}/message-templates").json
    assert listed["max_segments"] == 3
    near = next(
        t
        for t in listed["templates"]
        if (t["event"], t["channel"], t["language"]) == ("ticket.near_turn", "sms", "vi")
    )
    assert "{number}" in near["default_body"] and near["body"] is None
    own = "HCC Nghệ An: số {number} sắp đến lượt. {link}"
    saved = supervisor.put(f"{API}/message-templates/ticket.near_turn/sms/vi", json={"body": own})
    assert saved.status_code == 200, saved.json
    assert saved.json["body"] == own
    bad = supervisor.put(f"{API}/message-templates/ticket.near_turn/sms/vi", json={"body": "Số {so_phieu}"})
    assert error_of(bad, 400) == "invalid_template"
    assert supervisor.delete(f"{API}/message-templates/ticket.near_turn/sms/vi").status_code == 204
    assert error_of(supervisor.put(f"{API}/message-templates/nothing/sms/vi", json={"body": "x"}), 404) == (
        "unknown_event"
    )


def test_an_sms_template_longer_than_the_site_allows_is_refused(supervisor):
    long = "Ông/Bà " * 40 + "{link}"  # about 300 characters with marks: 5 parts of UCS-2
    measured = supervisor.post(f"{API}/message-templates/measure", json={"body": long}).json
    assert measured["encoding"] == "ucs2" and measured["segments"] > 3 and measured["max_segments"] == 3
    refused = supervisor.put(f"{API}/message-templates/ticket.near_turn/sms/vi", json={"body": long})
    assert error_of(refused, 400) == "template_too_long"
    assert refused.json["error"]["segments"] == measured["segments"]
    # The same words unaccented, for a gateway that sends them so, take fewer parts.
    put_sms(supervisor, "https://gw.example.vn/send", unaccented=True, max_segments=3)
    assert supervisor.post(f"{API}/message-templates/measure", json={"body": long}).json["encoding"] == "gsm7"
    assert (
        supervisor.put(f"{API}/message-templates/ticket.near_turn/sms/vi", json={"body": long}).status_code
        == 200
    )
    # E-mail has no parts to count.
    assert (
        supervisor.put(
            f"{API}/message-templates/ticket.near_turn/email/vi", json={"body": long * 3}
        ).status_code
        == 200
    )


# -- the kiosk's phone number --------------------------------------------------------------------


def enable(session, *channels, site_code="NA-HCC", **settings):
    helpers.enable_channels(session, *channels, code=site_code, settings=settings, secret="s")


@BOTH_DATABASES
def test_the_kiosk_subscribes_the_ticket_it_just_printed(app, session, kiosk):
    enable(session, "sms", "zalo")
    ticket = issue(kiosk)
    made = kiosk.post(f"/api/v1/tickets/{ticket['id']}/subscriptions", json={"phone": "0912 345 678"})
    assert made.status_code == 201, made.json
    assert made.json == {"channel": "sms", "phone": "+84912***678", "near_turn_ahead": 3}
    (subscription,) = session.scalars(select(Subscription)).all()
    assert (subscription.ticket_id, subscription.address, subscription.via) == (
        ticket["id"],
        "+84912345678",
        "kiosk",
    )
    assert subscription.near_turn_ahead == NEAR_TURN_DEFAULT
    # Typed again (the citizen fixed a digit of the same number): still one subscription.
    assert (
        kiosk.post(
            f"/api/v1/tickets/{ticket['id']}/subscriptions", json={"phone": "+84912345678"}
        ).status_code
        == 201
    )
    assert len(session.scalars(select(Subscription)).all()) == 1


def test_the_kiosk_refuses_a_bad_number_and_a_ticket_not_its_own(app, session, kiosk):
    ticket = issue(kiosk)
    url = f"/api/v1/tickets/{ticket['id']}/subscriptions"
    assert error_of(kiosk.post(url, json={"phone": "0912345678"}), 409) == "no_phone_channel"
    enable(session, "zalo")
    assert error_of(kiosk.post(url, json={"phone": "12345"}), 400) == "invalid_phone"
    assert error_of(kiosk.post(url, json={"phone": "024 3825 1234"}), 400) == "not_a_mobile"
    assert kiosk.post(url, json={"phone": "0912345678"}).json["channel"] == "zalo"
    other = device_client(app, device_token(app, "kiosk", "NA-TRUONGVINH", "kiosk xã"))
    assert error_of(other.post(url, json={"phone": "0912345678"}), 404) == "unknown_ticket"
    officer = login(app.test_client(), "officer1")
    assert error_of(officer.post(url, json={"phone": "0912345678"}), 403) == "device_only"
    app.config["NOTIFY_KIOSK_SUBSCRIBE_MINUTES"] = 0
    assert error_of(kiosk.post(url, json={"phone": "0912345678"}), 404) == "unknown_ticket"


# -- delivery reports ----------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_delivery_report_marks_the_message_delivered_once(app, session, supervisor):
    put_sms(supervisor, "https://gw.example.vn/send")
    callback = next(row for row in supervisor.get(f"{API}/channels").json if row["channel"] == "sms")[
        "callback_url"
    ]
    path = callback[callback.index("/api/") :]
    site = helpers.site(session)
    now = utcnow()
    sent = Notification(
        key=KEY,
        site_id=site.id,
        event="ticket.near_turn",
        channel="sms",
        recipient="+84912345678",
        body="x",
        params={},
        status=NotificationStatus.SENT,
        attempts=1,
        created_at=now,
        next_attempt_at=now,
        sent_at=now,
        provider_ref="esms-1",
    )
    session.add(sent)
    session.commit()
    gateway = app.test_client()
    assert gateway.get(f"{path}?SMSID=esms-1&RequestId={KEY}&SendStatus=7").status_code == 204
    session.refresh(sent)
    assert sent.status == NotificationStatus.SENT  # with the operator: nothing final yet
    assert gateway.get(f"{path}?SMSID=esms-1&RequestId={KEY}&SendStatus=5").status_code == 204
    session.refresh(sent)
    assert sent.status == NotificationStatus.DELIVERED and sent.delivered_at is not None
    first = sent.delivered_at
    assert gateway.post(path, json={"SMSID": "esms-1", "SendStatus": "4"}).status_code == 204  # a late repeat
    session.refresh(sent)
    assert sent.status == NotificationStatus.DELIVERED and sent.delivered_at == first
    assert error_of(gateway.get(path[:-3] + "xyz?SMSID=esms-1&SendStatus=5"), 404) == "unknown_callback"


# -- the report's message counts -----------------------------------------------------------------


@BOTH_DATABASES
def test_the_report_counts_messages_sent_delivered_and_failed_per_channel(app, session, supervisor):
    site, other = helpers.site(session), helpers.site(session, "NA-TRUONGVINH")
    in_period = helpers.local(2026, 11, 10, 9, 0)
    before = helpers.local(2026, 10, 31, 23, 0)
    rows = [
        (site, "sms", NotificationStatus.SENT, in_period),
        (site, "sms", NotificationStatus.DELIVERED, in_period),
        (site, "sms", NotificationStatus.DELIVERED, in_period),
        (site, "sms", NotificationStatus.FAILED, in_period),
        (site, "sms", NotificationStatus.PENDING, in_period),  # not sent yet: in no column
        (site, "zalo", NotificationStatus.FAILED, in_period),
        (site, "sms", NotificationStatus.SENT, before),  # another period
        (other, "sms", NotificationStatus.SENT, in_period),  # another site
    ]
    for number, (where, channel, status, at) in enumerate(rows):
        session.add(
            Notification(
                key=f"test:{number}",
                site_id=where.id,
                event="ticket.near_turn",
                channel=channel,
                recipient="+84912345678",
                body="x",
                params={},
                status=status,
                attempts=1,
                created_at=at,
                next_attempt_at=at,
            )
        )
    session.commit()
    period = "from=2026-11-01&to=2026-11-30"
    report = supervisor.get(f"/api/v1/reports?site=NA-HCC&{period}").json
    by_channel = {row["channel"]: row for row in report["messages"]}
    assert by_channel["sms"] == {"channel": "sms", "sent": 3, "delivered": 2, "failed": 1}
    assert by_channel["zalo"] == {"channel": "zalo", "sent": 0, "delivered": 0, "failed": 1}
    assert by_channel["email"] == {"channel": "email", "sent": 0, "delivered": 0, "failed": 0}
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{period}&section=messages").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert table[0] == ["Kênh", "Đã gửi", "Đã đến máy người nhận", "Không gửi được"]
    assert ["Tin nhắn SMS", "3", "2", "1"] in table
