"""The web pages in real headless Chromium (Debian's), against the real server.

Screenshots of every state go to the ``artifacts`` folder (``WEGWIJS_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from service.commands import run_ingest
from tests.conftest import make_settings, serving

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
EVIL_TITLE = "<script>window.__xss = 1</script> Onveilige <b>titel</b>"
EVIL_TEXT = 'Kwaadaardige tekst <img src=x onerror="window.__xss = 2"> over de fietsenstalling.'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run 'make test', which installs Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


def _open(browser: Browser, width: int, lang: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _open(browser, 1100, "nl-NL")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from _open(browser, 375, "en-GB")


@pytest.fixture(scope="module")
def evil_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A separate home whose only documents carry markup and script in title and text."""

    share = tmp_path_factory.mktemp("evil") / "evil-share"
    share.mkdir()
    (share / "onveilig.txt").write_text(f"{EVIL_TITLE}\n\n{EVIL_TEXT}\n", encoding="utf-8")
    (share / "ook_onveilig.txt").write_text(
        "Fietsenstalling\n\n<script>window.__xss = 3</script> De fietsenstalling is open.\n"
    )
    settings = make_settings(tmp_path_factory.mktemp("evil-home"))
    run_ingest(settings, [share], (), (), progress=False)
    with serving(settings) as url:
        yield url


