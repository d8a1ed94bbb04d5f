"""The audit, bus-factor and gaps pages in real headless Chromium, against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from index.build import RunSummary
from service.settings import Settings
from tests.conftest import make_settings, serving
from tests.governance_support import copy_home
from tests.service.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser

GAP = "What is the pension age at our organisation?"


@pytest.fixture(scope="module")
def governed_url(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app on loopback over a private copy of the sample home, with one gap logged."""
    home = copy_home(sample_settings.home, tmp_path_factory.mktemp("governance-web") / "home")
    with serving(make_settings(home, demo=True)) as url:  # the demo's view
        httpx.get(f"{url}/api/search", params={"q": GAP}, timeout=60)
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811 - the imported fixture
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def test_audit_page_lists_queues_orphans_and_copies(
    page: Page, governed_url: str, artifacts: Path
) -> None:
    page.goto(f"{governed_url}/audit")
    orphans = page.locator("tr.orphan")
    assert orphans.count() == 3
    assert "notities_heidag_2021.docx" in orphans.first.inner_text()  # only source on its topic
    assert page.locator("tr.copy").count() == 4
    assert "Sanne Bakker" in page.locator("li.single-owner").first.inner_text()
    page.screenshot(path=str(artifacts / "governance-audit.png"), full_page=True)

    page.fill("#owner", "Team IT")
    page.keyboard.press("Enter")
    page.wait_for_url("**/audit?owner=Team+IT")
    owners = page.locator("section.queue").evaluate_all("els => els.map(e => e.dataset.owner)")
    assert owners == ["Team IT"] and page.locator("tr.orphan").count() == 0
    page.screenshot(path=str(artifacts / "governance-audit-owner.png"), full_page=True)


def test_busfactor_page_marks_the_single_owner_area(
    page: Page, governed_url: str, artifacts: Path
) -> None:
    page.goto(f"{governed_url}/busfactor")
    single = page.locator("tr.single-owner[data-kind=area]")
    assert single.count() == 1 and "Communicatie" in single.inner_text()
    page.screenshot(path=str(artifacts / "governance-busfactor.png"), full_page=True)


def test_gaps_page_shows_the_unanswered_question(
    page: Page, governed_url: str, artifacts: Path
) -> None:
    page.goto(f"{governed_url}/gaps")
    rows = page.locator("tr.gap")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any(GAP in text for text in texts), texts
    page.screenshot(path=str(artifacts / "governance-gaps.png"), full_page=True)
