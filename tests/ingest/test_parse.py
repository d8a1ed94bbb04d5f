"""Parsing one file: type by content, guards against bad and hostile files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.pdfgen import canvas

from ingest.chunk import ChunkingConfig
from ingest.errors import ParseError
from ingest.parse import ParseLimits, detect_type, parse_file, text_title, worded


def _pdf(path: Path, lines: list[str]) -> Path:
    page = canvas.Canvas(str(path))
    page.setAuthor("Karin Smit")
    page.setTitle("Fietsplan")
    for number, line in enumerate(lines):
        page.drawString(72, 760 - 16 * number, line)
    page.save()
    return path


def test_type_is_decided_by_content_not_extension(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "fietsplan.txt", ["Het fietsplan geldt voor alle medewerkers."])
    assert detect_type(pdf) == "pdf"
    parsed = parse_file(pdf, ChunkingConfig(), ParseLimits())
    assert parsed.file_type == "pdf"
    assert "fietsplan" in parsed.chunks[0].text.lower()
    assert parsed.properties.authors == ("Karin Smit",)
    assert parsed.chunks[0].page == 1


def test_docx_gives_title_section_author_and_language(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Thuiswerken", 1)
    document.add_paragraph(
        "Medewerkers mogen twee dagen per week thuiswerken als hun functie dat toelaat. "
        "Bespreek je rooster met je leidinggevende."
    )
    document.core_properties.author = "Anna de Vries"
    document.save(str(tmp_path / "thuiswerken.docx"))
    parsed = parse_file(tmp_path / "thuiswerken.docx", ChunkingConfig(), ParseLimits())
    assert parsed.title == "Thuiswerken"
    assert parsed.properties.authors == ("Anna de Vries",)
    assert parsed.chunks[0].section == "Thuiswerken"
    assert parsed.language == "nl"


def test_corrupt_empty_and_unsupported_files_raise_a_one_line_reason(tmp_path: Path) -> None:
    corrupt = tmp_path / "kapot.docx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    empty = tmp_path / "leeg.pdf"
    empty.write_bytes(b"")
    image = tmp_path / "logo.docx"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    for path, reason in (
        (corrupt, "docx"),
        (empty, "empty file"),
        (image, "unsupported file type"),
    ):
        with pytest.raises(ParseError, match=reason) as caught:
            parse_file(path, ChunkingConfig(), ParseLimits())
        assert "\n" not in str(caught.value)


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (50 * 1024 * 1024))
    with pytest.raises(ParseError, match="zip bomb"):
        parse_file(bomb, ChunkingConfig(), ParseLimits())


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "groot.txt"
    big.write_text("woord " * 2000)
    with pytest.raises(ParseError, match="over the limit"):
        parse_file(big, ChunkingConfig(), ParseLimits(max_file_bytes=1000))


def test_a_file_that_vanished_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read the file"):
        parse_file(tmp_path / "weg.docx", ChunkingConfig(), ParseLimits())


LONG_TITLE = (
    "statin use after diagnosis of breast cancer and survival: a population-based cohort study"
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"{LONG_TITLE}\n\nStatins may reduce mortality.\n", LONG_TITLE),
        ("\ufeffKort verslag\n\nDe vergadering begon om negen uur.\n", "Kort verslag"),
        ("Een alinea zonder titel.\nZe loopt door op de volgende regel.\n", None),
        ("Alleen een regel\n\n", None),
        ("x" * 251 + "\n\nMore text.\n", None),
    ],
)
def test_a_plain_text_title_is_its_first_line_when_that_stands_alone(
    tmp_path: Path, content: str, expected: str | None
) -> None:
    path = tmp_path / "note.txt"
    path.write_text(content, encoding="utf-8")
    assert text_title(path) == expected


def test_a_long_lower_case_first_line_titles_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "MED-10.txt"
    path.write_text(f"{LONG_TITLE}\n\n" + "Statins may reduce mortality. " * 20, encoding="utf-8")
    parsed = parse_file(path, ChunkingConfig(), ParseLimits())
    assert parsed.title == LONG_TITLE


def test_a_pdf_titled_by_an_accession_number_is_titled_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "2022 Q3 AAPL.pdf"
    page = canvas.Canvas(str(path))
    page.setTitle("0000320193-22-000070")
    page.drawString(72, 760, "QUARTERLY REPORT")
    page.drawString(
        72, 720, "Net sales rose in the third quarter, driven by services and wearables."
    )
    page.save()
    parsed = parse_file(path, ChunkingConfig(), ParseLimits())
    assert parsed.properties.title == "0000320193-22-000070"
    assert parsed.title == "QUARTERLY REPORT"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("0000320193-22-000070", None),
        ("2023-01-04 / 17", None),
        ("  ", None),
        (None, None),
        (
            "Form 10-Q for Microsoft Corp filed 10/24/2022",
            "Form 10-Q for Microsoft Corp filed 10/24/2022",
        ),
        ("04.01.2023 10Q Document", "04.01.2023 10Q Document"),
        ("Één", "Één"),
    ],
)
def test_a_metadata_title_needs_a_word(title: str | None, expected: str | None) -> None:
    assert worded(title) == expected


def test_a_dutch_pdf_is_dutch_without_an_english_default_notice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        "Het fietsplan geldt voor alle medewerkers met een vast contract.",
        "De aanvraag gaat via de afdeling personeelszaken en wordt binnen twee weken beoordeeld.",
        "Medewerkers kunnen eens in de drie jaar een nieuwe fiets aanschaffen via de werkgever.",
    ]
    with caplog.at_level("INFO"):
        parsed = parse_file(
            _pdf(tmp_path / "fietsplan.pdf", lines), ChunkingConfig(), ParseLimits()
        )
    assert parsed.language == "nl"
    assert not [r for r in caplog.records if "No languages specified" in r.getMessage()]
