"""A counter's keypad and LED display, through the agent, against a live server."""

import os
import select
import time

import pytest

from hardware.counter_bus import CounterBus, Frame, FrameReader, encode
from kiosk.agent import CounterDevices
from queue_server.auth.services import issue_device_token
from queue_server.database import db

from .helpers import issue_over_http, staff_session


class Line:
    """The keypad/display end of a pseudo-terminal pair."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        self.reader = FrameReader()
        self.frames = []

    def press(self, key: str, address: int = 3) -> None:
        os.write(self.fd, encode(Frame(address, "K", key)))

    def wait_for(self, wanted: Frame, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.frames:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{wanted} never arrived; got {self.frames}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                self.frames.extend(self.reader.feed(os.read(self.fd, 1024)))
        self.frames.clear()


@pytest.fixture
def line_pair(pty_pair):
    devices, host = pty_pair
    return Line(devices), host


def test_keypad_presses_call_and_finish_and_the_display_follows_the_console_too(
    app, database_url, live_server_factory, kiosk_token, line_pair
):
    server = live_server_factory(database_url)
    with app.app_context():
        _, token = issue_device_token(db.session, "counter", "NA-HCC", "Quầy 3 keypad", counter_number=3)
        db.session.commit()
    first, second = (issue_over_http(server.url, kiosk_token) for _ in range(2))
    line, host = line_pair
    agent = CounterDevices(server.url, token, CounterBus(f"serial://{host}?timeout=0.2"), address=3)
    agent.start()
    try:
        line.press("NEXT")
        line.wait_for(Frame(3, "N", first["number"]))
        staff_session(server.url, "officer1").post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
        line.wait_for(Frame(3, "N", second["number"]))  # called from the console
        line.press("FINISH")
        line.wait_for(Frame(3, "C"))
        ticket = (
            staff_session(server.url, "officer1").get(f"{server.url}/api/v1/tickets/{second['id']}").json()
        )
        assert ticket["status"] == "done"
    finally:
        agent.stop()


def test_a_counter_device_acts_only_at_its_own_counter(app, client, kiosk):
    with app.app_context():
        _, token = issue_device_token(db.session, "counter", "NA-HCC", counter_number=3)
        db.session.commit()
    keypad = {"Authorization": f"Bearer {token}"}
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert client.post("/api/v1/counters/1/call-next", headers=keypad).status_code == 403
    assert client.post("/api/v1/counters/3/call-next", headers=keypad).status_code == 200
    assert (
        client.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}, headers=keypad).status_code
        == 403
    )
