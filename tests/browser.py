"""What the browser tests share: screenshots, the accessibility check, a scanner's keystrokes,
and the watch on the Content-Security-Policy.

Screenshots go to test-artifacts/ (ignored by git). Every page is checked with axe-core for
labels on interactive elements and WCAG AA text contrast. Every page of every browser test
reports what the policy blocked, and the test fails on it (:class:`CspWatchedBrowser`).

Pages run under the server's real policy, which forbids ``eval``: give ``wait_for_function`` a
function (``"() => ..."``), which Playwright evaluates once; a bare expression is evaluated
again at each poll with the page's ``eval``, and refused.
"""

from __future__ import annotations

import pytest

from .helpers import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
AXE_RULES = [
    "color-contrast",
    "label",
    "button-name",
    "link-name",
    "image-alt",
    "select-name",
    "aria-input-field-name",
    "input-button-name",
    "html-has-lang",
    "document-title",
]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# Runs in every frame before the page's own scripts (an init script is not subject to the
# page's policy) and reports each violation to the test through the context's binding.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
        + (event.sample ? ` (${event.sample})` : "")
    );
});
"""


class CspWatchedBrowser:
    """The session's Chromium, whose every context reports what the Content-Security-Policy
    blocks in any of its pages: a page that needs something the policy forbids is broken in
    production, and fails its test (see ``pytest_runtest_call`` in conftest.py)."""

    def __init__(self, browser):
        self._browser = browser
        self._contexts = []
        self.violations: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.expose_binding("__cspViolation", self._record)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        self._contexts.append(context)
        context.on("close", lambda closed: self._contexts.remove(closed))
        return context

    def _record(self, source, text: str) -> None:
        self.violations.append(f"{source['page'].url}: {text}")

    def take_violations(self) -> list[str]:
        """The violations reported since the last call, once the open pages' reports are in."""
        for context in self._contexts:
            for page in context.pages:
                try:
                    page.evaluate("0")  # a round trip: the page's earlier reports arrive first
                except Exception:  # noqa: BLE001 (closing, navigating: nothing more to wait for)
                    pass
        taken, self.violations = self.violations, []
        return taken

    def check(self) -> None:
        """Fail the test if a page reported a violation since the last look."""
        if violations := self.take_violations():
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)

    def __getattr__(self, name):
        return getattr(self._browser, name)


def check_accessibility(page) -> None:
    """Run axe-core's rules on the page as it stands.

    axe is injected from node_modules, not fetched from the server under test: it is the
    test's tool, and a busy server must not make the check itself fail. It is evaluated
    through DevTools, which the page's policy does not restrict (a script tag would be an
    inline script, which it blocks).
    """
    # Colours in the middle of a flash or a transition are not the page's colours: let the
    # finite animations end first (a ticker's endless scroll is left running).
    page.wait_for_function(
        """() => document.getAnimations().every(
            (a) => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity
        )""",
        timeout=15000,
    )
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: {type: 'rule', values: rules}});
            return result.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }""",
        AXE_RULES,
    )
    assert violations == [], violations


def wedge_scan(page, text: str) -> None:
    """What a keyboard-wedge scanner does: every key within a few milliseconds, then Enter.

    Dispatched in one go inside the page: Playwright's own typing can leave gaps longer than a
    scanner's on a busy machine, and the page would then take it for a person typing.
    """
    page.evaluate(
        """(text) => {
            for (const key of [...text, "Enter"]) {
                document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
            }
        }""",
        text,
    )


# The sizes of the devices each screen runs on (the developers' guide, "Screens").
HALL_SIZES = {"1080p": {"width": 1920, "height": 1080}, "768p": {"width": 1366, "height": 768}}
KIOSK_SIZES = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}
PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1366, "height": 768}


def assert_fits(page) -> None:
    """Nothing overflows the viewport: a screen nobody can scroll (the hall TV, the kiosk)
    shows everything it has or pages through it."""
    sizes = page.evaluate(
        """() => ({
            scrollHeight: document.documentElement.scrollHeight,
            scrollWidth: document.documentElement.scrollWidth,
            height: window.innerHeight,
            width: window.innerWidth,
        })"""
    )
    assert sizes["scrollHeight"] <= sizes["height"], f"the page scrolls: {sizes}"
    assert sizes["scrollWidth"] <= sizes["width"], f"the page scrolls sideways: {sizes}"


# The page's own count of its open WebSockets (``window.openSockets``), set up before its scripts
# run: a page that reconnects must end with one.
COUNT_PAGE_WEBSOCKETS = """(() => {
    const Native = window.WebSocket;
    window.openSockets = 0;
    window.WebSocket = function (...args) {
        const socket = new Native(...args);
        window.openSockets += 1;
        socket.addEventListener('close', () => { window.openSockets -= 1; });
        return socket;
    };
    window.WebSocket.prototype = Native.prototype;
    Object.assign(window.WebSocket, Native);
})();"""


def open_kiosk(contexts, server, token, size="portrait", site="NA-HCC", query=""):
    """The kiosk of ``site`` in a new page of ``size`` (:data:`KIOSK_SIZES`), once its services
    are shown."""
    kiosk = contexts(viewport=KIOSK_SIZES[size])
    kiosk.goto(f"{server.url}/kiosk/{site}{query}#token={token}")
    kiosk.wait_for_selector("[data-service]")
    return kiosk


def open_console(contexts, server, username, counter_number):
    """The officer's console, logged in through its form, at counter ``counter_number``."""
    page = contexts(viewport={"width": 1440, "height": 900})
    page.goto(f"{server.url}/console")
    page.fill("#username", username)
    page.fill("#password", "officer-demo")
    page.click("#login-form button[type=submit]")
    page.get_by_role("listitem").filter(has_text=f"Quầy {counter_number} ").first.click()
    page.wait_for_selector("#step-console:not([hidden])")
    return page


def signed_in_page(new_page, server, username, password="officer-demo"):
    """A new page whose context is logged in (through the API) as ``username``."""
    page = new_page(viewport={"width": 1440, "height": 900})
    response = page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": username, "password": password}
    )
    assert response.ok, response.text()
    return page
