"""The search page in real headless Chromium (Debian's), against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run 'make test', which installs Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def test_search_from_the_page_shows_a_hit_with_owner_and_age(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(server_url)
    page.fill("#q", "hoeveel vakantiedagen krijg ik")
    page.keyboard.press("Enter")
    first = page.locator(".hit").first
    first.wait_for()
    assert first.locator(".owners").inner_text().strip() != ""
    assert (
        "ago" in first.locator(".age").inner_text()
        or "geleden" in first.locator(".age").inner_text()
    )
    page.screenshot(path=str(artifacts / "search-results.png"), full_page=True)
