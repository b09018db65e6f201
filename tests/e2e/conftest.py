"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser).

A browser that cannot start is a failure, not a skip: CI must prove the pages work.
Every page a test visits can be checked with axe-core (vendored) for WCAG 2.1 AA.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are
# still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/setup-browser")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # Our pages run under a Content-Security-Policy: anything it blocks is a broken page.
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not refused, "the Content-Security-Policy blocked something:\n" + "\n".join(refused)


class AxeChecker:
    """Runs axe-core on the current page; collects serious and critical violations."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.problems: list[str] = []

    def __call__(self, page) -> None:
        # The page's document must be complete: axe met a document being replaced (a redirect
        # landing just then) as "null.documentElement". A run that meets one is run again on
        # the page that is there once it has loaded, so every check reads a whole page.
        for attempt in (1, 2):
            page.wait_for_load_state("load")
            try:
                violations = self._run(page)
                break
            except PlaywrightError as exc:
                replaced = "documentElement" in str(exc) or "context was destroyed" in str(exc)
                if attempt == 2 or not replaced:
                    raise
        path = page.url
        self.checked.append(path)
        for v in violations:
            if v["impact"] in ("serious", "critical"):
                self.problems.append(f"{path}: {v['id']} ({v['impact']}) at {v['nodes']}")

    @staticmethod
    def _run(page) -> list[dict]:
        # Evaluated through the DevTools protocol rather than added as a <script> element,
        # which the pages' Content-Security-Policy (no inline script) would refuse.
        page.evaluate(AXE.read_text(encoding="utf-8"))
        return page.evaluate(
            """async () => {
                const result = await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
                });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
                }));
            }"""
        )


@pytest.fixture
def axe():
    checker = AxeChecker()
    yield checker
    assert checker.checked, "no page was checked with axe"
    assert not checker.problems, "axe found WCAG 2.1 AA problems:\n" + "\n".join(checker.problems)


@pytest.fixture
def shots(tmp_path):
    """Lay the page out at desktop (1280 px) and phone (390 px) width: at neither may the page
    be wider than the window (a phone user would scroll sideways to read it; wide tables
    scroll inside their own box).

    With ``E2E_SCREENSHOTS`` set, a full-page screenshot at each width goes there, for a
    person to look at; without it none is taken (a picture nobody looks at proves nothing the
    width check does not, and costs a second a page).
    """
    wanted = os.environ.get("E2E_SCREENSHOTS")
    folder = Path(wanted or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            wider = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert wider <= 1, f"{name}: the page is {wider} px wider than a {width} px window"
            if wanted:
                page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    take.folder = folder  # for a test's own pictures (a given viewport, an open menu)
    return take
