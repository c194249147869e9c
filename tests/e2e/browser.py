"""Helpers for the browser tests: logging in, axe-core and the layout checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# Served by Playwright on the app's own origin, so the page loads axe under the app's real CSP
# (script-src 'self') and every CSP violation stays visible to the tests.
AXE_PATH = "/__e2e__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class BrowserPage:
    """A Playwright page plus the problems the browser reported while the test used it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.csp_violations: list[str] = []
        self.script_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def browser_problems(self) -> list[str]:
        return self.csp_violations + self.script_errors


def log_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> Any:
    """Fill in and send the real login form; return the response to the form post."""
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Logga in").click()
    return navigation.value


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {json.dumps(node['target'], ensure_ascii=False)}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def axe_problems(page: Any) -> str | None:
    """Run axe-core (WCAG 2.1 A and AA) on the current page; describe violations, or None."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    if not results["violations"]:
        return None
    return _format_violations(page.url, results["violations"])


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe-core finds WCAG 2.1 A/AA violations on the page."""
    problems = axe_problems(page)
    assert problems is None, problems


def horizontal_overflow(page: Any) -> str | None:
    """Describe horizontal scrolling on the current page (a phone must not need it), or None."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] <= widths["inner"]:
        return None
    return (
        f"{page.url}: page is {widths['scroll']}px wide in a {widths['inner']}px window"
        " (horizontal scrolling)"
    )
