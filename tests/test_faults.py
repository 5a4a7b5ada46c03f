"""Faults under load (issue 7): a worker killed, a retried press, the database restarted.

The kiosks here behave as kiosk.js does: one ``client_id`` per press, sent again with the same id
when the answer is lost. Nothing may be lost or taken twice, whatever dies in the middle.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter as Tally
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from bench.harness import free_port, wait_until
from bench.stack import prepare

from .helpers import psycopg_url, staff_session

SERVICES = ["NM-DD", "TP-LLTP", "XD-GPXD", "TC-DKDN"]


def press(
    base_url: str, token: str, service: str, client_id: str, deadline: float, statuses: Tally | None = None
) -> dict:
    """One press of a kiosk button, resent with the same id until it gets an answer."""
    headers = {"Authorization": f"Bearer {token}"}
    body = {"service": service, "client_id": client_id}
    while True:
        try:
            response = requests.post(
                f"{base_url}/api/v1/sites/NA-HCC/tickets", json=body, headers=headers, timeout=10
            )
        except requests.RequestException:
            response = None
        if statuses is not None and response is not None:
            statuses[response.status_code] += 1
        if response is not None and response.status_code in (200, 201):
            return response.json()
        if response is not None and response.status_code < 500:
            raise AssertionError(f"refused: {response.status_code} {response.text}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer for press {client_id}")
        time.sleep(0.2)


def busiest_worker(server) -> int:
    """The worker process holding the most established connections on the server's port."""
    listing = subprocess.run(
        ["ss", "-Htnp", "state", "established", "sport", "=", f":{server.port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    held = Tally(int(pid) for pid in re.findall(r"pid=(\d+)", listing))
    workers = server.worker_pids()
    return max(workers, key=lambda pid: held.get(pid, 0))


def tickets_in(database_url: str) -> list[tuple]:
    engine = create_engine(psycopg_url(database_url))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT client_id, issued_service_id, sequence, number FROM tickets ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@contextmanager
def kiosks_sending(base_url: str, token: str, presses: list[tuple[str, str]], kiosks: int, statuses=None):
    """``kiosks`` kiosks in threads sharing ``presses`` (client id, service), each pressed until
    answered (for two minutes at most), while the block runs; yields the answers by client id as
    they come. The block's end waits for every press, and one that failed fails the test."""
    answers: dict[str, dict] = {}
    failures: list[BaseException] = []
    deadline = time.monotonic() + 120

    def kiosk(part):
        try:
            for client_id, service in part:
                answers[client_id] = press(base_url, token, service, client_id, deadline, statuses)
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=kiosk, args=(presses[i::kiosks],)) for i in range(kiosks)]
    for thread in threads:
        thread.start()
    try:
        yield answers
    finally:
        for thread in threads:
            thread.join()
    assert not failures, failures[0]


def assert_each_press_taken_once_and_numbered_without_a_gap(rows: list[tuple], presses) -> None:
    taken = Tally(row[0] for row in rows)
    assert set(taken) == {client_id for client_id, _ in presses}  # none lost
    assert max(taken.values()) == 1  # none taken twice
    by_service: dict[int, list[int]] = {}
    for _, service_id, sequence, _ in rows:
        by_service.setdefault(service_id, []).append(sequence)
    for sequences in by_service.values():  # a killed transaction gives its number back
        assert sorted(sequences) == list(range(1, len(sequences) + 1))


def test_an_exhausted_connection_pool_is_a_503_to_retry_not_a_500(app, kiosk, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from queue_server.queueing import operations

    def overloaded(*args, **kwargs):
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached")

    monkeypatch.setattr(operations, "issue_ticket_once", overloaded)
    busy = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "busy-0001"})
    assert busy.status_code == 503 and busy.json["error"]["code"] == "service_unavailable"
    assert busy.headers["Retry-After"] == "2"


