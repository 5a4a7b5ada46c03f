"""What every page shares: the language, the strings its script needs, and page errors.

Pages speak Vietnamese first; ``?lang=en`` switches to English and is remembered in a cookie.
Shared screens (kiosk, hall, console) ignore the browser's language, which on a kiosk PC says
nothing about the citizen in front of it; pages on the citizen's own phone follow it.
Message ids are the Vietnamese text itself, so a missing catalogue never shows a page in a
half-translated state: it simply stays Vietnamese.
"""

from __future__ import annotations

import io
from functools import partial
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Flask, Response, current_app, has_request_context, render_template, request
from flask_babel import get_locale, gettext
from werkzeug.routing import IntegerConverter

from .inputs import DB_INT_MAX

LANGUAGES = ("vi", "en")
LANG_COOKIE = "lang"


# Blueprints of pages seen on the visitor's own device.
PERSONAL_PAGES = {"tracking", "booking"}


def select_locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if request.blueprint in PERSONAL_PAGES or request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES) or "vi"
    return "vi"


def remember_language(response):
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 86400,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a row id. One larger than the database's integer (2^31 - 1)
    is no row, so the route answers 404 instead of failing in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def public_url(path: str) -> str:
    """An absolute link for a citizen's phone: PUBLIC_BASE_URL, else this request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        # Not ``request.host_url``: it rebuilds and re-encodes the whole address, on every
        # ticket issued; the host is checked against TRUSTED_HOSTS either way.
        base = f"{request.scheme}://{request.host}"
    return f"{base}{path}"


def qr_svg(link: str) -> Response:
    """The QR code of a citizen's link, as SVG (a ticket's, a booking's, a procedure's)."""
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, when a page is rendered."""
    return message


# What the script core (static/js/core.js), under every page's script, says itself: an API
# error with no explanation of its own, a lost connection, a wait.
CORE_STRINGS = (
    N_("Không kết nối được máy chủ."),
    N_("Không thực hiện được. Vui lòng thử lại. (Mã lỗi HTTP {status})"),
    N_("Mất kết nối, đang kết nối lại…"),
    N_("Đã kết nối lại."),
    N_("{n} giây"),
    N_("{n} phút"),
)


def js_strings(*messages: str) -> dict[str, str]:
    """Translations of the given message ids and the core's, for a page script (keyed by the
    Vietnamese)."""
    return {message: gettext(message) for message in (*CORE_STRINGS, *messages)}


def named(row: Any, lang: str | None = None, key: str = "name") -> str:
    """A row's name (a site, a service: ``name`` and ``name_en``, as attributes or keys) in the
    page's language: English where it has one, else the Vietnamese, which is its real name."""
    value = row.get if isinstance(row, dict) else partial(getattr, row)
    english = value(f"{key}_en", None)
    return english if (lang or str(get_locale() or "vi")) == "en" and english else value(key, "")


def page_error(status: int, title: str, detail: str):
    """A readable error page (never a stack trace) in the visitor's language."""
    return render_template("error.html", title=title, detail=detail, status=status), status


def init_app(app: Flask) -> None:
    app.after_request(remember_language)

    @app.context_processor
    def inject_language():
        return {"lang": str(get_locale() or "vi"), "named": named}
