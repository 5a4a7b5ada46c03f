"""Live events over Socket.IO against a real gunicorn server (gevent worker)."""

import json
import time

import pytest
import redis
import socketio

from queue_server.database import db

from .helpers import LIVE_CHANNEL, issue_over_http, staff, staff_session
from .live_client import LiveClient


def test_a_screen_gets_a_snapshot_then_numbered_deltas(server, kiosk_token):
    officer = staff_session(server.url, "officer1")
    screen, staff = LiveClient(server.url), LiveClient(server.url, staff=officer)
    try:
        snapshot = screen.wait_for("snapshot")
        assert snapshot["site"]["code"] == "NA-HCC" and snapshot["waiting"] == []
        assert staff.wait_for("snapshot")["seq"] == snapshot["seq"]
        ticket = issue_over_http(server.url, kiosk_token)
        # Staff are told of each ticket issued, as a notice without a place in the sequence.
        issued = staff.wait_for("ticket.issued")
        assert issued["seq"] is None and issued["ticket"]["number"] == ticket["number"]
        # A public screen is not sent it; it sees the waiting count move.
        stats = screen.wait_for("queue.stats")
        assert stats["as_of"] == snapshot["seq"]
        assert {s["code"]: s["waiting"] for s in stats["services"]}["NM-DD"] == 1
        assert officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
        called = screen.wait_for("ticket.called")
        assert called["seq"] == snapshot["seq"] + 1
        assert staff.wait_for("ticket.called")["seq"] == called["seq"]
        assert [name for name, *_ in screen.drain() if name == "ticket.issued"] == []
    finally:
        screen.close()
        staff.close()


def test_a_call_next_reaches_a_screen_as_one_message_of_deltas_in_order(server, kiosk_token):
    """The ticket finished and the next one called are committed together and travel together."""
    first, second = issue_over_http(server.url, kiosk_token), issue_over_http(server.url, kiosk_token)
    officer = staff_session(server.url, "officer1")
    call_next = f"{server.url}/api/v1/counters/3/call-next"
    assert officer.post(call_next, timeout=10).json()["ticket"]["id"] == first["id"]
    screen = LiveClient(server.url)
    phone = LiveClient(server.url, ticket=first["track_url"].rsplit("/", 1)[1])
    try:
        seq = screen.wait_for("snapshot")["seq"]
        phone.wait_for("ticket.state")
        assert officer.post(call_next, timeout=10).json()["ticket"]["id"] == second["id"]
        finished = screen.wait_for("ticket.finished")
        called = screen.wait_for("ticket.called")
        assert (finished["ticket"]["id"], finished["seq"]) == (first["id"], seq + 1)
        assert (called["ticket"]["id"], called["seq"]) == (second["id"], seq + 2)
        assert screen.messages[-1] == "deltas" and screen.messages.count("deltas") == 1
        assert "ticket.finished" not in screen.messages and "ticket.called" not in screen.messages
        # The phone of the finished ticket gets its own delta, on its own.
        assert phone.wait_for("ticket.finished")["ticket"]["status"] == "done"
        assert "deltas" not in phone.messages
    finally:
        screen.close()
        phone.close()


def test_a_phone_follows_its_ticket_only_and_sees_its_place_move(app, server, kiosk_token):
    with app.app_context():
        staff(db.session, [1, 2, 3])  # the land counters have their officers
    first = issue_over_http(server.url, kiosk_token)
    mine = issue_over_http(server.url, kiosk_token)
    phone = LiveClient(server.url, ticket=mine["track_url"].rsplit("/", 1)[1])
    try:
        state = phone.wait_for("ticket.state")
        assert state["number"] == mine["number"] and state["people_ahead"] == 1
        assert state["counters"] == [1, 2, 3]
        officer = staff_session(server.url, "officer1")
        assert (
            officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).json()["ticket"]["id"]
            == first["id"]
        )
        standing = phone.wait_for("ticket.standing")
        assert standing == {**standing, "id": mine["id"], "people_ahead": 0, "position": 1}
        officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
        called = phone.wait_for("ticket.called")
        assert called["ticket"]["id"] == mine["id"] and called["ticket"]["counter"] == 3
        left = phone.wait_for("ticket.standing")  # no longer in the queue: no place
        assert left == {"id": mine["id"]}
        # Nothing of other tickets, and no snapshot of the site (it holds other tickets).
        others = [
            (name, payload)
            for name, payload in phone.drain()
            if name == "snapshot" or (payload.get("ticket") or {}).get("id", mine["id"]) != mine["id"]
        ]
        assert others == []
    finally:
        phone.close()
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(server.url, ticket="not-a-ticket-key")