def test_a_retried_press_gets_the_same_ticket_even_when_both_arrive_at_once(app, kiosk):
    first = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "press-0001"})
    again = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "press-0001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["number"] == first.json["number"]
    other = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "press-0002"})
    assert other.status_code == 201 and other.json["number"] != first.json["number"]
    bad = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "x"})
    assert bad.status_code == 422


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_press_twice_at_the_same_moment_takes_one_number(
    app, database_url, kiosk_token, live_server_factory
):
    server = live_server_factory(database_url, workers=2)
    deadline = time.monotonic() + 60
    answers: list[dict] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(press(server.url, kiosk_token, "NM-DD", "twice-0001", deadline))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({answer["id"] for answer in answers}) == 1
    assert [row[0] for row in tickets_in(database_url)] == ["twice-0001"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_killed_during_load_loses_and_duplicates_no_ticket_and_screens_resync(
    app, database_url, redis_url, kiosk_token, live_server_factory
):
    server = live_server_factory(database_url, workers=2, message_queue=redis_url)
    # Screens on both workers (connections are spread by the kernel), reconnecting by themselves.
    screens = []
    for _ in range(6):
        screen = {"connects": 0, "snapshots": 0, "client": socketio.Client(reconnection_delay=0.5)}

        def on_connect(screen=screen):
            screen["connects"] += 1

        def on_snapshot(payload, screen=screen):
            screen["snapshots"] += 1

        screen["client"].on("connect", on_connect)
        screen["client"].on("snapshot", on_snapshot)
        screen["client"].connect(
            server.url, auth={"site": "NA-HCC"}, transports=["websocket"], wait_timeout=10
        )
        screens.append(screen)

    presses = [(f"kill-{n:04d}", SERVICES[n % len(SERVICES)]) for n in range(160)]
    with kiosks_sending(server.url, kiosk_token, presses, 8) as answers:
        wait_until(lambda: len(answers) >= 40, 120, "40 presses answered")
        victim = busiest_worker(server)  # the one holding the most screens
        os.kill(victim, signal.SIGKILL)  # mid-load: some requests and screens die with it

    rows = tickets_in(database_url)
    assert_each_press_taken_once_and_numbered_without_a_gap(rows, presses)
    assert {answer["number"] for answer in answers.values()} == {row[3] for row in rows}

    # gunicorn replaced the worker; the screens of the dead one came back and were resynced.
    assert victim not in server.worker_pids() and len(server.worker_pids()) == 2

    def resynced_all() -> bool:
        # Connected again, and a snapshot on every (re)connect: it follows the connection by a
        # moment, longer on a busy machine.
        return all(s["client"].connected and s["snapshots"] >= s["connects"] for s in screens)

    wait = time.monotonic() + 30
    while time.monotonic() < wait and not resynced_all():
        time.sleep(0.1)
    assert all(s["client"].connected for s in screens)
    resynced = [s for s in screens if s["connects"] > 1]
    assert resynced  # the killed worker held screens, and they came back
    assert all(s["snapshots"] >= s["connects"] for s in screens)  # a snapshot on every (re)connect
    officer = staff_session(server.url, "officer1")
    counter = next(
        c for c in officer.get(f"{server.url}/api/v1/sites/NA-HCC/counters").json() if c["number"] == 3
    )
    assert (
        officer.post(f"{server.url}/api/v1/counters/{counter['id']}/call-next", timeout=10).status_code == 200
    )
    print(
        f"{len(resynced)} of {len(screens)} screens reconnected after the kill;",
        f"{len(rows)} tickets, none lost or twice",
    )
    for screen in screens:
        screen["client"].disconnect()


class OwnPostgres:
    """A PostgreSQL server of this test's own (initdb in a temporary directory, a free port), so
    that stopping it harms no other test. Run as the ``postgres`` user when the tests run as root."""

    def __init__(self, directory: Path, port: int):
        self.port = port
        self.data = directory / "data"
        self.bin = Path(sorted(Path("/usr/lib/postgresql").iterdir())[-1]) / "bin"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        directory.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run(self.bin / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "queue")
        self.url = f"postgresql://postgres@127.0.0.1:{port}/queue"

    def _run(self, *command) -> None:
        subprocess.run([*self.as_owner, *map(str, command)], check=True, capture_output=True, cwd="/")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-w", "-l", self.data / "log", "start")

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")


@pytest.fixture
def own_postgres():
    # Not under pytest's temporary directory: that one is private to root, and the server runs
    # as the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="queue-pg-"))
    directory.chmod(0o755)
    server = OwnPostgres(directory, free_port())
    yield server
    try:
        server.stop()
    except subprocess.CalledProcessError:
        pass  # already stopped
    shutil.rmtree(directory, ignore_errors=True)


def test_postgresql_restarted_under_load_gives_503s_then_resumes_with_nothing_half_written(
    own_postgres, live_server_factory
):
    url = own_postgres.url
    token = prepare(url)  # migrated, the demo loaded, a kiosk: as a benchmark's database
    server = live_server_factory(url, workers=2)

    presses = [(f"pg-{n:05d}", SERVICES[n % len(SERVICES)]) for n in range(120)]
    statuses: Tally = Tally()
    with kiosks_sending(server.url, token, presses, 6, statuses) as answers:
        wait_until(lambda: len(answers) >= 30, 120, "30 presses answered")
        own_postgres.stop()
        down_until = time.monotonic() + 3
        while time.monotonic() < down_until:  # while it is down, a reader gets the same clear answer
            queue = requests.get(f"{server.url}/api/v1/sites/NA-HCC/queue", timeout=10)
            assert queue.status_code == 503 and queue.json()["error"]["code"] == "service_unavailable"
            assert queue.headers["Retry-After"]
            time.sleep(0.3)
        own_postgres.start()

    assert statuses[503] > 0 and set(statuses) <= {200, 201, 503}  # 503s while down, never a 500
    rows = tickets_in(url)
    assert_each_press_taken_once_and_numbered_without_a_gap(rows, presses)
    assert requests.get(f"{server.url}/api/v1/sites/NA-HCC/queue", timeout=10).status_code == 200
    print(f"answers while PostgreSQL restarted: {dict(statuses)}")


def test_a_pooled_connection_the_server_closed_is_replaced_before_a_request_uses_it(postgres_url):
    """PostgreSQL ended one of the pool's idle connections (as a restart ends them all): the next
    checkout opens a fresh one instead of failing the request that would have used it."""
    from queue_server.database import make_engine

    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    admin = create_engine(psycopg_url(postgres_url))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # until the farewell has reached the idle connection
            with admin.connect() as conn:
                alive = text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid")
                if not conn.execute(alive, {"pid": first}).first():
                    break
            time.sleep(0.05)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != first
    finally:
        engine.dispose()
        admin.dispose()


def test_a_statement_on_postgresql_lets_the_workers_other_greenlets_run(postgres_url, monkeypatch):
    """psycopg's waits on gevent's hub (``queue_server.greenlets``): while one greenlet's statement
    runs, the others go on; a large statement (sent in several writes), an error, and the
    connection's next statement all come back as psycopg gives them."""
    import gevent
    import psycopg
    import psycopg.waiting

    from queue_server import greenlets

    monkeypatch.setattr(psycopg.waiting, "wait", greenlets._on_hub(psycopg.waiting.wait))
    ticks = []

    def ticking():
        while True:
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    with psycopg.connect(postgres_url) as conn:
        ticker = gevent.spawn(ticking)
        try:
            gevent.sleep(0)
            before = len(ticks)
            assert conn.execute("SELECT 7 FROM pg_sleep(0.3)").fetchone() == (7,)
            assert len(ticks) - before >= 10  # about 30 ticks while the server slept
            large = "x" * 8_000_000  # more than a socket's buffer takes in one write
            assert conn.execute("SELECT length(%s)", [large]).fetchone() == (8_000_000,)
            with pytest.raises(psycopg.errors.DivisionByZero):
                conn.execute("SELECT 1 / 0")
            conn.rollback()
            assert conn.execute("SELECT 'ok'").fetchone() == ("ok",)
        finally:
            ticker.kill()


def test_psycopgs_waits_are_left_alone_outside_a_gevent_worker():
    """The tests' process is not monkey-patched: psycopg keeps its own choice."""
    import psycopg.waiting

    from queue_server import greenlets

    chosen = psycopg.waiting.wait
    greenlets.install()
    assert not greenlets.monkey_patched() and psycopg.waiting.wait is chosen


@contextmanager
def kiosk_pressing(base_url: str, token: str):
    """A kiosk taking numbers one after another, in a thread, while the block runs; yields the
    seconds each press took. A press that failed (an error, no answer in 10 s) fails the test."""
    from .helpers import issue_over_http

    stop = threading.Event()
    presses: list[float] = []
    failures: list[BaseException] = []

    def press_on():
        try:
            while not stop.is_set():
                started = time.monotonic()
                issue_over_http(base_url, token)
                presses.append(time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    pressing = threading.Thread(target=press_on)
    pressing.start()
    try:
        yield presses
    finally:
        stop.set()
        pressing.join()
    assert not failures, failures[0]


def test_the_first_form_a_gevent_worker_draws_on_sqlite_does_not_freeze_its_other_requests(
    app, database_url, live_server_factory, kiosk_token
):
    """The first PDF in a process loads WeasyPrint, which runs ``ldconfig``: the gevent worker
    switches to other requests meanwhile. Drawn inside the request's SQLite transaction, a kiosk
    press in the same worker then waited for that lock inside SQLite, where gevent cannot switch
    back: the worker froze until SQLite gave up, 30 s later. The wait is now gevent's
    (``database.begin_immediate``), and the form is drawn after the reads (``forms.html_to_pdf``)."""
    server = live_server_factory(database_url)  # one gevent worker on SQLite
    officer = staff_session(server.url, "officer1")
    body = {"site": "NA-HCC", "procedure": "1.001756", "applicant": {"name": "Lê Thị Hoa"}}
    created = officer.post(f"{server.url}/api/v1/dossiers", json=body, timeout=10)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    with kiosk_pressing(server.url, kiosk_token) as presses:
        time.sleep(0.3)
        started = time.monotonic()
        pdf = officer.get(f"{server.url}/api/v1/dossiers/{code}/forms/01.pdf", timeout=60)
        took = time.monotonic() - started
        time.sleep(0.3)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert took < 10 and max(presses) < 10, (took, max(presses))


@contextmanager
def sqlite_write_lock(database_url: str):
    """SQLite's write lock, held by another process's connection while the block runs."""
    import sqlite3

    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("COMMIT")
        holder.close()


def test_a_press_waiting_for_sqlite_s_lock_lets_the_worker_answer_others_meanwhile(
    app, database_url, live_server_factory, kiosk_token
):
    """SQLite's own wait for its lock sleeps inside the library, where gevent cannot switch:
    the whole worker stood still behind one waiting request. ``database.begin_immediate`` waits
    with gevent's sleep instead, so the worker answers other requests while a press waits."""
    from .helpers import issue_over_http

    server = live_server_factory(database_url)  # one gevent worker on SQLite
    issue_over_http(server.url, kiosk_token)  # the worker is warm
    answered = {}

    def press_on():
        started = time.monotonic()
        answered["ticket"] = issue_over_http(server.url, kiosk_token)
        answered["took"] = time.monotonic() - started

    with sqlite_write_lock(database_url):
        pressing = threading.Thread(target=press_on)
        pressing.start()
        time.sleep(0.5)  # the press is waiting for the lock
        started = time.monotonic()
        other = requests.get(f"{server.url}/api/v1/no-such-thing", timeout=10)
        other_took = time.monotonic() - started
        time.sleep(2)
        assert pressing.is_alive(), "the press should wait for the lock"
    pressing.join(timeout=10)
    assert other.status_code == 404 and other.json()["error"]["code"]
    assert other_took < 1, f"the worker stood still for {other_took:.1f} s behind a press waiting for SQLite"
    assert answered["ticket"]["number"] and answered["took"] >= 2.5, answered


def test_sqlite_s_lock_held_too_long_is_a_503_to_retry_and_the_next_press_is_numbered_on(
    app, kiosk, database_url, monkeypatch
):
    """Past ``SQLITE_BUSY_SECONDS`` the press is refused with a clear 503 and nothing written;
    once the lock is free the kiosk's retry is served, and the numbers run on without a gap."""
    from queue_server import database

    first = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "lock-0001"})
    assert first.status_code == 201, first.json
    monkeypatch.setattr(database, "SQLITE_BUSY_SECONDS", 0.3)
    with sqlite_write_lock(database_url):
        started = time.monotonic()
        busy = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "lock-0002"})
        waited = time.monotonic() - started
    assert busy.status_code == 503 and busy.json["error"]["code"] == "service_unavailable", busy.json
    assert 0.3 <= waited < 5, waited
    again = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "lock-0002"})
    assert again.status_code == 201, again.json
    assert int(again.json["number"]) == int(first.json["number"]) + 1, (first.json, again.json)


