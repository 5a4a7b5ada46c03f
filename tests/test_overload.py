"""The line in front of a kind of request (``overload.Line``): a press beyond the cap waits
its turn, first come first served, up to a bound; one that could not be served within it is
refused at once with the time after which there is expected to be room."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import requests.adapters

from queue_server.overload import Line, retry_after_ms

from .helpers import ROOT


def _wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_those_waiting_get_the_slots_in_the_order_they_came():
    line = Line(1)
    assert line.enter(1) is None  # the slot, at once
    served: list[int] = []

    def press(i):
        assert line.enter(5) is None
        served.append(i)
        line.leave(0.01)

    threads = []
    for i in range(3):
        threads.append(threading.Thread(target=press, args=(i,)))
        threads[-1].start()
        _wait_for(lambda n=i + 1: len(line.waiting) == n)
    line.leave(0.01)
    for thread in threads:
        thread.join(5)
    assert served == [0, 1, 2] and line.working == 0 and not line.waiting


def test_a_wait_that_runs_out_leaves_the_line_and_says_when_to_come_back():
    line = Line(2)
    assert line.enter(1) is None and line.enter(1) is None
    line.mean_s = 0.1  # two at once, a tenth of a second each: the next in line waits 50 ms
    started = time.monotonic()
    assert line.enter(0.06) == 0.05  # waited its 60 ms, still the next in line
    assert 0.06 <= time.monotonic() - started < 1
    assert not line.waiting and line.working == 2


def test_a_press_the_line_could_not_serve_in_time_is_refused_without_waiting():
    line = Line(1)
    line.enter(1)
    line.mean_s = 0.2
    waiting = threading.Thread(target=line.enter, args=(5,))
    waiting.start()
    _wait_for(lambda: len(line.waiting) == 1)
    started = time.monotonic()
    assert line.enter(0.3) == 0.4  # second in line at 0.2 s each: more than it would wait
    assert time.monotonic() - started < 0.1 and len(line.waiting) == 1
    line.leave(0.2)
    waiting.join(5)
    assert line.working == 1 and not line.waiting


def test_the_mean_time_follows_the_requests_and_the_suggested_retry_is_bounded():
    line = Line(4)
    line.enter(0)
    line.leave(0.08)
    assert line.mean_s == 0.08  # the first request sets it
    for _ in range(200):
        line.enter(0)
        line.leave(0.02)
    assert abs(line.mean_s - 0.02) < 0.001
    assert (retry_after_ms(0), retry_after_ms(0.3456), retry_after_ms(60)) == (100, 346, 10_000)


def test_a_burst_of_presses_on_one_gevent_worker_waits_its_turn_instead_of_being_refused(
    app, database_url, live_server_factory, kiosk_token
):
    """32 presses at once against a cap of 2 on one gevent worker on SQLite: every press is
    answered with its own number, none refused, none lost; waiting greenlets hold no lock."""
    server = live_server_factory(database_url, ISSUE_MAX_INFLIGHT="2", ISSUE_MAX_WAIT_MS="5000")
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {kiosk_token}"
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    def press(i):
        body = {"service": "NM-DD", "client_id": f"burst-{i:04d}"}
        return http.post(f"{server.url}/api/v1/sites/NA-HCC/tickets", json=body, timeout=30)

    for burst in range(3):  # one after the other
        with ThreadPoolExecutor(32) as pool:
            answers = list(pool.map(press, range(burst * 32, burst * 32 + 32)))
        assert {a.status_code for a in answers} == {201}
    numbers = sorted(int(a.json()["number"]) for a in answers)
    assert numbers == list(range(3001 + 64, 3001 + 96))


# One gevent process: kiosks pressing (each press 2 ms of CPU and no I/O, as on SQLite) behind a
# cap of 2, and a socket that becomes readable while they press. Prints how many presses ran
# between the byte's arrival and its reader's turn, the most slots held, and how many ran.
_STARVATION = """
from gevent import monkey
monkey.patch_all()
import json, os, socket, time
import gevent
from flask import Flask
from queue_server.overload import shed_load

app = Flask("line")
app.config.update(CAP=2, PATIENCE_MS=60_000)
state = {"most": 0, "done": 0}

@shed_load("CAP", "PATIENCE_MS")
def press():
    state["most"] = max(state["most"], app.extensions["shed_load"]["CAP"].working)  # slots held
    started = time.perf_counter()
    while time.perf_counter() - started < 0.002:
        pass
    state["done"] += 1

def kiosk():
    with app.app_context():
        for _ in range(25):
            press()

reader, writer = socket.socketpair()
waits = []

def read():
    for _ in range(5):
        reader.recv(1)
        waits.append(state["done"] - written.pop(0))

written = []
real_sleep = monkey.get_original("time", "sleep")

def write():  # a thread of the system's, outside gevent's loop: a request arriving
    real_sleep(0.02)
    for _ in range(5):
        written.append(state["done"])
        os.write(writer.fileno(), b"x")
        real_sleep(0.015)

monkey.get_original("_thread", "start_new_thread")(write, ())
gevent.joinall([gevent.spawn(read)] + [gevent.spawn(kiosk) for _ in range(16)])
print(json.dumps({"waits": waits, "most": state["most"], "done": state["done"]}))
"""


def test_presses_without_io_let_a_waiting_socket_in_within_two_turns_of_the_cap():
    """A press on SQLite does no I/O from its slot to its answer. Each press with its slot lets
    the event loop look at its sockets once (``greenlets.let_io_in``), so a request arriving
    meanwhile (an officer's call) is read after the presses of the loop's turn in progress and
    of the next, the cap of each: 4 here, every time. Without it the line never filled (one
    slot held at a time) and the socket waited for every press that was ready. The cap holds,
    and every press runs."""
    done = subprocess.run(
        [sys.executable, "-c", _STARVATION], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["done"] == 16 * 25 and result["most"] == 2
    assert len(result["waits"]) == 5 and max(result["waits"]) <= 2 * 2, result
