"""Parse one file into text chunks and its own properties, inside a limited worker process.

``parse_file`` runs in a child process (see ``workers.py``): it detects the type by content,
refuses what we do not support, partitions with unstructured (offline, ``fast`` PDFs), chunks,
and returns plain picklable data. Nothing here touches the catalog or the model.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from unstructured.documents.elements import Element

from ingest.chunk import ChunkingConfig, as_heading, chunk_elements, first_title
from ingest.discover import printable
from ingest.errors import ParseError
from ingest.models import Chunk
from ingest.properties import Properties, read_properties

SUPPORTED_TYPES: dict[str, str] = {
    "PDF": "pdf",
    "DOCX": "docx",
    "PPTX": "pptx",
    "XLSX": "xlsx",
    "HTML": "html",
    "MD": "md",
    "TXT": "txt",
    "EML": "eml",
    "ODT": "odt",
    "RTF": "rtf",
    "EPUB": "epub",
    "CSV": "csv",
}
# Bump when parsing extracts something different (text, title, chunks): the next ingest re-parses
# every file once; embedding inputs that come out the same keep their vectors.
PARSER_VERSION = 3
_WORD = re.compile(r"[^\W\d_]{2}")
_TEXT_TITLE_CHARS = 250
_ZIP_TYPES = {"docx", "pptx", "xlsx", "odt", "epub"}
_UNREADABLE = frozenset({"Cc", "Cs", "Co"})
_LANGUAGES = {"nld": "nl", "eng": "en", "deu": "de", "fra": "fr"}


@dataclass(frozen=True)
class ParseLimits:
    """Guards for one file: size, decompressed size of zip containers, and the zip ratio."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_zip_ratio: float = 200.0
    max_unreadable_share: float = 0.1


@dataclass(frozen=True)
class ParsedFile:
    """What a worker learns from one file."""

    file_type: str
    sha256: str
    title: str | None
    properties: Properties
    language: str | None
    chunks: tuple[Chunk, ...]


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_type(path: Path) -> str:
    """Return our short type name (``pdf``, ``docx``…) decided by content (libmagic).

    Raises:
        ParseError: the file is empty or of a type we do not index.
    """
    from unstructured.file_utils.filetype import detect_filetype

    if path.stat().st_size == 0:
        raise ParseError("empty file")
    detected = detect_filetype(file_path=str(path))
    file_type = SUPPORTED_TYPES.get(detected.name)
    if file_type is None:
        supported = ", ".join(sorted(SUPPORTED_TYPES.values()))
        raise ParseError(f"unsupported file type {detected.name.lower()} (indexed: {supported})")
    return file_type


def check_container(path: Path, file_type: str, limits: ParseLimits) -> None:
    """Refuse oversized files and zip bombs before any parser opens them."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ParseError(f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}")
    if file_type not in _ZIP_TYPES:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ParseError(f"corrupt {file_type} container: {exc}") from exc
    if unzipped > limits.max_unzipped_bytes or unzipped > size * limits.max_zip_ratio:
        raise ParseError(f"zip container expands to {unzipped:,} bytes: refused as a zip bomb")


def check_readable(chunks: Sequence[Chunk], file_type: str, limits: ParseLimits) -> None:
    """Refuse "text" that is mostly control or replacement characters: binary data parsed as text.

    Raises:
        ParseError: the share of unreadable characters is over ``limits.max_unreadable_share``.
    """
    text = "".join(chunk.text for chunk in chunks)
    unreadable = sum(
        1
        for ch in text
        if ch == "\ufffd" or (ch not in "\t\n\r" and unicodedata.category(ch) in _UNREADABLE)
    )
    share = unreadable / max(len(text), 1)
    if share > limits.max_unreadable_share:
        raise ParseError(
            f"{file_type} file looks like binary data ({share:.0%} unreadable characters): "
            "check that the file is not damaged"
        )


def parse_file(path: Path, config: ChunkingConfig, limits: ParseLimits) -> ParsedFile:
    """Detect, check, partition and chunk one file.

    Raises:
        ParseError: with a one-line reason when the file cannot be indexed.
    """
    if printable(str(path)) != str(path):
        raise ParseError("the file or folder name is not valid UTF-8: rename it to index the file")
    try:
        file_type = detect_type(path)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    check_container(path, file_type, limits)
    sha256 = file_sha256(path)
    line_title = text_title(path) if file_type == "txt" else None
    elements = as_heading(_partition(path, file_type), line_title)
    chunks = chunk_elements(elements, config)
    if not chunks:
        raise ParseError(f"no text found in {file_type} file (scanned image, encrypted or empty?)")
    check_readable(chunks, file_type, limits)
    props = read_properties(path, file_type)
    title = worded(props.title) or line_title or first_title(elements)
    return ParsedFile(file_type, sha256, title, props, _language(elements), chunks)


def worded(title: str | None) -> str | None:
    """A metadata title if it holds a word (two letters in a row), else None.

    Producers fill the title field with whatever identifier they have: an SEC filing's PDF is
    titled by its accession number ("0000320193-22-000070"), a scan by its date or serial. Such a
    string names nothing a reader would look for, so the document is titled as one without a
    title field (its first line or heading, else its file name).
    """
    return title if title and _WORD.search(title) else None


def text_title(path: Path) -> str | None:
    """A plain-text file's first line when it stands alone as a title.

    Notes and exports often start with a title line, an empty line, then the text; unstructured
    only calls such a line a Title when it looks like a heading (short, capitalised), so a long
    lower-case title would be lost. The line must be at most 250 characters and followed by an
    empty line and more text.
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
    try:
        whole = len(head) < 4096
        text = (head if whole else head[: head.rfind(b"\n") + 1]).decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = text.lstrip().splitlines()
    if len(lines) < 3 or lines[1].strip() or not any(line.strip() for line in lines[2:]):
        return None
    first = lines[0].strip()
    return first if 0 < len(first) <= _TEXT_TITLE_CHARS else None


class _NoEnglishDefaultNotice(logging.Filter):
    """Drops unstructured's "No languages specified, defaulting to English." warning, logged for
    every PDF: the default is its OCR language, and ``fast`` PDFs are never OCRed; a document's
    language is detected from its text (``_language``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("No languages specified"))


logging.getLogger("unstructured").addFilter(_NoEnglishDefaultNotice())


def _partition(path: Path, file_type: str) -> list[Element]:
    from unstructured.partition.auto import partition

    try:
        elements: list[Element] = list(
            partition(
                filename=str(path),
                strategy="fast",
                process_attachments=file_type == "eml",
            )
        )
        return elements
    except Exception as exc:  # unstructured raises many types: wrap with the reason
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ParseError(f"could not parse {file_type}: {reason}") from exc


def _language(elements: Sequence[object]) -> str | None:
    votes: Counter[str] = Counter()
    for element in elements:
        metadata = getattr(element, "metadata", None)
        text = getattr(element, "text", "")
        for code in getattr(metadata, "languages", None) or []:
            votes[_LANGUAGES.get(code, code)] += len(text)
    return votes.most_common(1)[0][0] if votes else None
