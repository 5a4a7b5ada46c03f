"""Shedding load a process cannot carry: a quick 503 instead of a queue.

A gevent worker accepts every connection. When kiosks send more numbers than it can take, the
requests pile up and each waits behind all the others for the CPU. An officer's "call next"
then waits behind them too. A request holding a database lock (a service's numbering, the
site's event sequence) also waits that long to be resumed, and everyone behind the lock waits
with it. Capping how many requests of one kind a process works on at once keeps the others
fast. The kiosk resends a refused press, with the same ``client_id``, two seconds later; nothing
is lost or taken twice.

The count is a plain number, not a semaphore: a gevent worker runs one greenlet at a time, and
a lock's release may switch to another greenlet. On SQLite that is a deadlock: the request
still holds its write transaction until its teardown, and the greenlet switched to waits for
that lock inside SQLite, blocking the whole worker. Under threads (``make run``) two requests
may both pass at the cap; it is a cap on load, not a rule of the data.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app

from .errors import ApiError


class Busy(ApiError):
    status = 503

    def __init__(self, message: str):
        super().__init__("busy", message)


def shed_load(setting: str):
    """At most ``app.config[setting]`` calls of the view at once in this process (0: no cap);
    beyond that, a 503 ``busy`` with Retry-After at once."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            limit = current_app.config.get(setting) or 0
            if limit <= 0:
                return view(*args, **kwargs)
            busy = current_app.extensions.setdefault("shed_load", {})
            if busy.get(setting, 0) >= limit:
                raise Busy("The server is busy; try again in a moment.")
            busy[setting] = busy.get(setting, 0) + 1
            try:
                return view(*args, **kwargs)
            finally:
                busy[setting] -= 1

        return wrapper

    return decorator
