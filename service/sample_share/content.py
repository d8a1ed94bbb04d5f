"""The sample share's content as typed data, loaded from ``documents.toml``.

The TOML file holds every document (path, title, people, age, language and text) and the text
of every OWNERS file; the writers only decide how that content looks in each format.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

DOCUMENTS_TOML = Path(__file__).with_name("documents.toml")


class SampleShareDataError(ValueError):
    """The sample share data file has an entry we cannot read."""


@dataclass(frozen=True)
class Section:
    """A heading with its text: a page of a PDF, a slide, a sheet, a chapter."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file attached to an e-mail; its format follows from the file name."""

    filename: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Mail:
    """The envelope of an e-mail document; the subject is the document's title."""

    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class SampleDocument:
    """One document of the sample share; its format is the suffix of ``path``."""

    path: str
    title: str
    author: str
    last_modified_by: str
    age_days: int
    created_age_days: int
    language: str
    sections: tuple[Section, ...]
    front_matter: tuple[tuple[str, str], ...] = ()
    mail: Mail | None = None

    @property
    def file_format(self) -> str:
        """The format, taken from the suffix: ``docx``, ``pdf``, ``eml`` and so on."""
        return PurePosixPath(self.path).suffix.lstrip(".").lower()


@dataclass(frozen=True)
class OwnersFile:
    """The text of one OWNERS file and the folder (``""`` for the root) that holds it."""

    folder: str
    text: str
    age_days: int = 0


@dataclass(frozen=True)
class DocumentDates:
    """When a document was created and last modified (UTC, whole seconds)."""

    created: datetime
    modified: datetime


def document_dates(document: SampleDocument, now: datetime) -> DocumentDates:
    """Return the dates of ``document`` as seen at ``now``, which must be timezone-aware."""
    moment = now.replace(microsecond=0)
    return DocumentDates(
        created=moment - timedelta(days=document.created_age_days),
        modified=moment - timedelta(days=document.age_days),
    )


def load_documents(path: Path = DOCUMENTS_TOML) -> tuple[SampleDocument, ...]:
    """Read every document of the sample share from the data file at ``path``."""
    data = _read(path)
    return tuple(_document(entry, path) for entry in data.get("documents", []))


def load_owners_files(path: Path = DOCUMENTS_TOML) -> tuple[OwnersFile, ...]:
    """Read every OWNERS file of the sample share from the data file at ``path``."""
    data = _read(path)
    return tuple(
        OwnersFile(str(e["folder"]), str(e["text"]), int(e.get("age_days", 0)))
        for e in data.get("owners", [])
    )


def load_teams_text(path: Path = DOCUMENTS_TOML) -> str:
    """The text of the share's TEAMS file (empty when the data file has none)."""
    return str(_read(path).get("teams", {}).get("text", ""))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SampleShareDataError(f"{path} is not valid TOML ({exc}); fix the file") from exc


def _document(entry: Mapping[str, Any], source: Path) -> SampleDocument:
    try:
        age = int(entry["age_days"])
        return SampleDocument(
            path=str(entry["path"]),
            title=str(entry["title"]),
            author=str(entry.get("author", "")),
            last_modified_by=str(entry.get("last_modified_by", "")),
            age_days=age,
            created_age_days=int(entry.get("created_age_days", age)),
            language=str(entry["language"]),
            sections=_sections(entry["sections"]),
            front_matter=tuple((str(k), str(v)) for k, v in entry.get("front_matter", {}).items()),
            mail=_mail(entry["mail"]) if "mail" in entry else None,
        )
    except KeyError as exc:
        where = entry.get("path", "a document without a path")
        raise SampleShareDataError(
            f"{source}: {where} lacks the field {exc}; add it to its [[documents]] entry"
        ) from exc


def _sections(entries: Sequence[Mapping[str, Any]]) -> tuple[Section, ...]:
    return tuple(
        Section(
            heading=str(entry["heading"]),
            paragraphs=tuple(str(p) for p in entry.get("paragraphs", [])),
            bullets=tuple(str(b) for b in entry.get("bullets", [])),
            rows=tuple(tuple(str(cell) for cell in row) for row in entry.get("rows", [])),
        )
        for entry in entries
    )


def _mail(entry: Mapping[str, Any]) -> Mail:
    return Mail(
        sender=str(entry["sender"]),
        to=tuple(str(a) for a in entry["to"]),
        cc=tuple(str(a) for a in entry.get("cc", [])),
        attachments=tuple(
            Attachment(str(a["filename"]), str(a["title"]), _sections(a["sections"]))
            for a in entry.get("attachments", [])
        ),
    )
