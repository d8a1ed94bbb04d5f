"""Typed data that flows from ingest to index: source files, owners, documents and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

OwnerSource = Literal["owners_file", "document_property", "file_system"]
Effect = Literal["allow", "deny"]
ReaderKind = Literal["user", "group", "public"]


@dataclass(frozen=True)
class Root:
    """A crawl root: a mounted folder and the label its documents are filed under."""

    label: str
    path: Path


@dataclass(frozen=True)
class SourceFile:
    """A file found under a root, with the cheap facts from ``stat``."""

    root: Root
    path: Path
    rel_path: str
    size: int
    mtime_ns: int

    @property
    def doc_id(self) -> str:
        """Stable, human-readable id: root label + POSIX path relative to the root."""
        return f"{self.root.label}/{self.rel_path}"


@dataclass(frozen=True)
class Owner:
    """A person or team responsible for a document, and where we learned it."""

    name: str
    source: OwnerSource


@dataclass(frozen=True, order=True)
class Reader:
    """One entry of a document's reader list: allow or deny a user, a group or everyone.

    ``name`` is empty for ``public``. When any deny entry matches a reader, the allow
    entries do not matter (deny beats allow).
    """

    effect: Effect
    kind: ReaderKind
    name: str = ""


@dataclass(frozen=True)
class Access:
    """Who may read a file, as captured from the file system (or an ACCESS file) at ingest."""

    uid: int
    gid: int
    mode: int
    user: str
    group: str
    public: bool
    readers: tuple[Reader, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, sized for the embedding model."""

    ordinal: int
    text: str
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class Document:
    """Everything ingest learns about one file: metadata and its chunks."""

    doc_id: str
    root_label: str
    rel_path: str
    path: Path
    file_type: str
    title: str
    owners: tuple[Owner, ...]
    modified_at: datetime
    size: int
    mtime_ns: int
    sha256: str
    language: str | None
    access: Access
    chunks: tuple[Chunk, ...] = field(default=())
    status: str | None = None


@dataclass(frozen=True)
class FileError:
    """A file that could not be ingested, with a one-line reason."""

    doc_id: str
    path: Path
    reason: str