def test_a_phone_far_back_hears_of_its_place_less_often_than_one_near_the_front(server, kiosk_token):
    """A ticket 9 places back is placed again only seconds after its last look (0.5 s a person
    ahead, :func:`~queue_server.live.standing.next_look_after`); one 2 places back at each look."""
    tickets = [issue_over_http(server.url, kiosk_token) for _ in range(10)]
    near = LiveClient(server.url, ticket=tickets[2]["track_url"].rsplit("/", 1)[1])
    far = LiveClient(server.url, ticket=tickets[9]["track_url"].rsplit("/", 1)[1])
    officer = staff_session(server.url, "officer1")
    call_next = f"{server.url}/api/v1/counters/3/call-next"
    try:
        assert near.wait_for("ticket.state")["people_ahead"] == 2
        state, connected = far.arrival("ticket.state")
        assert state["people_ahead"] == 9
        officer.post(call_next, timeout=10)
        called = time.monotonic()
        assert near.wait_for("ticket.standing")["people_ahead"] == 1
        assert time.monotonic() - called < 2  # at the next look (every 0.2 s here)
        standing, arrived = far.arrival("ticket.standing", timeout=10)
        assert (standing["people_ahead"], standing["position"]) == (8, 9)
        assert arrived - connected >= 4.5 - 0.1  # 9 ahead when it connected: 4.5 s later
        officer.post(call_next, timeout=10)
        officer.post(call_next, timeout=10)
        # Two moves within its wait (8 ahead: 4 s) reach it as one message, the newest.
        standing, later = far.arrival("ticket.standing", timeout=10)
        assert standing["people_ahead"] == 6 and later - arrived >= 4 - 0.1
        assert [name for name, *_ in far.drain() if name == "ticket.standing"] == []
    finally:
        near.close()
        far.close()


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
        assert fresh["seq"] == first["seq"]  # tickets issued move no sequence, but are there
        assert [t["number"] for t in fresh["waiting"]] == ["3001", "3002"]
    finally:
        screen.close()


