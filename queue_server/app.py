"""The application factory: configuration, extensions, blueprints and pages, in one place.

It lives in its own module (not the package's ``__init__``) so that importing a rule from
``queue_server`` (a dossier's limits and labels, the working calendar) does not pull in
Flask-Smorest, Socket.IO and every blueprint: the post-office client imports those rules.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, abort, send_from_directory

from . import config, inputs, security, web
from .audit import recorder  # noqa: F401  (audits every transaction of every session)
from .database import db
from .errors import error_response, register_error_handlers
from .extensions import api, babel, login_manager, socketio
from .notify import (
    outbox,  # noqa: F401  (writes the notifications of every transaction)
    vapid,
)
from .province import outbox as province_outbox  # noqa: F401  (writes what the province is told)

VENDOR_PACKAGES = {
    "socket.io-client": "dist",
    "swagger-ui-dist": "",
    "chart.js": "dist",  # the report page's charts
    "axe-core": "",  # accessibility checks in the page tests
}


def create_app(overrides: dict | None = None) -> Flask:
    """Application factory: configuration from the environment, then ``overrides``."""
    app = Flask("queue_server", instance_path=str(config.INSTANCE_DIR))
    app.url_map.converters["int"] = web.RowIdConverter
    app.config.update(config.from_env())
    app.config.update(overrides or {})
    config.check(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_key(Path(app.instance_path))
    if not app.config["VAPID_PRIVATE_KEY"]:
        app.config["VAPID_PRIVATE_KEY"] = vapid.made_once(Path(app.instance_path))
    vapid.load(app.config["VAPID_PRIVATE_KEY"])  # a wrong key stops the start, not the first message
    inputs.init_app(app)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"][len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    db.init_app(app)
    _init_login(app)
    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)
    from .live.queue import socketio_queue_options

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Redis: screens resync when it comes back, requests never wait long on it.
        **socketio_queue_options(app.config),
        # None: a browser's WebSocket is accepted only from a page of this server (behind
        # nginx, with the Host or X-Forwarded-Host it passes). An empty list would accept any.
        cors_allowed_origins=None,
    )
    api.init_app(app)
    register_error_handlers(app)
    security.init_app(app)

    from .admin.api import blp as admin_blp
    from .admin.notify_api import blp as notify_admin_blp
    from .admin.signage_api import blp as signage_blp
    from .auth.api import blp as auth_blp
    from .booking.api import blp as booking_checkin_blp
    from .booking.public_api import blp as booking_public_blp
    from .dossiers.api import blp as dossiers_blp
    from .dossiers.calendar_api import blp as calendar_blp
    from .evaluations.api import blp as evaluations_blp
    from .manifests.api import blp as manifests_blp
    from .notify.api import blp as notify_blp
    from .payments.api import blp as statements_blp
    from .printing.api import blp as printing_blp
    from .privacy.api import blp as privacy_blp
    from .province.api import blp as province_blp
    from .queueing.api import blp as queue_blp
    from .ratings.api import blp as ratings_blp
    from .reports.api import blp as reports_blp
    from .reports.live import blp as reports_live_blp
    from .scanning.api import blp as scanning_blp
    from .sync.api import blp as sync_blp
    from .tracking.api import blp as tracking_blp
    from .trail.api import blp as audit_blp

    api.register_blueprint(auth_blp)
    api.register_blueprint(queue_blp)
    api.register_blueprint(printing_blp)
    api.register_blueprint(scanning_blp)
    api.register_blueprint(admin_blp)
    api.register_blueprint(signage_blp)
    api.register_blueprint(notify_admin_blp)
    api.register_blueprint(notify_blp)
    api.register_blueprint(dossiers_blp)
    api.register_blueprint(calendar_blp)
    api.register_blueprint(manifests_blp)
    api.register_blueprint(sync_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(ratings_blp)
    api.register_blueprint(evaluations_blp)
    api.register_blueprint(tracking_blp)
    api.register_blueprint(reports_blp)
    api.register_blueprint(reports_live_blp)
    api.register_blueprint(privacy_blp)
    api.register_blueprint(booking_public_blp)
    api.register_blueprint(booking_checkin_blp)
    api.register_blueprint(statements_blp)
    api.register_blueprint(province_blp)
    _register_pages(app)

    from . import live

    live.init_app(app)
    if not app.testing:
        from .notify.worker import start_inline
        from .province.worker import start_inline as start_province_inline

        start_inline(app, socketio)
        start_province_inline(app, socketio)

    from .cli import register_cli

    register_cli(app)
    _register_vendor_assets(app)
    return app


def _register_pages(app: Flask) -> None:
    from display.signage import bp as signage_bp
    from display.views import bp as display_bp
    from kiosk.views import bp as kiosk_bp

    from .admin.views import bp as admin_bp
    from .board.views import bp as board_bp
    from .booking.views import bp as booking_bp
    from .console.views import bp as console_bp
    from .manage.views import bp as manage_bp
    from .notify.views import bp as notify_bp
    from .payments.views import bp as payments_bp
    from .province.views import bp as province_bp
    from .ratings.views import bp as rating_bp
    from .reports.views import bp as reports_bp
    from .tracking.views import bp as tracking_bp

    for blueprint in (
        tracking_bp,
        booking_bp,
        kiosk_bp,
        display_bp,
        signage_bp,
        console_bp,
        manage_bp,
        admin_bp,
        rating_bp,
        reports_bp,
        notify_bp,
        board_bp,
        payments_bp,
        province_bp,
    ):
        app.register_blueprint(blueprint)


def _init_login(app: Flask) -> None:
    from .auth import sessions, throttle

    login_manager.init_app(app)
    # The session's row and its user with their sites, in one round trip (auth/sessions.py).
    login_manager.user_loader(sessions.load_user)
    sessions.init_app(app)
    throttle.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        return error_response(401, "login_required", "Log in first.")


def _register_vendor_assets(app: Flask) -> None:
    """Serve the browser libraries installed by npm at set-up (never committed)."""
    root = Path(app.root_path).parent / "node_modules"

    @app.get("/vendor/<package>/<path:filename>")
    def vendor(package: str, filename: str):
        if package not in VENDOR_PACKAGES:
            abort(404)
        return send_from_directory(root / package / VENDOR_PACKAGES[package], filename, max_age=86400)
