"""What the browser tests share: screenshots, the accessibility check, a scanner's keystrokes.

Screenshots go to test-artifacts/ (ignored by git). Every page is checked with axe-core for
labels on interactive elements and WCAG AA text contrast.

Pages run under the server's real policy, which forbids ``eval``: give ``wait_for_function`` a
function (``"() => ..."``), which Playwright evaluates once; a bare expression is evaluated
again at each poll with the page's ``eval``, and refused.
"""

from __future__ import annotations

from .conftest import ROOT

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


def check_accessibility(page) -> None:
    """Run axe-core's rules on the page as it stands.

    axe is injected from node_modules, not fetched from the server under test: it is the
    test's tool, and a busy server must not make the check itself fail. It is evaluated
    through DevTools, which the page's policy does not restrict (a script tag would be an
    inline script, which it blocks).
    """
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: {type: 'rule', values: rules}});
            return result.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }""",
        AXE_RULES,
    )
    assert violations == []


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