def test_search_as_you_type_shows_highlighted_hits(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(server_url)
    page.locator("#q").press_sequentially("vakantiedagen", delay=40)
    first = page.locator(".hit").first
    first.wait_for()
    expect(first.locator("mark").first).to_have_text(re.compile("vakantie", re.I))
    assert (
        "geleden" in first.locator(".age").inner_text()
        or "vandaag" in first.locator(".age").inner_text()
    )
    assert first.locator(".owners").inner_text().strip() != "Eigenaar: onbekend"
    expect(page).to_have_url(re.compile(r"q=vakantiedagen"))
    page.screenshot(path=str(artifacts / "search-as-you-type.png"), full_page=True)


def test_plain_form_search_shows_a_hit_with_owner_and_age(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(server_url)
    page.fill("#q", "hoeveel vakantiedagen krijg ik")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=hoeveel"))
    first = page.locator(".hit").first
    first.wait_for()
    assert first.locator(".owners").inner_text().strip() != ""
    assert "geleden" in first.locator(".age").inner_text()
    page.screenshot(path=str(artifacts / "search-results.png"), full_page=True)


def test_filter_by_file_type_narrows_hits_and_keeps_counts(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(f"{server_url}/?q=beleid")
    page.locator("summary").click()
    pdf_option = page.locator("select[name=file_type] option[value=pdf]")
    expect(pdf_option).to_have_text(re.compile(r"^pdf \(\d+\)$"))
    page.select_option("select[name=file_type]", "pdf")
    expect(page.locator(".hit .type").first).to_have_text("pdf")
    expect(page).to_have_url(re.compile(r"file_type=pdf"))
    types = page.locator(".hit .type").all_inner_texts()
    assert types and set(types) == {"pdf"}
    page.screenshot(path=str(artifacts / "search-filtered.png"), full_page=True)


def test_outdated_documents_show_a_badge_when_included(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(f"{server_url}/?q=reiskosten+kilometer")
    expect(page.locator(".badge", has_text="Vervangen")).to_have_count(0)
    page.locator("summary").click()
    page.locator("input[name=include_outdated]").check()
    expect(page.locator(".badge", has_text="Vervangen").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"include_outdated=true"))
    page.screenshot(path=str(artifacts / "search-including-outdated.png"), full_page=True)


def test_more_results_are_appended(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?q=beleid")
    expect(page.locator(".hit")).to_have_count(10)
    page.locator("#more").click()
    expect(page.locator(".hit")).to_have_count(20)
    chunk_ids = page.locator(".hit").evaluate_all("items => items.map(i => i.dataset.chunkId)")
    assert len(set(chunk_ids)) == 20


def test_keyboard_opens_a_document_with_passages_and_download(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(f"{server_url}/?q=vakantiedagen")
    page.locator("main").click()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.press("ArrowDown")
    links = page.locator(".hit-link")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/documents/sample-share/hr/verlofregeling\.docx.*#chunk-\d+"))
    expect(page.locator("#document-title")).to_have_text("Verlofregeling Stichting Wegwijs")
    expect(page.locator(".passage-item:target mark").first).to_be_visible()
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "verlofregeling.docx"
    page.screenshot(path=str(artifacts / "document.png"), full_page=True)


def test_ask_shows_a_cited_answer_that_links_to_its_passage(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(server_url)
    page.fill("#q", "hoeveel vakantiedagen krijg ik per jaar")
    page.locator("#ask-button").click()
    answer = page.locator("#answer-text")
    expect(answer).to_contain_text("25 vakantiedagen")
    expect(answer.locator("a.cite").first).to_have_text("[1]")
    page.locator("#feedback button[data-helpful=true]").click()
    expect(page.locator("#feedback .thanks")).to_have_text("Dank je, je feedback is bewaard.")
    page.screenshot(path=str(artifacts / "ask-answer.png"), full_page=True)
    answer.locator("a.cite").first.click()
    page.wait_for_url(re.compile(r"/documents/.*#chunk-\d+"))
    expect(page.locator(".passage-item:target")).to_contain_text("25 vakantiedagen")


def test_ask_without_evidence_names_people_instead_of_guessing(
    page: Page, server_url: str, artifacts: Path
) -> None:
    page.goto(f"{server_url}/ask?q=Wat+is+de+hoofdstad+van+Peru%3F")
    expect(page.locator("#not-confident")).to_contain_text("Ik weet het niet zeker")
    expect(page.locator("#not-confident .who")).to_contain_text("Vraag het aan:")
    assert page.locator(".citation").count() >= 1
    page.screenshot(path=str(artifacts / "ask-not-confident.png"), full_page=True)


def test_interface_follows_the_browser_and_switches_language(
    phone: Page, server_url: str, artifacts: Path
) -> None:
    phone.goto(f"{server_url}/?q=parking")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#search-button")).to_have_text("Search")
    phone.locator("a.switch").click()
    expect(phone.locator("html")).to_have_attribute("lang", "nl")
    expect(phone.locator("#search-button")).to_have_text("Zoeken")
    expect(phone.locator(".hit").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "phone-search-nl.png"), full_page=True)


def test_phone_width_ask_and_document_fit(phone: Page, server_url: str, artifacts: Path) -> None:
    phone.goto(f"{server_url}/ask?q=How+do+I+connect+to+the+network+from+home")
    expect(phone.locator("#answer-text")).to_contain_text("VPN")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "phone-ask-en.png"), full_page=True)
    phone.locator(".citation .hit-link").first.click()
    expect(phone.locator("#document-title")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "phone-document.png"), full_page=True)


def _assert_inert(page: Page) -> None:
    """No injected element ran or exists: only our two script tags, no images."""
    assert page.evaluate("window.__xss") is None
    assert page.locator("script").count() == 2
    assert page.locator("img").count() == 0
    assert page.locator("main b").count() == 0


def test_document_text_with_markup_is_shown_as_text(
    page: Page, evil_url: str, artifacts: Path
) -> None:
    page.goto(evil_url)
    page.locator("#q").press_sequentially("fietsenstalling", delay=30)
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator("#hits")).to_contain_text("<script>window.__xss = 3</script>")
    expect(page.locator("#hits")).to_contain_text('<img src=x onerror="window.__xss = 2">')
    _assert_inert(page)
    page.screenshot(path=str(artifacts / "xss-search-as-you-type.png"), full_page=True)
    page.goto(f"{evil_url}/?q=fietsenstalling+kwaadaardige")
    expect(page.locator("#hits")).to_contain_text("<script>window.__xss = 3</script>")
    _assert_inert(page)
    page.locator(".hit-link", has_text="Onveilige").first.click()
    expect(page.locator("#document-title")).to_contain_text("<b>titel</b>")
    _assert_inert(page)
    page.goto(f"{evil_url}/ask?q=is+de+fietsenstalling+open")
    expect(page.locator(".citation").first).to_be_visible()
    _assert_inert(page)
    page.screenshot(path=str(artifacts / "xss-ask.png"), full_page=True)
