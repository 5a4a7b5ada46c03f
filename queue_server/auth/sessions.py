"""Staff sessions, kept on the server: begun at login, checked on every request, ended at once.

Why a row per session (``user_sessions``) rather than the signed cookie alone: a cookie is valid
for as long as the key that signed it, so a copy of it would outlive a logout, a new password or
a deactivated account. A per-user counter ("epoch") in the cookie would end all of an account's
sessions at once, but could keep no idle time and show nobody which sessions are open. The
row costs nothing more per request: the user loader reads the user, their sites and the
session in one statement, as it read the user and their sites before; an officer's call next
reads them in the statement that locks the counter (:func:`with_session`), and the loader
applies its rules to those rows.

- **Login** (:func:`log_in`) clears whatever the browser's session held (its pre-login CSRF token
  included) and starts a new one with a random token: a session planted before the login is
  worth nothing after it. The cookie holds the token; the row only its SHA-256.
- **Every request** (:func:`load_user`, Flask-Login's user loader) accepts the session only if
  its row is open, was used within ``SESSION_IDLE_MINUTES`` and began within
  ``SESSION_LIFETIME_HOURS``, and its account is active. Use is written at most once a minute
  (``TOUCH_RESOLUTION``), after the answer, in a transaction of its own
  (:func:`_write_back`), so a request that only reads still keeps its session alive.
- **Ending** (:func:`end_sessions`): logging out, a new password (the holder's own change keeps
  the session it was made in), a change of role or sites, and deactivation end every open
  session of the account; the next request with any of their cookies gets 401, or the login.
- Flask-Login's remember-me cookie is never issued; one made up with the key would still get
  nothing, since the loader wants the session's token, which only the session cookie holds.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from flask import Flask, current_app, g, request
from flask import session as cookie
from flask_login import login_user, logout_user
from sqlalchemy import Select, bindparam, select, true, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..actors import client_address, user_agent
from ..audit.recorder import Event, record_event
from ..database import all_loaded, columns_of, db, utcnow
from ..sites.models import Site
from .models import User, UserSession, user_sites

log = logging.getLogger(__name__)

TOKEN_KEY = "_session"  # the session's token, in the signed cookie beside Flask-Login's _user_id
RECORD_KEY = "queue_server.user_session"  # this request's UserSession, on the request
PENDING_KEY = "queue_server.user_session.pending"  # what to write back after the answer
READ_KEY = "queue_server.user_session.read"  # its rows, read by a view's statement (read_with)
TOUCH_RESOLUTION = timedelta(seconds=60)


class EndReason:
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # by its holder: their other sessions end
    PASSWORD_RESET = "password_reset"  # by an admin, or from the command line
    ROLE_CHANGED = "role_changed"
    SITES_CHANGED = "sites_changed"
    DEACTIVATED = "deactivated"
    REPLACED = "replaced"  # a new login in the same browser
    IDLE = "idle"
    LIFETIME = "lifetime"


def hash_token(token: str) -> str:
    """How a token is kept: a staff session's, a device's (``services``), and how the request
    limits name a device (``security.client_key``)."""
    return hashlib.sha256(token.encode()).hexdigest()


def site_of(user: User) -> int | None:
    """Where an account's events are filed, so that its site's supervisors find them (as the
    audit trail files changes of the account)."""
    return min((site.id for site in user.sites), default=None)


def start_session(session: Session, user: User) -> tuple[UserSession, str]:
    """A new open session for ``user``; the token is returned once, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        address=client_address(),
        user_agent=user_agent(),
    )
    session.add(record)
    session.flush()
    return record, token


