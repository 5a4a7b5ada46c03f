"""One frame per event for a room, written to each of its WebSockets (``live/fanout.py``), against
a real gunicorn (gevent worker) and screens that read the bytes as they arrive (``RawScreen``)."""

import json
import time

from queue_server.live.fanout import text_frame

from .helpers import issue_over_http, staff_session
from .live_client import LiveClient, RawScreen

SITE = {"site": "NA-HCC"}


def _call_next(server, officer) -> dict:
    response = officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


def test_every_screen_of_the_room_gets_the_same_bytes_of_a_call(server, kiosk_token):
    screens = [RawScreen(server.url, SITE) for _ in range(3)]
    client = LiveClient(server.url)
    try:
        for screen in screens:
            screen.wait_for("snapshot")
        client.wait_for("snapshot")
        ticket = issue_over_http(server.url, kiosk_token)
        _call_next(server, staff_session(server.url, "officer1"))
        frames = [screen.next_called() for screen in screens]
        assert {frame for frame, _ in frames} == {frames[0][0]}
        frame, delta = frames[0]
        assert delta["ticket"]["id"] == ticket["id"]
        # The frame is the one simple-websocket builds for that text: nothing else changed on the
        # wire, and a Socket.IO client reads the same event from it.
        text = frame[-len(frame) + (2 if len(frame) < 128 else 4) :].decode()
        assert frame == text_frame(text)
        assert client.wait_for("ticket.called") == delta
    finally:
        for screen in screens:
            screen.close()
        client.close()


def test_a_screen_that_offers_compression_gets_the_same_plain_frames(server, kiosk_token):
    """A browser offers permessage-deflate; a compressed frame could not be shared between
    screens, so the server does not take the offer (the test fails if engineio no longer opens
    its WebSockets through ``live.fanout.SharedFrameWebSocket``)."""
    browser = RawScreen(server.url, SITE, extensions="permessage-deflate; client_max_window_bits")
    plain = RawScreen(server.url, SITE)
    try:
        assert "sec-websocket-extensions" not in browser.response.lower()
        browser.wait_for("snapshot")
        plain.wait_for("snapshot")
        issue_over_http(server.url, kiosk_token)
        _call_next(server, staff_session(server.url, "officer1"))
        assert browser.next_called()[0] == plain.next_called()[0]
    finally:
        browser.close()
        plain.close()


def test_a_stalled_screen_holds_up_no_other_and_later_reads_everything_in_order(server, kiosk_token):
    """A screen that stops reading fills its connection's buffers; the server writes what fits
    and keeps the rest for it, in order, while the other screens get each call at once."""
    stalled = RawScreen(server.url, SITE, receive_buffer=4096)
    stalled.wait_for("snapshot")
    fine = RawScreen(server.url, SITE)
    try:
        seq = fine.wait_for("snapshot")[1]["seq"]
        # Snapshots for it alone, which it does not read, until its buffers are full.
        asked = 0
        while "is behind" not in server.log_tail():
            assert asked < 20_000, "the stalled screen's buffers never filled"
            # A few at a time: the worker answers them one by one, and the calls below wait for it.
            for _ in range(50):
                stalled.send_text("42" + json.dumps(["resync", SITE]))
            asked += 50
            time.sleep(0.2)
        tickets = [issue_over_http(server.url, kiosk_token) for _ in range(5)]
        officer = staff_session(server.url, "officer1")
        for ticket in tickets:
            assert _call_next(server, officer)["id"] == ticket["id"]
            assert fine.next_called()[1]["ticket"]["id"] == ticket["id"]
        # It reads again: every snapshot whole, then the calls, numbered without a gap.
        seqs, called, snapshots = [], [], 0
        while len(called) < len(tickets):
            _, name, payload = stalled.next_event(timeout=30)
            if name == "snapshot":
                snapshots += 1
                continue
            for delta in payload if name == "deltas" else [payload]:
                if isinstance(delta, dict) and delta.get("seq") is not None:
                    seqs.append(delta["seq"])
                    if delta["type"] == "ticket.called":
                        called.append(delta["ticket"]["id"])
        assert snapshots == asked
        assert called == [ticket["id"] for ticket in tickets]
        assert seqs == list(range(seq + 1, seq + 1 + len(seqs)))
    finally:
        stalled.close()
        fine.close()


def test_a_screen_that_vanished_does_not_stop_the_others(server, kiosk_token):
    gone = [RawScreen(server.url, SITE) for _ in range(3)]
    screens = [RawScreen(server.url, SITE) for _ in range(2)]
    try:
        for screen in gone + screens:
            screen.wait_for("snapshot")
        for screen in gone:
            screen.vanish()
        officer = staff_session(server.url, "officer1")
        for _ in range(2):
            ticket = issue_over_http(server.url, kiosk_token)
            assert _call_next(server, officer)["id"] == ticket["id"]
            for screen in screens:
                assert screen.next_called()[1]["ticket"]["id"] == ticket["id"]
    finally:
        for screen in screens:
            screen.close()
