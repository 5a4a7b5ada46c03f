"""A short-lived, per-process memo for figures derived from the database.

Some values are read on every ticket but change rarely (which counter serves what today, the
recent average service time). Each process keeps them for ``DERIVED_CACHE_SECONDS`` (0 turns
this off, as the tests do), or for the ``ttl`` a caller gives (the public board's). The
database stays the only source of truth: another process sees a change at most that many
seconds late.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context

_entries: dict[Hashable, tuple[float, Any]] = {}
# One lock per key being computed or kept (threading's, which gevent's workers make cooperative).
_computing: dict[Hashable, threading.Lock] = {}


def ttl_seconds() -> float:
    if not has_app_context():
        return 0.0
    return current_app.config.get("DERIVED_CACHE_SECONDS", 0.0)


def _fresh(key: Hashable) -> tuple[float, Any] | None:
    hit = _entries.get(key)
    return hit if hit is not None and hit[0] > time.monotonic() else None


def remember(key: Hashable, compute: Callable[[], Any], ttl: float | None = None) -> Any:
    """``compute()``, or what it gave less than ``ttl`` seconds ago (``DERIVED_CACHE_SECONDS``
    unless given). Callers that miss together wait for one computation (a crowd arriving as the
    copy expires would otherwise compute it once each, all at once: with gevent, one per
    waiting request, until the database's pool runs out). An exception is not kept: the next
    call computes again."""
    ttl = ttl_seconds() if ttl is None else ttl
    if ttl <= 0:
        return compute()
    if (hit := _fresh(key)) is not None:
        return hit[1]
    lock = _computing.setdefault(key, threading.Lock())
    with lock:
        if (hit := _fresh(key)) is not None:
            return hit[1]
        try:
            value = compute()
        except BaseException:
            _computing.pop(key, None)  # keys that never compute (a made-up site) keep no lock
            raise
        _entries[key] = (time.monotonic() + ttl, value)
        return value


def clear() -> None:
    _entries.clear()
