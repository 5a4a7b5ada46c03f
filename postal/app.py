"""The clerk's pages, served on 127.0.0.1 by the client itself: they work with no server.

:func:`create_app` only wires: the configuration, the :class:`~.extension.Postal` the views
find the store, settings and loop in, the blueprints of :mod:`.views`, what every page shares
(:mod:`.pages`: the guard, the template values, the error pages) and the server's security
headers (no injected script runs, no other site frames the pages:
:mod:`queue_server.headers`).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import RequestEntityTooLarge

from queue_server.headers import SecurityHeaders

from . import ClerkError, pages
from .config import Settings
from .extension import Postal
from .store import Store
from .sync import SyncLoop
from .views import inbox, intake, manifests, outbox, shift


def create_app(settings: Settings, store: Store, loop: SyncLoop | None = None) -> Flask:
    """The pages over ``store``; ``loop`` (when given) is woken after each record and shows
    the connection state in the header."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=store.secret_key(),
        # Several scans of one dossier, each at most the server's limit.
        MAX_CONTENT_LENGTH=pages.SCANS_MAX * settings.attachment_max_bytes + 2**20,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions["postal"] = Postal(settings, store, loop)
    # Flask's documented way to add WSGI middleware, which its annotations do not allow (ignore):
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)  # type: ignore[method-assign]

    app.before_request(pages.guard)
    app.context_processor(pages.shared)
    for name, function in pages.FILTERS.items():
        app.add_template_filter(function, name)
    app.register_error_handler(RequestEntityTooLarge, pages.too_large)
    app.register_error_handler(ClerkError, pages.clerk_error)

    for module in (shift, intake, outbox, manifests, inbox):
        app.register_blueprint(module.bp)
    return app
