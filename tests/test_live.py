"""Live events over Socket.IO against a real gunicorn server (gevent worker)."""

import pytest
import socketio

from .conftest import issue_over_http, staff_session
from .live_client import LiveClient


@pytest.fixture
def server(app, database_url, live_server_factory):
    return live_server_factory(database_url)


def test_a_screen_gets_a_snapshot_then_numbered_deltas(server, kiosk_token):
    screen = LiveClient(server.url)
    try:
        snapshot = screen.wait_for("snapshot")
        assert snapshot["site"]["code"] == "NA-HCC" and snapshot["waiting"] == []
        ticket = issue_over_http(server.url, kiosk_token)
        issued = screen.wait_for("ticket.issued")
        assert issued["seq"] == snapshot["seq"] + 1
        assert issued["ticket"]["number"] == ticket["number"]
        stats = screen.wait_for("queue.stats")
        assert stats["as_of"] == issued["seq"]
        assert {s["code"]: s["waiting"] for s in stats["services"]}["NM-DD"] == 1
    finally:
        screen.close()


def test_a_call_reaches_the_hall_and_the_counter_room_with_the_announcement(server, kiosk_token):
    hall = LiveClient(server.url)
    led = LiveClient(server.url, counter=3)
    other_led = LiveClient(server.url, counter=5)
    try:
        ticket = issue_over_http(server.url, kiosk_token)
        officer = staff_session(server.url, "officer1")
        assert officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
        for client in (hall, led):
            called = client.wait_for("ticket.called")
            assert called["ticket"]["number"] == ticket["number"]
            assert called["ticket"]["counter"] == 3
            assert called["announcement"] == f"Xin mời công dân có số thứ tự {ticket['number']} đến quầy số 3"
        officer.post(f"{server.url}/api/v1/tickets/{ticket['id']}/recall", timeout=10)
        assert hall.wait_for("ticket.recalled")["ticket"]["recall_count"] == 1
        # A counter display hears the calls of its own counter only (and the site room's).
        other_led.wait_for("ticket.called")  # through the site room
        with pytest.raises(AssertionError):
            other_led.wait_for("ticket.called", timeout=0.5)
    finally:
        for client in (hall, led, other_led):
            client.close()


def test_a_client_that_asks_to_resync_gets_a_fresh_snapshot(server, kiosk_token):
    screen = LiveClient(server.url)
    try:
        first = screen.wait_for("snapshot")
        issue_over_http(server.url, kiosk_token)
        issue_over_http(server.url, kiosk_token)
        screen.sio.emit("resync", {"site": "NA-HCC"})
        fresh = screen.wait_for("snapshot")
        assert fresh["seq"] == first["seq"] + 2
        assert [t["number"] for t in fresh["waiting"]] == ["3001", "3002"]
    finally:
        screen.close()


def test_an_unknown_site_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(server.url, site="NOWHERE")
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(server.url, counter=99999)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_events_reach_clients_of_another_process_through_redis(
    app, database_url, redis_url, live_server_factory, kiosk_token
):
    first = live_server_factory(database_url, message_queue=redis_url)
    second = live_server_factory(database_url, message_queue=redis_url)
    screen = LiveClient(first.url)
    try:
        snapshot = screen.wait_for("snapshot")
        ticket = issue_over_http(second.url, kiosk_token)
        issued = screen.wait_for("ticket.issued")
        assert issued["ticket"]["id"] == ticket["id"]
        assert issued["seq"] == snapshot["seq"] + 1
        officer = staff_session(second.url, "officer1")
        officer.post(f"{second.url}/api/v1/counters/3/call-next", timeout=10)
        assert screen.wait_for("ticket.called")["ticket"]["id"] == ticket["id"]
    finally:
        screen.close()
