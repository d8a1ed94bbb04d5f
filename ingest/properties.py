"""Read a document's own properties (author, title, dates, status) from its container format.

unstructured does not return authors, so we read core properties ourselves. Everything here is
best effort: a property that cannot be read is simply absent; parsing errors surface in parse.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from defusedxml import ElementTree

logger = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_META = re.compile(
    r"<meta\s+name=[\"'](author|status|dcterms\.modified)[\"']\s+content=[\"']([^\"']*)[\"']",
    re.IGNORECASE,
)
_HEAD_BYTES = 65_536


@dataclass(frozen=True)
class Properties:
    """What a document says about itself."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    modified_at: datetime | None = None
    status: str | None = None


def read_properties(path: Path, file_type: str) -> Properties:
    """Return the properties of ``path`` for a detected ``file_type`` (``docx``, ``pdf``, …)."""
    reader = _READERS.get(file_type)
    if reader is None:
        return Properties()
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - properties are optional; parse reports real errors
        logger.info("No properties from %s: %s", path, exc)
        return Properties()


def _people(*names: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        if isinstance(name, str):
            for part in re.split(r"[;,]", name):
                if part.strip():
                    seen.setdefault(part.strip(), None)
    return tuple(seen)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _office(path: Path, module: str) -> Properties:
    if module == "docx":
        import docx

        props = docx.Document(str(path)).core_properties
    else:
        import pptx

        props = pptx.Presentation(str(path)).core_properties
    return Properties(
        title=props.title or None,
        authors=_people(props.author, props.last_modified_by),
        modified_at=_aware(props.modified),
        status=props.content_status or None,
    )


def _xlsx(path: Path) -> Properties:
    import openpyxl

    book = openpyxl.load_workbook(str(path), read_only=True)
    try:
        props = book.properties
        return Properties(
            title=props.title or None,
            authors=_people(props.creator, props.lastModifiedBy),
            modified_at=_aware(props.modified),
            status=props.contentStatus or None,
        )
    finally:
        book.close()


def _pdf(path: Path) -> Properties:
    import pypdf

    meta = pypdf.PdfReader(str(path)).metadata
    if meta is None:
        return Properties()
    return Properties(
        title=meta.title or None,
        authors=_people(meta.author),
        modified_at=_aware(meta.modification_date),
    )


def _odf(path: Path) -> Properties:
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    }
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("meta.xml")[:_HEAD_BYTES])
    meta = root.find("office:meta", ns)
    if meta is None:
        return Properties()

    def text(tag: str) -> str | None:
        node = meta.find(tag, ns)
        return node.text if node is not None else None

    date = text("dc:date")
    return Properties(
        title=text("dc:title"),
        authors=_people(text("meta:initial-creator"), text("dc:creator")),
        modified_at=_aware(datetime.fromisoformat(date)) if date else None,
    )


def _epub(path: Path) -> Properties:
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    with zipfile.ZipFile(path) as archive:
        opf = next((n for n in archive.namelist() if n.endswith(".opf")), None)
        if opf is None:
            return Properties()
        root = ElementTree.fromstring(archive.read(opf))
    title = root.find(".//dc:title", ns)
    creators = [node.text for node in root.iterfind(".//dc:creator", ns)]
    return Properties(title=title.text if title is not None else None, authors=_people(*creators))


def _eml(path: Path) -> Properties:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    date = message.get("Date")
    sender = message.get("From")
    name = email.utils.parseaddr(str(sender))[0] if sender else None
    return Properties(
        title=str(message.get("Subject") or "") or None,
        authors=_people(name or (str(sender) if sender else None)),
        modified_at=_aware(parsedate_to_datetime(str(date))) if date else None,
    )


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")


def _markdown(path: Path) -> Properties:
    match = _FRONT_MATTER.match(_head(path))
    if match is None:
        return Properties()
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return Properties(
        title=fields.get("title"),
        authors=_people(fields.get("author"), fields.get("owner")),
        status=fields.get("status"),
    )


def _html(path: Path) -> Properties:
    head = _head(path)
    title = _HTML_TITLE.search(head)
    meta = {name.lower(): value for name, value in _HTML_META.findall(head)}
    return Properties(
        title=re.sub(r"\s+", " ", title.group(1)).strip() if title else None,
        authors=_people(meta.get("author")),
        status=meta.get("status"),
    )


def _rtf_field(head: str, name: str) -> str | None:
    match = re.search(r"\{\\" + name + r"\s+([^{}]*)\}", head)
    if match is None or not match.group(1).strip():
        return None
    return re.sub(
        r"\\'([0-9a-fA-F]{2})",
        lambda hexa: bytes([int(hexa.group(1), 16)]).decode("cp1252", errors="replace"),
        match.group(1).strip(),
    )


def _rtf(path: Path) -> Properties:
    head = _head(path)
    return Properties(
        title=_rtf_field(head, "title"),
        authors=_people(_rtf_field(head, "author"), _rtf_field(head, "operator")),
    )


_READERS: dict[str, Callable[[Path], Properties]] = {
    "rtf": _rtf,
    "docx": lambda path: _office(path, "docx"),
    "pptx": lambda path: _office(path, "pptx"),
    "xlsx": _xlsx,
    "pdf": _pdf,
    "odt": _odf,
    "epub": _epub,
    "eml": _eml,
    "md": _markdown,
    "html": _html,
}
