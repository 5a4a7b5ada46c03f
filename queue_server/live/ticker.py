"""A process's periodic task: what the live package does every few seconds off the request path.

The waiting counts (:mod:`.stats`), the phones' standings (:mod:`.standing`) and the sockets'
objects (:mod:`.collector`) are each looked after by one task per process, every so many seconds
of a setting (0: never), started by the first thing that needs it (a change to publish, a phone
following its ticket, a screen connecting) rather than at start-up, so that a process that never
holds a screen never runs them. The task is Socket.IO's background task: a greenlet under
gevent, a thread under the Flask test client. A tick that fails is logged and the next one
tries again: each tick looks at the state afresh.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from flask_socketio import SocketIO

log = logging.getLogger(__name__)


class Ticker:
    #: The setting that holds the seconds between ticks (0: never).
    SETTING: str
    #: What the log says when a tick fails.
    FAILURE: str

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.socketio: SocketIO | None = None
        self._started = False
        self._start_lock = threading.Lock()

    def init_app(self, app: Flask, socketio: SocketIO) -> None:
        self.app = app
        self.socketio = socketio

    @property
    def interval(self) -> float:
        return self.app.config.get(self.SETTING, 0) if self.app else 0

    def start(self) -> None:
        """Tick from now on, every :attr:`interval` seconds (once started, this does nothing)."""
        if self._started:  # the common case, on every change: no lock to take
            return
        with self._start_lock:
            start = not self._started and self.interval > 0
            self._started = self._started or start
        if start:
            assert self.socketio is not None  # a positive interval: init_app has run
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        assert self.socketio is not None  # started once init_app has run
        while True:
            self.socketio.sleep(self.interval)
            try:
                self.tick()
            except Exception:  # the next tick tries again
                log.exception(self.FAILURE)

    def tick(self) -> None:
        raise NotImplementedError
