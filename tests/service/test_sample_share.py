"""The generated sample share: complete, real files, the right dates, and sound labels."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

import docx
import openpyxl
import pptx
import pypdf
import pytest

from service.sample_share import generate_sample_share, load_questions
from service.sample_share.content import SampleDocument, load_documents, load_owners_files
from service.sample_share.render import WRITERS

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
DOCUMENTS = load_documents()
BY_PATH = {document.path: document for document in DOCUMENTS}


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "share"
    generate_sample_share(root, NOW)
    return root


def _words(document: SampleDocument) -> int:
    sections = list(document.sections)
    if document.mail:
        sections += [s for attachment in document.mail.attachments for s in attachment.sections]
    texts = [document.title]
    for section in sections:
        texts += [section.heading, *section.paragraphs, *section.bullets]
        texts += [cell for row in section.rows for cell in row]
    return sum(len(text.split()) for text in texts)


def test_the_share_has_enough_documents_in_every_format(share: Path) -> None:
    files = [p for p in share.rglob("*") if p.is_file() and p.name not in ("OWNERS", "TEAMS")]
    formats = Counter(p.suffix.lstrip(".") for p in files)
    assert len(files) >= 45
    assert set(formats) == set(WRITERS)
    assert min(formats.values()) >= 2
    assert {p.relative_to(share).parts[0] for p in files} == {
        "hr",
        "it",
        "financien",
        "facilitair",
        "communicatie",
        "projecten",
    }


def test_generate_returns_every_file_it_wrote(tmp_path: Path) -> None:
    written = generate_sample_share(tmp_path / "share", NOW)
    on_disk = sorted(p for p in (tmp_path / "share").rglob("*") if p.is_file())
    assert written == on_disk
    assert len(written) == len(DOCUMENTS) + len(load_owners_files()) + 1  # + TEAMS


def test_each_document_is_between_150_and_800_words() -> None:
    counts = {document.path: _words(document) for document in DOCUMENTS}
    assert {path: n for path, n in counts.items() if not 150 <= n <= 800} == {}


def test_file_times_follow_the_ages(share: Path) -> None:
    for document in DOCUMENTS:
        expected = (NOW - timedelta(days=document.age_days)).timestamp()
        assert (share / document.path).stat().st_mtime == expected, document.path
    ages = [document.age_days for document in DOCUMENTS]
    assert min(ages) <= 3 and max(ages) >= 5 * 365


def test_folder_times_are_those_of_their_newest_entry(share: Path) -> None:
    for folder in [share, *(p for p in share.rglob("*") if p.is_dir())]:
        newest = max(entry.stat().st_mtime_ns for entry in folder.iterdir())
        assert folder.stat().st_mtime_ns == newest, folder


def test_the_same_now_gives_the_same_bytes(share: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_sample_share(again, NOW)
    for document in DOCUMENTS:
        path = document.path
        assert (again / path).read_bytes() == (share / path).read_bytes(), path


def _open_docx(path: Path, document: SampleDocument) -> str:
    props = docx.Document(str(path)).core_properties
    assert (props.author, props.last_modified_by) == (document.author, document.last_modified_by)
    return str(props.title)


def _open_pptx(path: Path, document: SampleDocument) -> str:
    deck = pptx.Presentation(str(path))
    assert len(deck.slides) == len(document.sections) + 1
    assert deck.core_properties.author == document.author
    return str(deck.core_properties.title)


def _open_xlsx(path: Path, document: SampleDocument) -> str:
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [section.heading for section in document.sections]
    assert book.properties.creator == document.author
    expected = (NOW - timedelta(days=document.age_days)).replace(tzinfo=None)
    assert book.properties.modified == expected
    return str(book.properties.title)


def _open_pdf(path: Path, document: SampleDocument) -> str:
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) >= len(document.sections)
    assert document.sections[0].heading.split()[0] in reader.pages[0].extract_text()
    assert reader.metadata is not None and reader.metadata.author == document.author
    return str(reader.metadata.title)


def _open_eml(path: Path, document: SampleDocument) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    sent = parsedate_to_datetime(str(message["Date"]))
    assert sent == NOW.replace(microsecond=0) - timedelta(days=document.age_days)
    assert document.mail is not None
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [attachment.filename for attachment in document.mail.attachments]
    return str(message["Subject"])


def _open_container(path: Path, mimetype: bytes, meta: str, title_tag: str) -> str:
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert archive.read("mimetype") == mimetype
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith((".xml", ".opf", ".xhtml")):
                ElementTree.fromstring(archive.read(name))
        root = ElementTree.fromstring(archive.read(meta))
    node = root.find(f".//{{http://purl.org/dc/elements/1.1/}}{title_tag}")
    return (node.text or "") if node is not None else ""


def _open_odt(path: Path, document: SampleDocument) -> str:
    return _open_container(path, b"application/vnd.oasis.opendocument.text", "meta.xml", "title")


def _open_epub(path: Path, document: SampleDocument) -> str:
    return _open_container(path, b"application/epub+zip", "EPUB/package.opf", "title")


def _open_text(path: Path, document: SampleDocument) -> str:
    text = path.read_text(encoding="utf-8")
    assert document.sections[0].heading.split()[0] in text
    return document.title


def _open_csv(path: Path, document: SampleDocument) -> str:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows == [list(row) for section in document.sections for row in section.rows]
    return document.title


def _open_rtf(path: Path, document: SampleDocument) -> str:
    text = path.read_bytes().decode("ascii")
    groups = re.sub(r"\\[\\{}]", "", text)
    assert text.startswith("{\\rtf1") and text.rstrip().endswith("}")
    assert groups.count("{") == groups.count("}")
    assert "{\\author " in text and "{\\creatim\\yr" in text
    return document.title


OPENERS: dict[str, Callable[[Path, SampleDocument], str]] = {
    "docx": _open_docx,
    "pptx": _open_pptx,
    "xlsx": _open_xlsx,
    "pdf": _open_pdf,
    "eml": _open_eml,
    "odt": _open_odt,
    "epub": _open_epub,
    "html": _open_text,
    "md": _open_text,
    "txt": _open_text,
    "csv": _open_csv,
    "rtf": _open_rtf,
}


@pytest.mark.parametrize("path", sorted(BY_PATH))
def test_each_file_opens_with_its_library(share: Path, path: str) -> None:
    document = BY_PATH[path]
    title = OPENERS[document.file_format](share / path, document)
    assert title == document.title


def test_every_question_points_at_current_documents(share: Path) -> None:
    questions = load_questions()
    languages = Counter(question.language for question in questions)
    assert len(questions) >= 36
    assert languages["nl"] == languages["en"] == len(questions) // 2
    assert len({question.query_id for question in questions}) == len(questions)
    for question in questions:
        assert question.doc_paths, question.query_id
        for path in question.doc_paths:
            assert (share / path).is_file(), (question.query_id, path)
            assert "/oud/" not in path and "definitief" not in path, (question.query_id, path)


def test_owners_files_have_a_pattern_and_owners_on_every_rule(share: Path) -> None:
    owners_files = sorted(share.rglob("OWNERS"))
    assert len(owners_files) >= 4
    for owners_file in owners_files:
        for line in owners_file.read_text(encoding="utf-8").splitlines():
            rule = line.split("#", 1)[0].strip()
            if rule:
                pattern, _, rest = rule.partition(" ")
                names = [name.strip() for name in rest.split(",")]
                assert pattern and all(names), (owners_file, line)


def test_governance_cases_are_planted(share: Path) -> None:
    orphan = docx.Document(str(share / "projecten/archief/notities_heidag_2021.docx"))
    assert orphan.core_properties.author == orphan.core_properties.last_modified_by == ""
    stale = (share / "communicatie/social_media_richtlijnen.md").read_text(encoding="utf-8")
    assert stale.startswith("---\n") and "\nstatus: verouderd\n" in stale.split("\n---\n")[0]
    authors = {d.author for d in DOCUMENTS if d.path.startswith("communicatie/")}
    assert authors == {"Sanne Bakker"}
    assert not any(p.parent.name == "archief" for p in share.rglob("OWNERS"))
