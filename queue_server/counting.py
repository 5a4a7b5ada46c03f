"""Counts every worker shares, kept in this process while the shared store does not answer.

Two things count with it: the limits on requests (a phone's bookings, the catalogue's
searches: :func:`queue_server.security.limited`) and the failed logins (:mod:`.auth.throttle`).
A kiosk's numbers are counted on its own row instead (``queueing/quota.py``).
The store is ``RATELIMIT_STORAGE_URI``, by default the Redis of the message queue, so that every
worker process and every server counts together; the counting is the ``limits`` library's.

If that store stops answering (``RATELIMIT_STORAGE_OPTIONS`` bounds the wait, half a second by
default), the process counts on its own for ``RETRY_STORE_SECONDS`` and then asks the store
again: a citizen is not refused because Redis is down, and a flood is still held back, per
process, meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)

# Ask the shared store again this long after it failed.
RETRY_STORE_SECONDS = 30

T = TypeVar("T")


class SharedCounts:
    """The shared store while it answers, this process's memory meanwhile.

    ``what`` names the counts in the log when the store fails.
    """

    def __init__(self, uri: str, options: dict | None = None, what: str = "counts"):
        self.what = what
        self.memory = MemoryStorage()
        self.shared: Storage | None = None
        if not uri.startswith("memory://"):
            shared = storage_from_string(uri, wrap_exceptions=True, **(options or {}))
            if not isinstance(shared, Storage):
                raise ValueError(f"{uri}: counts need a synchronous storage, not async+")
            self.shared = shared
        self.shared_down_until = 0.0
        # A fixed window per limit, as Flask-Limiter counted before (see security.limited).
        self._windows = {id(storage): FixedWindowRateLimiter(storage) for storage in self._stores()}

    def _stores(self) -> list[Storage]:
        return [self.memory] if self.shared is None else [self.shared, self.memory]

    def _use(self, action: Callable[[Storage], T]) -> T:
        if self.shared is not None and time.monotonic() >= self.shared_down_until:
            try:
                return action(self.shared)
            except Exception as error:  # noqa: BLE001 - any failure of the store: count here
                log.warning("%s: store unreachable (%s); counting in this process", self.what, error)
                self.shared_down_until = time.monotonic() + RETRY_STORE_SECONDS
        return action(self.memory)

    def call(self, name: str, *args):
        """The storage's method ``name`` (``incr``, ``get``, ``get_expiry``, ``clear``)."""
        return self._use(lambda storage: getattr(storage, name)(*args))

    def hit(self, item: RateLimitItem, *identifiers: str) -> float | None:
        """Count one request against ``item`` for ``identifiers``: None while within it, else
        the seconds until its window ends and the count starts again."""

        def hit_on(storage: Storage) -> float | None:
            window = self._windows[id(storage)]
            if window.hit(item, *identifiers):
                return None
            return max(0.0, window.get_window_stats(item, *identifiers).reset_time - time.time())

        return self._use(hit_on)