def test_the_hall_display_s_spoken_call_does_not_hold_sqlite_s_lock_while_speaking(client, monkeypatch):
    """espeak-ng takes 10-100 ms a sentence; the kiosks and officers must not wait for it."""
    import sqlite3

    import display.views
    from queue_server.database import db

    free_while_speaking = []

    def speak(sentence: str, folders=()) -> bytes:
        other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free_while_speaking.append(sentence)
        except sqlite3.OperationalError as error:
            free_while_speaking.append(error)
        finally:
            other.close()
        return b"RIFF"

    monkeypatch.setattr(display.views, "speak", speak)
    audio = client.get("/display/NA-HCC/call.wav?number=3001&counter=3")
    assert audio.status_code == 200 and audio.data == b"RIFF"
    [sentence] = free_while_speaking  # the lock was free: not an OperationalError ("locked")
    assert isinstance(sentence, str) and "3001" in sentence, sentence


def test_speaking_a_call_on_sqlite_does_not_freeze_the_worker_s_other_requests(
    app, database_url, live_server_factory, kiosk_token
):
    """espeak-ng runs as a subprocess, and a gevent worker switches to other requests meanwhile.
    The hall display's ``call.wav`` used to hold the SQLite lock of its read while speaking, and a
    kiosk press waiting for it stopped the worker for 30 s. Kiosk presses and spoken calls for 8
    numbers, together, all answered in good time."""
    server = live_server_factory(database_url)  # one gevent worker on SQLite
    spoken = []
    with kiosk_pressing(server.url, kiosk_token) as presses:
        for number in range(3001, 3009):  # each a new sentence: espeak-ng runs for each
            started = time.monotonic()
            audio = requests.get(
                f"{server.url}/display/NA-HCC/call.wav", params={"number": number, "counter": 3}, timeout=60
            )
            spoken.append((audio.status_code, audio.content[:4], time.monotonic() - started))
    assert all(status == 200 and riff == b"RIFF" for status, riff, _ in spoken), spoken
    assert max(took for *_, took in spoken) < 10 and max(presses) < 10, (spoken, max(presses))
