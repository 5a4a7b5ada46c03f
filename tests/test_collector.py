"""The objects of open WebSockets kept out of the garbage collector's full passes
(``live/collector.py``): when a hall's screens connect, and again when many have gone."""

import gc
import time

from queue_server.live.collector import SocketFreezer

from .helpers import issue_over_http, staff_session
from .live_client import RawScreen


def _logged(server, line: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while line not in server.log_tail(None):
        assert time.monotonic() < deadline, f"{line!r} not in the server's log:\n{server.log_tail()}"
        time.sleep(0.1)


def _called_everywhere(server, kiosk_token, officer, screens) -> None:
    ticket = issue_over_http(server.url, kiosk_token)
    assert officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
    for screen in screens:
        assert screen.next_called()[1]["ticket"]["id"] == ticket["id"]


def test_a_hall_of_screens_is_frozen_once_connected_and_refrozen_once_most_have_gone(
    app, database_url, live_server_factory, kiosk_token
):
    server = live_server_factory(
        database_url, LOG_LEVEL="info", LIVE_FREEZE_SECONDS="0.2", LIVE_FREEZE_MIN_SOCKETS="5"
    )
    screens = [RawScreen(server.url, {"site": "NA-HCC"}) for _ in range(12)]
    try:
        for screen in screens:
            screen.wait_for("snapshot")
        _logged(server, "froze the objects of 12 open sockets")
        officer = staff_session(server.url, "officer1")
        _called_everywhere(server, kiosk_token, officer, screens)  # frozen sockets work as before
        for screen in screens[4:]:
            screen.close()
        _logged(server, "refroze the objects of 4 open sockets")
        _called_everywhere(server, kiosk_token, officer, screens[:4])
    finally:
        for screen in screens:
            screen.close()


def test_the_freezer_waits_for_the_screens_to_stop_connecting_and_for_a_quarter_to_change(app):
    app.config.update(LIVE_FREEZE_MIN_SOCKETS=10)
    freezer = SocketFreezer()
    freezer.app = app
    ids = [f"sid{i}" for i in range(200)]
    try:
        assert freezer.check(set(ids[:9])) is None  # fewer than 10
        assert freezer.check(set(ids[:40])) is None  # 31 more since the last look: still connecting
        assert freezer.check(set(ids[:45])) == "froze"  # 5 more: they have stopped
        assert freezer.check(set(ids[:55])) is None  # 10 more, but not a quarter of 45
        assert freezer.check(set(ids[:57])) == "froze"  # 12 more than the 45 frozen: a quarter
        assert freezer.check(set(ids[10:57])) is None  # 10 gone, not a quarter of 57
        assert freezer.check(set(ids[15:57])) == "refroze"  # 15 gone: a quarter
        assert freezer.frozen == set(ids[15:57])
    finally:
        gc.unfreeze()
