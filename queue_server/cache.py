"""A short-lived, per-process memo for figures derived from the database.

Some values are read on every ticket but change rarely (which counter serves what today, the
recent average service time). Each process keeps them for ``DERIVED_CACHE_SECONDS`` (0 turns
this off, as the tests do), or for the ``ttl`` a caller gives (the public board's). The
database stays the only source of truth: another process sees a change at most that many
seconds late.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context

_entries: dict[Hashable, tuple[float, Any]] = {}


def ttl_seconds() -> float:
    if not has_app_context():
        return 0.0
    return current_app.config.get("DERIVED_CACHE_SECONDS", 0.0)


def remember(key: Hashable, compute: Callable[[], Any], ttl: float | None = None) -> Any:
    """``compute()``, or what it gave less than ``ttl`` seconds ago (``DERIVED_CACHE_SECONDS``
    unless given). An exception is not kept: the next call computes again."""
    ttl = ttl_seconds() if ttl is None else ttl
    now = time.monotonic()
    if ttl > 0:
        hit = _entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    value = compute()
    if ttl > 0:
        _entries[key] = (now + ttl, value)
    return value


def clear() -> None:
    _entries.clear()