def test_an_unknown_site_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(server.url, site="NOWHERE")
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(server.url, counter=99999)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_events_reach_the_screens_of_every_process_through_redis_each_once_and_in_order(
    app, database_url, redis_url, live_server_factory, kiosk_token
):
    """The screens of the process that took the number and made the calls get them as those of
    the other do: each event once, in sequence (the process writes its own events to its
    sockets when Redis hands them back, live/queue.py), and a phone following a ticket gets its
    call from the same message (a call's events go to Redis as one)."""
    first = live_server_factory(database_url, message_queue=redis_url)
    second = live_server_factory(database_url, message_queue=redis_url)
    screens = [
        LiveClient(server.url, staff=staff_session(server.url, "officer1")) for server in (first, second)
    ]
    phone = None
    try:
        snapshots = [screen.wait_for("snapshot") for screen in screens]
        tickets = [issue_over_http(second.url, kiosk_token) for _ in range(3)]
        phone = LiveClient(first.url, ticket=tickets[-1]["track_url"].rsplit("/", 1)[1])
        phone.wait_for("ticket.state")
        officer = staff_session(second.url, "officer1")
        channels = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        channels.psubscribe("*")  # the servers' Socket.IO channel, whatever its name
        for _ in tickets:
            assert officer.post(f"{second.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
        published = []
        quiet_from = time.monotonic() + 1.0  # (get_message answers None for the subscription too)
        while time.monotonic() < quiet_from:
            if (message := channels.get_message(timeout=0.2)) is not None:
                published.append(message["data"])
        channels.close()
        # Each call's events (the hall's deltas, the phones' ticket rooms) were one message.
        calls = [data for data in published if b"ticket.called" in data]
        assert len(calls) == 3 and all(b'"method": "batch"' in data for data in calls), published
        for screen, snapshot in zip(screens, snapshots, strict=True):
            events: list[tuple[str, dict]] = []
            deadline = time.monotonic() + 10
            while not any(
                name == "ticket.called" and p["ticket"]["id"] == tickets[-1]["id"] for name, p in events
            ):
                assert time.monotonic() < deadline, events
                time.sleep(0.05)
                events += [(name, payload) for name, payload in screen.drain() if name != "queue.stats"]
            time.sleep(0.5)  # a second copy of any event would have come by now
            events += [(name, payload) for name, payload in screen.drain() if name != "queue.stats"]
            issued = [p["ticket"]["id"] for name, p in events if name == "ticket.issued"]
            assert "snapshot" not in [name for name, _ in events]  # nothing made the screen resync
            sequenced = [p for name, p in events if p.get("seq") is not None]
            called = [p["ticket"]["id"] for p in sequenced if p["type"] == "ticket.called"]
            assert issued == [t["id"] for t in tickets] and called == [t["id"] for t in tickets]
            # Two calls also finished the ticket before: 5 deltas, numbered without gap or repeat.
            assert [p["seq"] for p in sequenced] == list(range(snapshot["seq"] + 1, snapshot["seq"] + 6))
        called = phone.wait_for("ticket.called")
        assert called["ticket"]["id"] == tickets[-1]["id"] and called["ticket"]["counter"] == 3
    finally:
        for screen in screens:
            screen.close()
        if phone is not None:
            phone.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_processes_sharing_redis_send_one_waiting_count_a_second_with_what_each_took(
    app, database_url, redis_url, live_server_factory, kiosk_token
):
    """Two processes take tickets for the site all the time; its screens get one ``queue.stats``
    per interval, not one from each process, and it carries the services both took."""
    first = live_server_factory(database_url, message_queue=redis_url, LIVE_STATS_SECONDS="1")
    second = live_server_factory(database_url, message_queue=redis_url, LIVE_STATS_SECONDS="1")
    screens = [LiveClient(first.url), LiveClient(second.url)]
    try:
        for screen in screens:
            screen.wait_for("snapshot")
        began = time.monotonic()
        for i in range(20):  # 5 s: land at the first process, environment at the second
            issue_over_http(first.url, kiosk_token, "NM-DD")
            issue_over_http(second.url, kiosk_token, "NM-MT")
            time.sleep(max(0.0, began + (i + 1) * 0.25 - time.monotonic()))
        taken = time.monotonic() - began
        time.sleep(3)  # two intervals: the last figures are on their way at most that long
        for screen in screens:
            frames = [stats for name, stats in screen.drain() if name == "queue.stats"]
            latest = {s["code"]: s["waiting"] for stats in frames for s in stats["services"]}
            assert latest == {"NM-DD": 20, "NM-MT": 20}  # every ticket of both, whoever took it
            # One a second while tickets came (and the one after them), give or take a tick;
            # with each process sending its own, about twice as many.
            assert 3 <= len(frames) <= taken + 3, [stats["services"] for stats in frames]
    finally:
        for screen in screens:
            screen.close()


def test_a_process_tells_staff_of_its_tickets_issued_in_one_message_each_notice_once_and_in_order(
    database_url, redis_url, live_server_factory, kiosk_token
):
    """The notices of the tickets a process issued within ``LIVE_NOTICE_SECONDS`` go to Redis
    as one message (live/notices.py), and reach staff as before: one ``ticket.issued`` each,
    without a place in the sequence, in the order the tickets were taken."""
    server = live_server_factory(
        database_url, message_queue=redis_url, LIVE_NOTICE_SECONDS="1", LIVE_STATS_SECONDS="0"
    )
    staff = LiveClient(server.url, staff=staff_session(server.url, "officer1"))
    channels = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    try:
        staff.wait_for("snapshot")
        channels.subscribe(LIVE_CHANNEL)  # this run's servers' channel
        channels.get_message(timeout=5)  # Redis's confirmation (answered as None): subscribed
        began = time.monotonic()
        tickets = [issue_over_http(server.url, kiosk_token) for _ in range(5)]
        took = time.monotonic() - began
        notices: list[dict] = []
        deadline = time.monotonic() + 10
        while len(notices) < len(tickets):
            assert time.monotonic() < deadline, notices
            time.sleep(0.05)
            notices += [payload for name, payload in staff.drain() if name == "ticket.issued"]
        time.sleep(0.5)  # a second copy of any notice would have come by now
        notices += [payload for name, payload in staff.drain() if name == "ticket.issued"]
        assert [n["ticket"]["id"] for n in notices] == [t["id"] for t in tickets]
        assert {n["seq"] for n in notices} == {None}
        published = []
        quiet_from = time.monotonic() + 0.5
        while time.monotonic() < quiet_from:
            if (message := channels.get_message(timeout=0.1)) is not None:
                published.append(message["data"])
        told = []  # the events of each message (a batch's, live/queue.py), as emitted
        for data in published:
            message = json.loads(data)
            told.append([m["event"] for m in message.get("messages", [message])])
        # One message an interval: one, unless this machine took over a second for five tickets.
        assert 1 <= len(told) <= 1 + int(took), (took, told)
        assert sum(told, []) == ["ticket.issued"] * len(tickets)
    finally:
        channels.close()
        staff.close()
