"""Shedding load a process cannot carry: a short wait in line, then an honest 503.

A gevent worker accepts every connection. When kiosks send more numbers than it can take, the
requests pile up and each waits behind all the others for the CPU. An officer's "call next"
then waits behind them too, and so does a request holding a database lock (a service's
numbering, the site's event sequence), with everyone behind the lock. So a process works on
at most ``limit`` requests of one kind at once (``ISSUE_MAX_INFLIGHT``); the others wait in
line, first come first served, holding nothing: no connection, no lock, no CPU.

A press waits at most ``patience`` (``ISSUE_MAX_WAIT_MS``): a citizen at a kiosk would rather
wait half a second than be told to come back, and at the rate a worker takes numbers a line
of dozens clears in that time. A press that the line could not serve within ``patience`` is
refused at once, without waiting in vain, with a 503 ``busy`` that says when there will be
room: ``retry_after_ms`` in the body (the time the presses ahead of it are expected to take,
from the mean time a request of this kind has taken lately) and ``Retry-After`` in whole
seconds. The kiosk resends after that time with the same ``client_id``; nothing is lost or
taken twice.

A slot is released after the view has returned, when its transaction is committed: on SQLite
the greenlet that takes it next finds the write lock free, and in any case it begins with
``BEGIN IMMEDIATE``, which waits without stopping the process (``database.py``). Handing a
slot over does not switch greenlets: the waiting one is woken by the event loop later. Under
threads the line is kept under a lock; under gevent the lock is never contended.

A request that has its slot lets the process's sockets in once before it starts
(:func:`~queue_server.greenlets.let_io_in`). Without that the line held nobody on SQLite: a
press does no I/O from its first statement to its answer, so it ran whole from the moment
gevent woke it, the next one found the slot free again, and ``limit`` never filled. Each turn of
the event loop then ran every press whose request had arrived (up to 32 under the bench's flood,
80-140 ms of CPU) before it looked at its sockets again, and an officer's call waited for that
at each of its reads: p50 265-295 ms with 32 kiosks pressing on one worker, from 20-34 ms
while each press still waited for Redis half-way, its limit then counted there
(``docs/benchmarks.md``). Now at most ``limit`` presses work in one turn, the others wait in
line, and a call is read after the presses of the turn in progress and of the next one.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from functools import wraps

from flask import current_app

from .errors import ApiError
from .greenlets import let_io_in

#: Bounds of the retry time a refusal suggests: not sooner than a kiosk's resend is worth, not
#: later than a citizen in front of a screen should be kept without news.
RETRY_AFTER_MS = (100, 10_000)


class Busy(ApiError):
    status = 503

    def __init__(self, message: str, retry_after_ms: int):
        super().__init__("busy", message, retry_after_ms=retry_after_ms)


class Line:
    """One process's places for one kind of request: ``limit`` worked on at once, the others
    waiting in line up to a bound of patience."""

    #: Weight of the latest request in the mean time a request takes (a moving average that
    #: follows a change of load within a few dozen requests).
    SMOOTHING = 0.05

    def __init__(self, limit: int):
        self.limit = limit
        self.working = 0
        self.waiting: deque[threading.Event] = deque()
        self.mean_s = 0.0  # unknown until a request has been served
        self._lock = threading.Lock()

    def expected_wait_s(self, place: int) -> float:
        """How long the ``place``-th in line (1: next) is expected to wait for a slot: the
        requests ahead of it, each taking the mean time, ``limit`` at once."""
        return place * self.mean_s / self.limit

    def enter(self, patience_s: float) -> float | None:
        """Take a slot, waiting up to ``patience_s``. None once a slot is held (``leave`` must
        follow); otherwise the seconds after which there is expected to be room."""
        with self._lock:
            if self.working < self.limit and not self.waiting:
                self.working += 1
                return None
            expected = self.expected_wait_s(len(self.waiting) + 1)
            if expected > patience_s:
                return expected
            turn = threading.Event()
            self.waiting.append(turn)
        if turn.wait(patience_s):
            return None
        with self._lock:
            try:
                self.waiting.remove(turn)
            except ValueError:  # handed a slot just as the wait ran out: it is ours
                return None
            return self.expected_wait_s(len(self.waiting) + 1)

    def leave(self, took_s: float) -> None:
        """Give the slot to the first in line, or back."""
        with self._lock:
            weight = self.SMOOTHING if self.mean_s else 1.0
            self.mean_s += weight * (took_s - self.mean_s)
            if self.waiting:
                self.waiting.popleft().set()  # the slot passes on: ``working`` stays
            else:
                self.working -= 1


def _line(name: str, limit: int) -> Line:
    lines: dict[str, Line] = current_app.extensions.setdefault("shed_load", {})
    line = lines.get(name)
    if line is None or line.limit != limit:  # first use, or the setting was changed
        line = lines[name] = Line(limit)
    return line


def retry_after_ms(expected_s: float) -> int:
    low, high = RETRY_AFTER_MS
    return min(high, max(low, math.ceil(expected_s * 1000)))


def shed_load(setting: str, patience_setting: str):
    """At most ``app.config[setting]`` calls of the view at once in this process (0: no cap);
    beyond that a call waits in line up to ``app.config[patience_setting]`` milliseconds, or
    is answered 503 ``busy`` with the time after which there is expected to be room."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            limit = current_app.config.get(setting) or 0
            if limit <= 0:
                return view(*args, **kwargs)
            line = _line(setting, limit)
            refused = line.enter(current_app.config.get(patience_setting, 0) / 1000)
            if refused is not None:
                raise Busy(
                    "The server is busy; send the same request again shortly.", retry_after_ms(refused)
                )
            started = time.perf_counter()
            try:
                let_io_in()  # see the module's docstring
                return view(*args, **kwargs)
            finally:
                line.leave(time.perf_counter() - started)

        return wrapper

    return decorator
