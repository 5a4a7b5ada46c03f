"""Waiting under gevent: PostgreSQL's driver on the hub's own I/O watchers, and a turn for the
sockets (:func:`let_io_in`).

gunicorn's gevent workers run every request on one thread, each in a greenlet; a greenlet that
waits for the database must let the others run. psycopg 3 does that by itself: when it finds
``select`` monkey-patched it waits with ``poll()``, which gevent emulates. That emulation builds
a poll object, starts a watcher and a timer, and stops them again, for every wait of every
statement; a profile of a ticket issued on PostgreSQL found 12.6% of the worker's CPU in it
(issue 21). psycopg has no hook for another event loop than asyncio (psycopg2 had
``set_wait_callback``, which ``psycogreen`` filled), so :func:`install` gives
``psycopg.waiting.wait``, the function its connections call for each wait, one that waits on a
single gevent I/O watcher: 11-12% less worker CPU a ticket and a call on PostgreSQL, same run.

A wait with a time limit (psycopg's cancellation and notification waits) still goes to
psycopg's own function, which enforces the limit; so does everything when
``PSYCOPG_WAIT_FUNC`` names psycopg's choice, or outside gevent.
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable

import psycopg.waiting
from psycopg.waiting import READY_R, READY_RW, READY_W, WAIT_R, WAIT_RW, WAIT_W

# libev's (and libuv's) events for each of psycopg's waits.
_EVENTS = {WAIT_R: 1, WAIT_W: 2, WAIT_RW: 3}
# What a wait's end tells psycopg. A wait for either direction is answered "both": psycopg's
# connection is non-blocking, so trying the direction that is not ready yet just finds nothing
# to do (a flush that stays pending, a read of nothing), and it asks again.
_READY = {WAIT_R: READY_R, WAIT_W: READY_W, WAIT_RW: READY_RW}


def monkey_patched() -> bool:
    """Whether gevent has patched ``select`` in this process (a gunicorn gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("select")


def install() -> None:
    """Make psycopg's connections wait on gevent's hub, in a gevent-patched process; once."""
    if not monkey_patched() or "PSYCOPG_WAIT_FUNC" in os.environ:
        return
    if getattr(psycopg.waiting.wait, "__module__", None) == __name__:
        return
    psycopg.waiting.wait = _on_hub(psycopg.waiting.wait)


def _on_hub(psycopgs_wait: Callable) -> Callable:
    from gevent import get_hub
    from gevent.socket import wait as wait_for

    def wait(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
        """``psycopg.waiting.wait``: run ``gen`` to its end, waiting as it asks; its value."""
        if timeout is not None:
            return psycopgs_wait(gen, fileno, interval, timeout)
        loop = get_hub().loop
        try:
            state = next(gen)
            while True:
                watcher = loop.io(fileno, _EVENTS[state])
                try:
                    wait_for(watcher)
                finally:
                    watcher.close()
                state = gen.send(_READY[state])
        except StopIteration as done:
            return done.value

    wait.__module__ = __name__
    return wait


def poll_now(fileno: int) -> bool:
    """Whether ``fileno`` has something to read, without waiting: the system's own ``poll()``,
    not gevent's emulation, which starts a watcher even for a wait of no time."""
    poll = select.poll
    if monkey_patched():
        poll = sys.modules["gevent.monkey"].get_original("select", "poll")
    poller = poll()
    poller.register(fileno, select.POLLIN)
    return bool(poller.poll(0))


def let_io_in() -> None:
    """In a gevent worker, go back to the event loop until it has looked at its sockets once; a
    no-op outside gevent.

    gevent's ``sleep(0)`` does not do that: it queues the greenlet behind the loop's callbacks,
    and the loop runs callbacks, those queued meanwhile too, up to 50 at a time before it polls
    (``CALLBACK_CHECK_COUNT``). A timer of no time is due at once, but the loop only runs it after
    a poll (without waiting: a timer is due), with whatever sockets that poll found ready.
    """
    if not monkey_patched():
        return
    from gevent import get_hub

    hub = get_hub()
    timer = hub.loop.timer(0)
    try:
        hub.wait(timer)
    finally:
        timer.close()
