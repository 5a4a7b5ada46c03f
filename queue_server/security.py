"""Protections every request passes through: the proxy in front, forged requests, floods.

- **Behind nginx** (``TRUSTED_PROXIES`` > 0) the client's address, scheme and host come from the
  proxy's ``X-Forwarded-*`` headers, so the audit trail records the citizen's or officer's
  address, not nginx's, and secure cookies and links know the request came over HTTPS.
- **Cross-site request forgery.** Staff pages act through the JSON API with the session cookie.
  A state-changing request from a logged-in browser must carry the session's token in the
  ``X-CSRFToken`` header; staff pages get it from ``<meta name="csrf-token">`` (see
  :func:`check_csrf` for the only exceptions).
- **Security headers** on every answer (:mod:`.headers`): a Content-Security-Policy that runs
  no inline script, no framing, no MIME sniffing, no address sent to other sites.
- **Floods.** The public search of the procedure catalogue, which folds every name of the
  province for each query, may be asked only so often (``PROCEDURE_SEARCH_RATE_LIMIT``, per
  token or address), counted in the shared store (``RATELIMIT_STORAGE_URI``, Redis in
  production, so every worker counts together: :mod:`.counting`). If the store is down the
  limits are counted per process instead of refusing citizens. So are the tracking pages'
  subscriptions to notifications (``TRACKING_SUBSCRIBE_RATE_LIMIT``, per address), and a
  citizen's phone books a slot, cancels it or takes today's number within
  ``BOOKING_RATE_LIMIT``, counted per address. A kiosk's numbers (``KIOSK_RATE_LIMIT``) are
  counted on its own row in the database instead, with the press (``queueing/quota.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache, wraps

from flask import Flask, current_app, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import RateLimitItem, parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth.access import current_actor
from .auth.sessions import hash_token
from .counting import SharedCounts
from .errors import ApiError, error_response
from .headers import SecurityHeaders

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

csrf = CSRFProtect()


def client_key() -> str:
    """Who a limit counts against: the bearer token, else the staff session, else the address.

    Read from the request alone, never from the database: these limits are counted before the view
    reads the request's body, and on SQLite a query would take the write lock (BEGIN IMMEDIATE)
    and hold it while this greenlet waits for the body, stalling every other request of the
    worker. An unknown or revoked token is counted too, and refused by the view.
    """
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hash_token(header[7:].strip())[:32]
    if "_user_id" in session:
        return f"user:{session['_user_id']}"
    return f"address:{request.remote_addr}"


def limited(limits_of: Callable[[], str]):
    """Refuse a client's request to the view beyond the limits ``limits_of()`` names (one or
    more, "10 per minute;60 per hour"): a 429 that says when to try again (``Retry-After``,
    the seconds until the window that was full starts again).

    Counted per client (:func:`client_key`) and view, in fixed windows, in the shared store
    (:mod:`.counting`) under the ``SOCKETIO_CHANNEL``'s name. Written on the ``limits`` library
    rather than through Flask-Limiter: its hooks ran on every request, with a limit or not, and
    cost a press of a kiosk's button a tenth of its CPU (docs/benchmarks.md, issue 21). The
    kiosk's own limit is counted with the press itself (``queueing/quota.py``).
    """

    def decorator(view):
        scope = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def limited_view(*args, **kwargs):
            counts: SharedCounts = current_app.extensions["request_counts"]
            client = client_key()
            for item in _parsed(limits_of()):
                wait = counts.hit(item, current_app.config["SOCKETIO_CHANNEL"], scope, client)
                if wait is not None:
                    raise too_many(item, wait)
            return view(*args, **kwargs)

        return limited_view

    return decorator


@lru_cache(maxsize=64)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def too_many(item: RateLimitItem, wait: float) -> ApiError:
    """The refusal of a request beyond ``item``, to try again in ``wait`` seconds."""
    return ApiError(
        "too_many_requests",
        f"Too many requests from this device ({item}); wait a moment.",
        429,
        retry_after=max(1, math.ceil(wait)),
    )


def kiosk_limit() -> str:
    return current_app.config["KIOSK_RATE_LIMIT"]


def search_limit() -> str:
    return current_app.config["PROCEDURE_SEARCH_RATE_LIMIT"]


def tracking_limit() -> str:
    return current_app.config["TRACKING_SUBSCRIBE_RATE_LIMIT"]


def booking_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def sessionless(view):
    """Mark a view that never acts on the session's behalf (it is authorised by a key in its
    address, like a citizen's rating by tracking key), so it needs no CSRF token."""
    view.sessionless = True
    return view


def check_csrf() -> None:
    """A state-changing request that carries a staff session must carry its token too.

    The session is what a page of another site can make the officer's browser send, so it is
    the session's presence that decides, never another header: a browser adds an
    ``Authorization: Basic`` header by itself to every request once its user has logged in to
    an HTTP-auth proxy in front, and anyone can write ``Bearer <anything>``. The exceptions:

    - no staff session (Flask-Login's key, read without the database): a device, the login
      itself, a citizen; nothing to abuse;
    - a view marked :func:`sessionless` (a citizen's rating by tracking key) never acts as the
      session;
    - a *valid* device token: the request then acts as that device, not as the session
      (:func:`~.auth.access.current_actor`), and a page of another site cannot hold one. An
      unknown or revoked one is refused here (401), before the view runs.

    Only that last case reads the database before the view reads the body (see
    :func:`client_key` for why that is avoided): it needs both a session and a bearer token,
    which no page or device of ours sends together, so the common requests are unchanged.
    """
    if request.method in SAFE_METHODS or "_user_id" not in session:
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), "sessionless", False):
        return
    actor = current_actor() if request.headers.get("Authorization", "").startswith("Bearer ") else None
    if actor is not None and actor.device:
        return  # a valid device token (an unknown or revoked one raised Unauthorized: 401)
    csrf.protect()


def csrf_refused(error: CSRFError):
    return error_response(
        400,
        "csrf_failed",
        "The request lacks this page's security token (the page may be out of date, or the "
        "request came from another site). Reload the page and try again.",
    )


def init_app(app: Flask) -> None:
    """Called after ``socketio.init_app``: the headers' middleware then wraps Socket.IO's, whose
    polling answers get them too."""
    proxies = app.config["TRUSTED_PROXIES"]
    # Flask's documented way to add WSGI middleware, which its annotations do not allow (ignore):
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)  # type: ignore[method-assign]
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by check_csrf, not for all
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session: a whole shift
    csrf.init_app(app)
    app.before_request(check_csrf)
    app.register_error_handler(CSRFError, csrf_refused)
    init_app_counts(app)


def init_app_counts(app: Flask) -> None:
    """The store of the request limits, from the app's settings (again after they changed)."""
    config = app.config
    app.extensions["request_counts"] = SharedCounts(
        config["RATELIMIT_STORAGE_URI"], config["RATELIMIT_STORAGE_OPTIONS"], "request limits"
    )
