"""Staff's notices of tickets issued, sent a few at a time.

Each ticket issued is told to its site's staff (their consoles add it to the waiting list, see
``static/js/console.js``), as a notice without a place in the event sequence
(:data:`~queue_server.queueing.journal.SEQUENCED_KINDS`). Sent as each ticket committed, every
ticket cost its worker a message to Redis and every process's listener one to read (9% of a
press in-process, 2-3% in a same-run pair: ``docs/benchmarks.md``, "Staff notices gathered").
So a process gathers the notices of ``LIVE_NOTICE_SECONDS`` (default a quarter of a second; 0:
each at once, as before) and sends them as one message to Redis; each still reaches the consoles
as its own ``ticket.issued``, in the order the tickets committed in this process.

A quarter of a second is less than an officer notices on a waiting list. A notice can now
arrive after a later change of its ticket (called within that quarter second): the console has
seen the ticket by then and drops the notice. The notices gathered when a worker stops are lost
with it; the consoles read the queue again within half a minute (``RECONCILE_MS``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask
from flask_socketio import SocketIO

from . import queue

log = logging.getLogger(__name__)

Notice = tuple[str, dict]  # (event name, payload)


class StaffNotices:
    SETTING = "LIVE_NOTICE_SECONDS"

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.socketio: SocketIO | None = None
        self._deliver: Callable[[list[Notice]], None] = lambda notices: None
        self._gathered: list[Notice] = []
        self._lock = threading.Lock()

    def init_app(self, app: Flask, socketio: SocketIO, deliver: Callable[[list[Notice]], None]) -> None:
        """``deliver(notices)`` emits them (to their staff rooms); it is called with the
        notices of one interval, inside one :func:`queue.together` block."""
        self.app = app
        self.socketio = socketio
        self._deliver = deliver

    @property
    def interval(self) -> float:
        return self.app.config.get(self.SETTING, 0) if self.app else 0

    def add(self, name: str, payload: dict) -> None:
        """Send this notice at the end of the current interval (at once if there is none).

        Called inside the committing request's :func:`queue.together` block, whose message
        carries the notice when it is sent at once. The first notice of an interval starts
        the task that sends them; an idle process runs no task."""
        if self.interval <= 0:
            self._deliver([(name, payload)])
            return
        with self._lock:
            self._gathered.append((name, payload))
            first = len(self._gathered) == 1
        if first:
            assert self.socketio is not None  # a positive interval: init_app has run
            self.socketio.start_background_task(self._send_later)

    def _send_later(self) -> None:
        assert self.socketio is not None  # started by add, after init_app
        self.socketio.sleep(self.interval)
        self.flush()

    def flush(self) -> None:
        """Send what was gathered, as one message to Redis."""
        assert self.socketio is not None
        with self._lock:
            notices, self._gathered = self._gathered, []
        if not notices:
            return
        try:
            with queue.together(self.socketio.server.manager):
                self._deliver(notices)
        except Exception:  # lost for the consoles until they read the queue again
            log.exception("could not send %d notices", len(notices))


notices = StaffNotices()
