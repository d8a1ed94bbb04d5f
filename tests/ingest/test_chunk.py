"""Chunking: sections by heading, and a heading travels with the text that follows it."""

from __future__ import annotations

from pathlib import Path

from unstructured.documents.elements import ElementMetadata, NarrativeText, Title

from ingest.chunk import ChunkingConfig, as_heading, chunk_elements
from ingest.parse import ParseLimits, parse_file

TITLE = "Statin Use and Breast Cancer Survival: A Nationwide Cohort Study from Finland"
ABSTRACT = (
    "Recent studies have suggested that statins could delay or prevent breast cancer recurrence. "
    * 20
).strip()


LOWER_TITLE = "neurobehavioral function and low-level exposure to brominated flame retardants"


def _on_page(element: Title | NarrativeText, page: int) -> Title | NarrativeText:
    element.metadata = ElementMetadata(page_number=page)
    return element


def test_a_title_over_a_long_abstract_leads_its_first_chunk(tmp_path: Path) -> None:
    path = tmp_path / "MED-10.txt"
    path.write_text(f"{TITLE}\n\n{ABSTRACT}\n", encoding="utf-8")
    assert len(ABSTRACT) > ChunkingConfig().max_characters
    parsed = parse_file(path, ChunkingConfig(), ParseLimits())
    assert parsed.title == TITLE
    assert len(parsed.chunks) >= 2
    assert parsed.chunks[0].text.startswith(f"{TITLE}\n\nRecent studies")
    assert all(chunk.text != TITLE for chunk in parsed.chunks)
    assert [chunk.ordinal for chunk in parsed.chunks] == list(range(len(parsed.chunks)))
    assert "".join(chunk.text for chunk in parsed.chunks).count(TITLE) == 1


def test_a_title_line_that_reads_as_prose_still_leads_its_text(tmp_path: Path) -> None:
    path = tmp_path / "MED-1000.txt"
    path.write_text(f"{LOWER_TITLE}\n\n{ABSTRACT}\n", encoding="utf-8")
    parsed = parse_file(path, ChunkingConfig(), ParseLimits())
    assert parsed.title == LOWER_TITLE
    assert parsed.chunks[0].text.startswith(f"{LOWER_TITLE}\n\nRecent studies")
    assert all(chunk.section == LOWER_TITLE for chunk in parsed.chunks)


def test_the_first_element_becomes_a_heading_only_when_it_is_the_title_line() -> None:
    elements = [NarrativeText(LOWER_TITLE), NarrativeText(ABSTRACT)]
    assert isinstance(as_heading(elements, LOWER_TITLE)[0], Title)
    assert as_heading(elements, "another title") == elements
    assert as_heading(elements, None) == elements


def test_a_carried_heading_keeps_its_page_and_names_the_section() -> None:
    elements = [
        _on_page(Title("Introduction"), 1),
        _on_page(NarrativeText("A short opening paragraph that fits."), 1),
        _on_page(Title("Methods"), 2),
        _on_page(NarrativeText("We measured everything twice. " * 60), 3),
    ]
    chunks = chunk_elements(elements, ChunkingConfig())
    assert chunks[0].text == "Introduction\n\nA short opening paragraph that fits."
    methods = [chunk for chunk in chunks if chunk.section == "Methods"]
    assert methods[0].text.startswith("Methods\n\nWe measured")
    assert methods[0].page == 2
    assert all(chunk.text not in {"Introduction", "Methods"} for chunk in chunks)


def test_a_heading_with_nothing_after_it_stays_where_it_was() -> None:
    elements = [
        Title("Annex A"),
        NarrativeText("The text of the annex. " * 60),
        Title("Annex B"),
    ]
    chunks = chunk_elements(elements, ChunkingConfig())
    assert chunks[0].text.startswith("Annex A\n\nThe text")
    assert chunks[-1].text == "Annex B"
    short = chunk_elements([NarrativeText("Wet op de zorg"), Title("vervallen")], ChunkingConfig())
    assert [chunk.text for chunk in short] == ["Wet op de zorg\n\nvervallen"]
