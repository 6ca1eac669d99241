"""axe-core on every page type, light and dark, desktop and phone: no violations.

axe-core comes from npm (pinned in package.json, installed by ``make test``) and is injected
by Playwright into each page after its scripts have run (the context bypasses the pages'
Content-Security-Policy for that injection only). One page load per combination.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pages_support import KOREAN_ID, ROOT
from tests.render.test_browser import NOW, _missing, browser, servers  # noqa: F401

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _why_not() -> str | None:
    missing = _missing()
    if missing:
        return missing
    if not AXE.exists():
        return f"ACCESSIBILITY TEST NOT RUN: no {AXE.relative_to(ROOT)}; run `npm ci` (make test)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")

PAGES = {
    "index": "/",
    "calendar": f"/calendars/{KOREAN_ID}/",
    "kind": "/calendars/icml-2026/deadlines/",
    "your-feed": f"/subscribe/?feed={KOREAN_ID}&ids=opening,la-talk&alarm=1h",
    "widget": "/examples/widget/",
    "embed": f"/embed/{KOREAN_ID}/",
}
SCREENS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 390, "height": 844}}


def axe_run(page) -> dict:
    """axe-core (the pinned one) injected into ``page`` as it is now: its version and the
    violations, each with its first five nodes."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return {version: axe.version, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => [n.target.join(' '), n.failureSummary])}))};
        }"""
    )


def version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_no_axe_violations(browser, servers, kind, scheme, screen):
    base, _ = servers
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Europe/Berlin",
        viewport=SCREENS[screen],
        color_scheme=scheme,
        bypass_csp=True,
        is_mobile=screen == "phone",
        has_touch=screen == "phone",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    page.goto(base + PAGES[kind])
    page.wait_for_function("document.documentElement.classList.contains('times-ready')")
    if kind == "widget":
        page.locator(".cf-event").first.wait_for()
    result = axe_run(page)
    context.close()
    assert result["version"] == version()
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)


def test_axe_is_the_pinned_one():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["axe-core"] == version()
    assert Path(AXE).stat().st_size > 100_000
