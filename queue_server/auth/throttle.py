"""Failed logins slow down, then lock, a username and a client address, across every worker.

Each failed login counts against the username tried and the address it came from, for
``LOGIN_LOCK_SECONDS`` after the first. From a quarter of the limit on (5 of a username's 20),
the next attempt must wait: 1 s, then 2, 4... up to a minute; an attempt made while waiting is
refused and counts as a failure too (hammering is no faster than guessing). At the limit the
username (``LOGIN_LOCK_AFTER``) or the address (``LOGIN_ADDRESS_LOCK_AFTER``, higher: a
centre's staff share one NAT address) is locked for ``LOGIN_LOCK_SECONDS``: every attempt is
refused, the right password included, without being counted, so the lock ends on time and the
real user gets in then. A successful login clears its username's count (not its address's: one
good account must not wipe out the count of a guesser's other tries).

The counts live in the store of the other limits (``RATELIMIT_STORAGE_URI``, by default the
Redis of ``SOCKETIO_MESSAGE_QUEUE``), so every worker process and every server counts together,
under the ``SOCKETIO_CHANNEL``'s name (deployments sharing one Redis count apart). If that
store stops answering, each process counts on its own until it answers again, as the other
limits do (:mod:`queue_server.counting`), rather than refusing everybody.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app

from ..counting import SharedCounts

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 60
# The value of a "wait" key: a backoff (the attempt may be counted) or a lock (it is not).
BACKOFF, LOCK = 1, 2


@dataclass(frozen=True)
class Lock:
    """A lock that a failed attempt just started, for the audit trail."""

    scope: str  # "username" or "address"
    subject: str
    failures: int
    seconds: float


class LoginThrottle:
    def __init__(
        self,
        counts: SharedCounts,
        namespace: str,
        lock_after: int,
        address_lock_after: int,
        lock_seconds: float,
    ):
        self.counts = counts
        self.namespace = namespace
        self.limits = {"username": lock_after, "address": address_lock_after}
        self.lock_seconds = lock_seconds

    def _call(self, name: str, *args):
        return self.counts.call(name, *args)

    def _key(self, kind: str, scope: str, subject: str) -> str:
        return f"login/{self.namespace}/{kind}/{scope}/{subject}"

    def _scopes(self, username: str, address: str | None):
        yield "username", username.strip().lower()[:80]
        if address:
            yield "address", address

    def _wait(self, scope: str, subject: str) -> tuple[float, int]:
        """Seconds left of the wait on ``subject``, and its kind (BACKOFF or LOCK)."""
        key = self._key("wait", scope, subject)
        kind = self._call("get", key)
        if not kind:
            return 0.0, 0
        return max(0.0, self._call("get_expiry", key) - time.time()), kind

    def _hold(self, scope: str, subject: str, seconds: float, kind: int) -> None:
        key = self._key("wait", scope, subject)
        self._call("clear", key)
        self._call("incr", key, max(1, math.ceil(seconds)), kind)

    # -- what the login asks ---------------------------------------------------------------------

    def check(self, username: str, address: str | None) -> tuple[float, list[Lock]]:
        """Before the password is looked at: how long this attempt must still wait (0: go
        ahead), and the locks it started by being one attempt too many."""
        waits = {scope: self._wait(scope, subject) for scope, subject in self._scopes(username, address)}
        if not any(seconds for seconds, _ in waits.values()):
            return 0.0, []
        if any(kind == LOCK for seconds, kind in waits.values() if seconds):
            return max(seconds for seconds, _ in waits.values()), []
        locks = self.failed(username, address)
        after = [self._wait(scope, subject)[0] for scope, subject in self._scopes(username, address)]
        return max(1.0, *after), locks

    def failed(self, username: str, address: str | None) -> list[Lock]:
        """Count a failed attempt; returns the locks it started."""
        started = []
        for scope, subject in self._scopes(username, address):
            limit = self.limits[scope]
            failures = self._call(
                "incr", self._key("count", scope, subject), max(1, math.ceil(self.lock_seconds))
            )
            backoff_from = max(1, limit // 4)
            if failures >= limit:
                self._hold(scope, subject, self.lock_seconds, LOCK)
                if failures == limit:
                    started.append(Lock(scope, subject, failures, self.lock_seconds))
                    log.warning("login: %s %s locked after %d failures", scope, subject, failures)
            elif failures >= backoff_from:
                delay = min(2 ** (failures - backoff_from), BACKOFF_CAP_SECONDS, self.lock_seconds)
                self._hold(scope, subject, delay, BACKOFF)
        return started

    def succeeded(self, username: str) -> None:
        for scope, subject in self._scopes(username, None):
            self._call("clear", self._key("count", scope, subject))
            self._call("clear", self._key("wait", scope, subject))


def throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def init_app(app: Flask) -> None:
    config = app.config
    counts = SharedCounts(
        config["RATELIMIT_STORAGE_URI"], config["RATELIMIT_STORAGE_OPTIONS"], "login counts"
    )
    app.extensions["login_throttle"] = LoginThrottle(
        counts,
        config["SOCKETIO_CHANNEL"],
        config["LOGIN_LOCK_AFTER"],
        config["LOGIN_ADDRESS_LOCK_AFTER"],
        config["LOGIN_LOCK_SECONDS"],
    )