def end_sessions(session: Session, user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` but ``keep``; audited when there was any. Flushes;
    the caller commits."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    ended = cast(CursorResult, session.execute(statement)).rowcount  # an UPDATE's result has a cursor
    if ended:
        record_event(
            session,
            Event.SESSIONS_ENDED,
            {"subject": user.username, "reason": reason, "sessions": ended},
            site_id=site_of(user),
            user=user,
        )
        log.info("%d sessions of %s ended (%s)", ended, user.username, reason)
    return ended


def current_session() -> UserSession | None:
    """The session this request was made in, once its user has been loaded."""
    return request.environ.get(RECORD_KEY)


def log_in(session: Session, user: User) -> None:
    """Start a session for ``user`` in this browser, dropping what its cookie held before (and
    ending the session it held, if any)."""
    previous = cookie.get(TOKEN_KEY)
    if previous:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(previous), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=EndReason.REPLACED)
            .execution_options(synchronize_session=False)
        )
    cookie.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's copy
    record, token = start_session(session, user)
    login_user(user)
    cookie[TOKEN_KEY] = token
    request.environ[RECORD_KEY] = record


def log_out(session: Session, user: User) -> int:
    """End every session of ``user`` (a console forgotten on another counter's PC as well) and
    empty this browser's cookie."""
    ended = end_sessions(session, user, EndReason.LOGOUT)
    cookie.clear()
    logout_user()
    return ended


# The models whose columns the session's query reads, in its order.
_SESSION_MODELS = (User, UserSession, Site)


@cache
def _session_query():
    """Built once: every staff request asks it. The account, the session and each of the
    account's sites (a row each), read with Core and handed on as loaded (``all_loaded``): the
    ORM's loading of the three, with its joined collection, was a tenth of an officer's call
    (issue 21)."""
    return (
        select(*columns_of(*_SESSION_MODELS))
        .select_from(UserSession)
        .join(User, UserSession.user_id == User.id)
        .outerjoin(user_sites, user_sites.c.user_id == User.id)
        .outerjoin(Site, Site.id == user_sites.c.site_id)
        .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
    )


def presented_token_hash() -> str | None:
    """The hash of the session token this request's cookie holds, if it holds one."""
    token = cookie.get(TOKEN_KEY)
    return hash_token(token) if token else None


def with_session(statement: Select) -> Select:
    """``statement`` with the rows the user loader reads (:func:`_session_query`, whose parameter
    ``token_hash`` it takes) joined to each of its rows, their columns after its own: NULLs if
    the token has no open session. For a view whose first statement may as well read the
    session too (``queueing.operations.counter_for_update``): the loader is then given its rows
    (:func:`read_with`) and does not read them again, a round trip to the database less."""
    found = _session_query().subquery("staff_session")
    return statement.add_columns(*found.c).outerjoin(found, true())


def read_with(token_hash: str, rows: list) -> None:
    """Give this request's user loader the rows a view read with :func:`with_session` (their
    columns of the session's, each row as long as those), for the token hashing to
    ``token_hash``: it applies its rules to them as to its own."""
    request.environ[READ_KEY] = (token_hash, [row for row in rows if row[0] is not None])


def _rows_read(token_hash: str) -> Sequence | None:
    """The rows of :func:`read_with` for ``token_hash``, once; None if none were given for it."""
    given = request.environ.pop(READ_KEY, None)
    return given[1] if given is not None and given[0] == token_hash else None


def _loaded_session(session: Session, token: str) -> tuple[User, UserSession] | None:
    """The account and the open session of ``token``, the account's sites loaded with it."""
    token_hash = hash_token(token)
    rows = _rows_read(token_hash)
    if rows is None:
        rows = session.connection().execute(_session_query(), {"token_hash": token_hash}).all()
    if not rows:
        return None
    loaded = [all_loaded(session, _SESSION_MODELS, row) for row in rows]  # the same account on each
    user, record, _ = loaded[0]
    set_committed_value(user, "sites", [site for _, _, site in loaded if site is not None])
    return user, record


def _end_reason(user: User, record: UserSession, now: datetime) -> str | None:
    config = current_app.config
    if not user.active:
        return EndReason.DEACTIVATED
    if now - record.created_at > timedelta(hours=config["SESSION_LIFETIME_HOURS"]):
        return EndReason.LIFETIME
    if now - record.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return EndReason.IDLE
    return None


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the account of this request's open session, or None (then
    the API answers 401 and the pages show the login)."""
    token = cookie.get(TOKEN_KEY)
    if not token or not user_id.isdigit():
        return None
    loaded = _loaded_session(db.session(), token)
    if loaded is None or loaded[0].id != int(user_id):
        cookie.clear()  # ended: the browser forgets it
        return None
    user, record = loaded
    now = utcnow()
    reason = _end_reason(user, record, now)
    if reason is not None:
        request.environ[PENDING_KEY] = (record.id, {"ended_at": now, "end_reason": reason})
        cookie.clear()
        return None
    if now - record.last_seen_at >= TOUCH_RESOLUTION:
        request.environ[PENDING_KEY] = (record.id, {"last_seen_at": now})
    request.environ[RECORD_KEY] = record
    return user


def _write_back(error: BaseException | None = None) -> None:
    """After the answer: note that the session was used, or why it ended, in a transaction of
    its own. Whatever the request left uncommitted is dropped first, as the end of the request
    would drop it."""
    pending = request.environ.pop(PENDING_KEY, None)
    if pending is None:
        return
    record_id, values = pending
    try:
        db.session.rollback()
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == record_id, UserSession.ended_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception as failure:  # noqa: BLE001 - the answer is sent; a missed touch costs nothing
        log.warning("could not write back session %s: %s", record_id, failure)
        db.session.rollback()


def init_app(app: Flask) -> None:
    app.teardown_request(_write_back)
