"""Naughty file names, titles and bodies from the hostile corpus, in real Chromium: all text.

Reuses the Chromium setup of ``test_browser``. Every naughty string is also sent as a query, so
reflected input is covered too. ``window.__xss`` is what each payload would set if it ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from service.commands import run_ingest
from tests.conftest import make_settings, serving
from tests.ingest.hostile_corpus import write_naughty
from tests.ingest.hostile_payloads import NAUGHTY
from tests.service.test_browser import _assert_inert, _open, browser  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def naughty_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A home holding only files with naughty names, titles and bodies, served on loopback."""

    share = tmp_path_factory.mktemp("naughty") / "naughty-share"
    write_naughty(share)
    settings = make_settings(tmp_path_factory.mktemp("naughty-home"), anonymous=True)
    run_ingest(settings, [share], (), (), progress=False)
    with serving(settings) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811 - the imported fixture
    yield from _open(browser, 1100, "nl-NL")


def test_naughty_names_titles_and_bodies_render_as_text(
    page: Page, naughty_url: str, artifacts: Path
) -> None:
    page.goto(f"{naughty_url}/?q=window+xss+onerror+script")
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.locator("#hits")).to_contain_text("window.__xss")
    expect(page.locator("#hits")).to_contain_text("<")
    _assert_inert(page)
    page.screenshot(path=str(artifacts / "naughty-results.png"), full_page=True)
    links = page.locator(".hit-link")
    targets = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 8))]
    for target in targets:
        page.goto(f"{naughty_url}{target}" if target and target.startswith("/") else str(target))
        expect(page.locator("#document-title")).to_be_visible()
        _assert_inert(page)


def test_naughty_strings_as_queries_are_shown_as_text(page: Page, naughty_url: str) -> None:
    for query in NAUGHTY:
        page.goto(f"{naughty_url}/?q={quote(query)}")
        expect(page.locator("#q")).to_be_visible()
        _assert_inert(page)
    page.goto(f"{naughty_url}/ask?q={quote(NAUGHTY[0])}")
    _assert_inert(page)
