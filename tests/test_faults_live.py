"""Fault tests of the live side: the message queue going away, a screen losing its network.

Real components throughout: gunicorn with gevent workers, PostgreSQL or SQLite, a redis-server
of the test's own (killed, stopped and restarted), Socket.IO clients and headless Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import redis
import requests

from bench.harness import free_port, stop_process, wait_until

from .browser import COUNT_PAGE_WEBSOCKETS
from .helpers import IN_CI, issue_over_http, staff_session
from .live_client import LiveClient

pytestmark = pytest.mark.live  # servers killed and restarted

# A request made while Redis is down or hung must answer well within this (it takes milliseconds
# when Redis refuses connections, about half a second when it does not answer).
REQUEST_BOUND_SECONDS = 5
# How long the display of the second test stays cut off; shorten it while working on the test.
OFFLINE_SECONDS = float(os.environ.get("FAULT_OFFLINE_SECONDS", "60"))


class RedisProcess:
    """A redis-server of the test's own on a free port, which the test may kill and restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start (again, on the same port) and wait until it answers."""
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.RedisError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        """Die as in a crash (SIGKILL): every client's connection breaks at once."""
        self.process.kill()
        self.process.wait()

    def hang(self) -> None:
        """Stop answering (SIGSTOP) while keeping every connection open."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            stop_process(self.process, 5)


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is required under CI (scripts/system-deps.sh installs it)")
        pytest.skip("redis-server not installed; run scripts/system-deps.sh")
    server = RedisProcess()
    yield server
    server.stop()


def timed_post(http: requests.Session, url: str, **kwargs) -> tuple[requests.Response, float]:
    """POST with a timeout (a hanging request fails the test), and how long it took."""
    started = time.monotonic()
    response = http.post(url, timeout=15, **kwargs)
    return response, time.monotonic() - started


def showing_at_counter(number: int, ticket_number: str):
    def match(snapshot: dict) -> bool:
        return any(
            counter["number"] == number and (counter["current"] or {}).get("number") == ticket_number
            for counter in snapshot["counters"]
        )

    return match


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_requests_succeed_while_redis_is_down_and_screens_resync_when_it_returns(
    app, database_url, own_redis, live_server_factory, kiosk_token
):
    handling = live_server_factory(database_url, message_queue=own_redis.url)
    other = live_server_factory(database_url, message_queue=own_redis.url)
    kiosk = requests.Session()
    kiosk.headers["Authorization"] = f"Bearer {kiosk_token}"
    officer = staff_session(handling.url, "officer1")
    # ``there`` is a staff page: it is sent the tickets issued too.
    here, there = LiveClient(handling.url), LiveClient(other.url, staff=staff_session(other.url, "officer2"))
    timings = []

    def post(what: str, http: requests.Session, path: str, **kwargs) -> dict:
        response, took = timed_post(http, f"{handling.url}{path}", **kwargs)
        timings.append((what, response.status_code, round(took, 3)))
        assert 200 <= response.status_code < 300, (what, response.status_code, response.text)
        assert took < REQUEST_BOUND_SECONDS, timings
        return response.json()

    try:
        for screen in (here, there):
            screen.wait_for("snapshot", timeout=10)
        first = issue_over_http(handling.url, kiosk_token)
        # Events reach the other process through Redis.
        there.wait_for("ticket.issued", timeout=10, where=lambda e: e["ticket"]["id"] == first["id"])

        # Redis hangs: an officer's call must not wait on it, nor a number (the kiosk's limit
        # counts in the same Redis: half a second's wait, then in the process for a while).
        own_redis.hang()
        try:
            post("call-next, Redis hung", officer, "/api/v1/counters/3/call-next")
            for _ in range(2):
                post("issue, Redis hung", kiosk, "/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
        finally:
            own_redis.resume()

        # Redis dies: numbers and calls still work, at once.
        own_redis.kill()
        killed = time.monotonic()
        for _ in range(2):
            post("issue, Redis down", kiosk, "/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
        for _ in range(4):  # the numbers taken while Redis hung and while it was down
            called = post("call-next, Redis down", officer, "/api/v1/counters/3/call-next")["ticket"]
        print("requests while Redis failed (what, status, seconds):", timings)

        # The screen of the process that made the calls saw them; the other one's missed them.
        here.wait_for("ticket.called", timeout=10, where=lambda e: e["ticket"]["id"] == called["id"])
        # Its waiting counts come too, sent by its process alone (the processes share the
        # sending of them through Redis: live/stats.py).
        while here.arrival("queue.stats", timeout=10)[1] < killed:
            pass
        missed = [p["ticket"]["id"] for name, p in there.drain() if name == "ticket.called"]
        assert called["id"] not in missed

        own_redis.start()
        back = time.monotonic()
        fresh = there.wait_for("snapshot", timeout=30, where=showing_at_counter(3, called["number"]))
        print(f"the other process's screen resynced {time.monotonic() - back:.2f} s after Redis returned")
        assert [t["number"] for t in fresh["waiting"]] == []  # every number taken has been called

        # And the queue carries events between the processes again, in sequence.
        later = issue_over_http(handling.url, kiosk_token)
        issued = there.wait_for("ticket.issued", timeout=10, where=lambda e: e["ticket"]["id"] == later["id"])
        assert issued["seq"] is None  # a notice; the calls carry the sequence
        called_before = called["id"]  # at counter 3: the next call finishes it first
        officer.post(f"{handling.url}/api/v1/counters/3/call-next", timeout=15)
        finished = there.wait_for(
            "ticket.finished", timeout=10, where=lambda e: e["ticket"]["id"] == called_before
        )
        called = there.wait_for("ticket.called", timeout=10, where=lambda e: e["ticket"]["id"] == later["id"])
        assert [finished["seq"], called["seq"]] == [fresh["seq"] + 1, fresh["seq"] + 2]  # in order, no gap
    finally:
        here.close()
        there.close()


class TcpTap:
    """A TCP relay between the browser and the server that records the Socket.IO WebSockets
    crossing it: how many the server was sent, and how many are open. It observes what the
    server side sees of one page, whatever the page itself believes."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.websockets: list[dict] = []  # {"opened": monotonic time, "closed": time or None}
        threading.Thread(target=self._accept, daemon=True).start()

    def open_websockets(self) -> int:
        with self.lock:
            return sum(1 for ws in self.websockets if ws["closed"] is None)

    def websockets_opened_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for ws in self.websockets if ws["opened"] >= moment)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        with self.lock:
            self.connections |= {client, upstream}
        record = None
        try:
            request = client.recv(65536)
            first_line = request.split(b"\r\n", 1)[0]
            if b"/socket.io/" in first_line and b"transport=websocket" in first_line:
                record = {"opened": time.monotonic(), "closed": None}
                with self.lock:
                    self.websockets.append(record)
            if request:
                upstream.sendall(request)
                back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
                back.start()
                self._pump(client, upstream)
                back.join()
        except OSError:
            pass
        finally:
            for end in (client, upstream):
                end.close()
            with self.lock:
                self.connections -= {client, upstream}
                if record is not None:
                    record["closed"] = time.monotonic()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        """Copy until either side closes, then close both (the other pump then ends too)."""
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for connection in list(self.connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def tap_factory():
    taps = []

    def start(target_port: int) -> TcpTap:
        tap = TcpTap(target_port)
        taps.append(tap)
        return tap

    yield start
    for tap in taps:
        tap.close()


COUNTER_3_NUMBER = "document.querySelector('[data-counter=\"3\"] .display-counter-number').textContent"
ANNOUNCED = "window.HALL.announcer.spoken.length + window.HALL.announcer.pending()"


def test_a_display_offline_for_a_minute_comes_back_right_with_one_connection(
    app, database_url, live_server_factory, kiosk_token, browser, tap_factory
):
    server = live_server_factory(database_url)
    tap = tap_factory(server.port)  # the display reaches the server through it
    numbers = [issue_over_http(server.url, kiosk_token)["number"] for _ in range(4)]
    officer = staff_session(server.url, "officer1")

    def call_at_counter_3() -> str:
        response = officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["ticket"]["number"]

    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1920, "height": 1080}
    )
    try:
        hall = context.new_page()
        hall.add_init_script(COUNT_PAGE_WEBSOCKETS)
        hall.goto(f"{tap.url}/display/NA-HCC")
        hall.wait_for_selector(".display-counter")
        assert call_at_counter_3() == numbers[0]
        hall.wait_for_function(f"() => {COUNTER_3_NUMBER} === '{numbers[0]}'", timeout=10_000)
        hall.wait_for_function(f"() => {ANNOUNCED} === 1")
        assert tap.open_websockets() == 1

        # Offline: Chromium closes the page's WebSocket at once (the server sees it close) and
        # refuses its attempts to reconnect.
        context.set_offline(True)
        cut = time.monotonic()
        hall.wait_for_selector("#offline:not([hidden])", timeout=10_000)
        wait_until(lambda: tap.open_websockets() == 0, 10, "the server's side of the WebSocket closed")
        missed = [call_at_counter_3(), call_at_counter_3()]
        assert missed == numbers[1:3]
        time.sleep(max(0.0, OFFLINE_SECONDS - (time.monotonic() - cut)))  # the outage itself
        assert tap.websockets_opened_since(cut) == 0  # nothing got through

        context.set_offline(False)
        back = time.monotonic()
        hall.wait_for_function(f"() => {COUNTER_3_NUMBER} === '{missed[-1]}'", timeout=20_000)
        print(f"offline {back - cut:.0f} s; the hall was right {time.monotonic() - back:.2f} s after")
        hall.wait_for_selector("#offline", state="hidden", timeout=5_000)
        recent = hall.eval_on_selector_all(
            "#recent li span:first-child", "spans => spans.map(s => s.textContent)"
        )
        assert recent[:3] == [missed[1], missed[0], numbers[0]]
        # Calls missed while offline are shown, not announced a minute late, and nothing twice.
        assert hall.evaluate(ANNOUNCED) == 1

        # A call made now is shown and announced once: one connection, no duplicates.
        now = call_at_counter_3()
        hall.wait_for_function(f"() => {COUNTER_3_NUMBER} === '{now}'", timeout=10_000)
        hall.wait_for_function(
            "() => window.HALL.announcer.spoken.length >= 2 && window.HALL.announcer.pending() === 0",
            timeout=20_000,
        )
        spoken = hall.evaluate("window.HALL.announcer.spoken")
        assert [(s["number"], s["counter"]) for s in spoken] == [(numbers[0], 3), (now, 3)]
        assert tap.open_websockets() == 1, tap.websockets
        assert tap.websockets_opened_since(back) == 1, tap.websockets  # no reconnection loop
        assert hall.evaluate("window.openSockets") == 1
        assert hall.evaluate("window.HALL.live.socket.connected") is True
    finally:
        context.close()
