"""The security headers of every answer, for the central server and the post-office client alike.

A small WSGI middleware with no imports from the rest of the server, so that ``postal`` (which
runs alone on a clerk's PC) reuses it as it is. It sits outside Flask, so it also covers what
Flask never sees: Socket.IO's polling answers, and any error page whatever produced it.

The policy assumes what every page of the project keeps to, and the browser tests check (a page
that breaks it fails them):

- scripts come from files of this server only: page configuration travels in
  ``<script type="application/json">`` blocks read by the page's script, never in an inline
  script or an ``on...=`` attribute, so an injected ``<script>`` never runs (no nonce to keep);
- styles come from the stylesheets only, never from ``style="..."`` attributes (scripts still
  set ``element.style``, which a policy does not restrict);
- nothing is loaded from, framed by, or posted to another site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

# Each directive, and why.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        # Whatever no directive below names (fonts, frames, workers): from this server only.
        "default-src 'self'",
        # Files of this server only: no inline script, no eval.
        "script-src 'self'",
        # The stylesheets only: an injected style="..." or <style> cannot restyle a page
        # (for instance, to hide a warning or overlay a fake button).
        "style-src 'self'",
        # The QR codes; data: for the icons Swagger UI's stylesheet embeds (/api/v1/docs).
        "img-src 'self' data:",
        # The API and the live connection. CSP level 3 lets 'self' cover ws:/wss: of this
        # host, which the Socket.IO WebSocket uses.
        "connect-src 'self'",
        # The hall display's chime and spoken calls (display/static/announcer.js).
        "media-src 'self'",
        # No plug-ins.
        "object-src 'none'",
        # No page sets <base>: an injected one could send relative script addresses elsewhere.
        "base-uri 'none'",
        # Forms (the post-office client's, the tracking book's) go to this server only.
        "form-action 'self'",
        # No site may frame a page (clickjacking a console or a kiosk); X-Frame-Options too,
        # for older browsers.
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # A JSON answer or an uploaded scan is never run as a script or shown as a page.
    "X-Content-Type-Options": "nosniff",
    # The tracking pages' addresses (/t/<key>, /d/<key>) hold the key that reads (and rates) a
    # ticket or a dossier: no address of this server is ever sent to another site. Same-origin
    # requests keep it, because Flask-WTF checks the Referer of a staff request over HTTPS
    # and the post-office client sends the clerk back to the page a form came from.
    "Referrer-Policy": "same-origin",
    # No page uses these; an injected script cannot ask for them either.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()",
    # A page opened from another site (or opening one) gets no handle on our window.
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Browsers keep to HTTPS for a year after seeing it: a centre that serves over HTTPS
# (SESSION_COOKIE_SECURE) does so for good. Not includeSubDomains: other services of the
# province's domain may still be plain HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def security_headers(https: bool) -> dict[str, str]:
    """The headers every answer carries; ``https``: the site is served over HTTPS only."""
    if https:
        return {**HEADERS, "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY}
    return HEADERS


class SecurityHeaders:
    """WSGI middleware putting :func:`security_headers` on every answer of ``app``.

    ``config`` is the Flask app's config, read at each answer: HTTPS-only when
    ``SESSION_COOKIE_SECURE`` is set (cookies that only travel over HTTPS mean the site is
    served over HTTPS only). Headers the answer set itself are replaced: one policy for all.
    """

    def __init__(self, app: Callable, config: Mapping):
        self.app = app
        self.config = config

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            extra = security_headers(bool(self.config.get("SESSION_COOKIE_SECURE")))
            names = {name.lower() for name in extra}
            kept = [(name, value) for name, value in headers if name.lower() not in names]
            return start_response(status, kept + list(extra.items()), exc_info)

        return self.app(environ, start)
