"""Security headers on every answer (``queue_server/headers.py``), of the server and of the
post-office client, and the pages under the Content-Security-Policy in headless Chromium: what
they need is allowed, what is injected into them is blocked and fails the browser tests.

(Every page test of the other modules also fails on any violation: tests/browser.py.)
"""

from __future__ import annotations

import pytest

from postal.app import create_app as create_postal_app
from postal.config import Settings
from postal.store import Store

from .helpers import issue_over_http, tracking_key

SAME_FOR_ALL = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


def assert_protected(response, what: str) -> None:
    for name, value in SAME_FOR_ALL.items():
        assert response.headers.get(name) == value, (what, name)
    assert response.headers.get_all("Content-Security-Policy") == [
        response.headers["Content-Security-Policy"]
    ], what
    directives = policy(response)
    assert directives["script-src"] == ["'self'"], what  # no inline script, no eval, no nonce
    assert directives["style-src"] == ["'self'"], what
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"], what
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"], what
    assert directives["form-action"] == ["'self'"], what
    assert "Strict-Transport-Security" not in response.headers, what  # plain HTTP by default


@pytest.fixture
def ticket(kiosk) -> dict:
    response = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert response.status_code == 201
    return response.json


def test_every_kind_of_answer_carries_the_security_headers(app, ticket):
    client = app.test_client()
    key = tracking_key(ticket)
    answers = {
        "kiosk page": client.get("/kiosk/NA-HCC"),
        "tracking page": client.get(f"/t/{key}"),
        "QR code": client.get(f"/t/{key}/qr.svg"),
        "console": client.get("/console"),
        "API": client.get("/api/v1/sites"),
        "API error": client.get("/api/v1/sites/NOWHERE/queue"),
        "API refusal": client.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}),
        "wrong method": client.delete("/api/v1/sites"),
        "error page": client.get("/no-such-page", headers={"Accept": "text/html"}),
        "static file": client.get("/static/css/base.css"),
        "vendor asset": client.get("/vendor/socket.io-client/socket.io.min.js"),
        "API documentation": client.get("/api/v1/docs"),
        "OpenAPI document": client.get("/api/v1/openapi.json"),
        "Socket.IO polling": client.get("/socket.io/?EIO=4&transport=polling"),
    }
    for what, response in answers.items():
        assert response.status_code < 500, what
        assert_protected(response, what)
        response.close()
    assert answers["API refusal"].status_code == 401 and answers["wrong method"].status_code == 405


def test_a_site_served_over_https_keeps_browsers_to_https(app):
    assert "Strict-Transport-Security" not in app.test_client().get("/api/v1/sites").headers
    app.config["SESSION_COOKIE_SECURE"] = True  # the README's "behind HTTPS" setting
    for response in (app.test_client().get("/api/v1/sites"), app.test_client().get("/kiosk/NA-HCC")):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_post_office_client_answers_with_the_same_headers(tmp_path):
    store = Store(tmp_path / "postal.sqlite3")
    settings = Settings("http://127.0.0.1:9", "postal_x", store.path, f"sim://{tmp_path / 'printer'}")
    clerk = create_postal_app(settings, store).test_client()
    assert clerk.get("/intake").location.endswith("/login")  # no page without a clerk's shift
    page = clerk.get("/login")
    assert page.status_code == 200
    assert_protected(page, "login page")
    assert_protected(clerk.get("/static/postal.js"), "its script")
    rebound = clerk.get("/intake", headers={"Host": "evil.example"})  # DNS rebinding: refused
    assert rebound.status_code == 403
    assert_protected(rebound, "refusal")


INJECT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = 'script'";
    document.body.append(script);
    document.body.insertAdjacentHTML("beforeend", '<img alt="" src="/none" onerror="injected = 1">');
    document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="display: none">x</p>');
    return new Promise((resolve) => setTimeout(resolve, 500));
}"""


def test_a_script_or_style_injected_into_a_citizens_page_is_blocked_and_fails_the_test(
    server, kiosk_token, browser
):
    """What an HTML injection into the tracking page would add: none of it takes effect, and
    the browser tests' watch reports each one as a failure."""
    ticket = issue_over_http(server.url, kiosk_token)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(ticket["track_url"])
        page.wait_for_selector("#status:not(:empty)")
        page.evaluate(INJECT)
        assert page.evaluate("window.injected") is None
        assert page.is_visible("#styled")  # its style attribute was ignored
        with pytest.raises(pytest.fail.Exception) as failure:
            browser.check()
    finally:
        context.close()
    report = str(failure.value)
    for directive in ("script-src-elem", "script-src-attr", "style-src-attr"):
        assert f"{directive} blocked inline" in report, report
    assert "/t/" in report  # which page


def test_the_api_documentation_works_under_the_policy(server, browser):
    """Swagger UI (flask-smorest's page, its inline script replaced by js/api-docs.js) shows the
    OpenAPI document and calls the API; any violation, of its stylesheet's icons too, fails it."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.url}/api/v1/docs")
        page.click(".opblock-summary-path[data-path='/api/v1/sites/{site_code}/queue']")
        page.get_by_role("button", name="Try it out").click()
        page.fill("input[placeholder=site_code]", "NA-HCC")
        page.get_by_role("button", name="Execute").click()  # a request from the page itself
        assert page.inner_text(".live-responses-table tbody .response-col_status") == "200"
        assert '"waiting_total": 0' in page.inner_text(".live-responses-table .microlight")
    finally:
        context.close()
