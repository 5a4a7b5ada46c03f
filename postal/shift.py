"""The clerk's shift: a clerk logs in once, and every intake and manifest is recorded in their
name until "Kết thúc ca".

Who may log in is a list in the client's own settings (``[[clerks]]`` in ``postal.toml``: a
username, the name printed on receipts and manifests, a password hash), not the server's
accounts: a login that asked the server would lock the post office out whenever its link is
down, which is when the client matters most, and copying the server's password hashes to every
commune's PC would spread them. The file holds hashes only (werkzeug's scrypt, as the
server's accounts; ``python -m postal --hash-password`` makes one), never a password.

The shift lives in the pages' signed session cookie (the key is in the local database): the
clerk's username and the time the shift began. It ends with "Kết thúc ca", after
:data:`SHIFT_MAX_HOURS`, or when the clerk leaves the settings. Failed logins are counted per
username in memory (the pages answer only to this PC) and lock it for a while.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from flask import session
from werkzeug.security import check_password_hash, generate_password_hash

from .config import Clerk, Settings
from .store import iso, utcnow

# A post office's longest day with overtime: a PC left logged in overnight does not record
# the next morning's intakes in yesterday's clerk's name.
SHIFT_MAX_HOURS = 12
# Failed logins of one username before it is locked, and for how long: enough for typing
# mistakes, too few to try passwords at the keyboard.
LOCK_AFTER = 5
LOCK_SECONDS = 300

log = logging.getLogger(__name__)
_DUMMY_HASH = generate_password_hash("not-a-password")


class LoginRefused(Exception):
    """Why the login failed, in Vietnamese for the clerk."""


class Throttle:
    """Failed logins per username, in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}

    def locked_for(self, username: str) -> float:
        """Seconds the username stays locked (0: not locked)."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(username, []) if now - t < LOCK_SECONDS]
            self._failures[username] = recent
            return LOCK_SECONDS - (now - recent[0]) if len(recent) >= LOCK_AFTER else 0.0

    def failed(self, username: str) -> None:
        with self._lock:
            self._failures.setdefault(username, []).append(time.monotonic())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


def find(settings: Settings, username: str) -> Clerk | None:
    return next((clerk for clerk in settings.clerks if clerk.username == username), None)


def begin(settings: Settings, throttle: Throttle, username: str, password: str) -> Clerk:
    """Check the clerk's password and start their shift in the session."""
    username = username.strip()
    wait = throttle.locked_for(username)
    if wait:
        raise LoginRefused(f"Đăng nhập sai quá nhiều lần: thử lại sau {int(wait) // 60 + 1} phút.")
    clerk = find(settings, username)
    # The same work for an unknown username, so that the time taken does not tell who exists.
    if not check_password_hash(clerk.password_hash if clerk else _DUMMY_HASH, password) or clerk is None:
        throttle.failed(username)
        log.warning("failed login for clerk %r", username)
        raise LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
    throttle.succeeded(username)
    csrf = session.get("csrf")
    session.clear()  # nothing of the session before the login carries into the shift
    if csrf:
        session["csrf"] = csrf
    session["clerk"] = clerk.username
    session["shift_started"] = iso(utcnow())
    log.info("shift of clerk %r began", clerk.username)
    return clerk


def current(settings: Settings) -> Clerk | None:
    """The clerk whose shift this session is, or None (no shift, over, or clerk removed)."""
    username, started = session.get("clerk"), session.get("shift_started")
    if not username or not started:
        return None
    clerk = find(settings, username)
    if clerk is None or utcnow() - datetime.fromisoformat(started) > timedelta(hours=SHIFT_MAX_HOURS):
        end()
        return None
    return clerk


def end() -> None:
    """End the shift: the next page asks for a login."""
    session.pop("clerk", None)
    session.pop("shift_started", None)
