"""Compose crawl, change detection and parsing into a stream of documents and errors.

The caller (the indexer) says what it already knows about each file; ingest decides what
changed, parses only that in worker processes, and yields ``Document``s and ``FileError``s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.access import read_access
from ingest.access_rules import AccessRule, load_access_rules
from ingest.chunk import ChunkingConfig
from ingest.discover import CrawlConfig, printable, scan_root
from ingest.errors import OwnersFileError, ParseError
from ingest.models import Document, FileError, Root, SourceFile
from ingest.owners import OwnersRule, load_rules, owners_for
from ingest.parse import ParsedFile, ParseLimits, file_sha256
from ingest.workers import WorkerConfig, parse_many


@dataclass(frozen=True)
class IngestConfig:
    """Everything that decides what is crawled and how it is parsed and chunked."""

    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    limits: ParseLimits = field(default_factory=ParseLimits)
    workers: WorkerConfig = field(default_factory=WorkerConfig)


@dataclass(frozen=True)
class Known:
    """What the catalog remembers about a file (or a failed file, with an empty sha256)."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class RootPlan:
    """The work for one root: files to parse, files merely touched, and files gone."""

    root: Root
    files: tuple[SourceFile, ...]
    to_parse: tuple[SourceFile, ...]
    touched: tuple[SourceFile, ...]
    deleted: tuple[str, ...]
    rules: Mapping[str, tuple[OwnersRule, ...]]
    access_rules: Mapping[str, tuple[AccessRule, ...]] = field(default_factory=dict)


def plan_root(root: Root, config: CrawlConfig, known: Mapping[str, Known]) -> RootPlan:
    """Scan a root and compare with what is known: unchanged files are neither hashed nor parsed.

    Raises:
        OwnersFileError: an OWNERS file under the root cannot be read.
        AccessFileError: an ACCESS file under the root cannot be read.
    """
    scan = scan_root(root, config)
    to_parse: list[SourceFile] = []
    touched: list[SourceFile] = []
    for source in scan.files:
        before = known.get(source.doc_id)
        if before is not None and (before.size, before.mtime_ns) == (
            source.size,
            source.mtime_ns,
        ):
            continue
        if (
            before is not None
            and before.sha256
            and before.size == source.size
            and file_sha256(source.path) == before.sha256
        ):
            touched.append(source)
        else:
            to_parse.append(source)
    seen = {source.doc_id for source in scan.files}
    deleted = tuple(sorted(doc_id for doc_id in known if doc_id not in seen))
    rules = load_rules(scan.owners_files)
    access_rules = load_access_rules(scan.access_files)
    return RootPlan(root, scan.files, tuple(to_parse), tuple(touched), deleted, rules, access_rules)


def parse_documents(
    plan: RootPlan, config: IngestConfig, meanwhile: Callable[[], object] | None = None
) -> Iterator[Document | FileError]:
    """Parse the changed files of a plan in worker processes, in order (``meanwhile``: see
    ``ingest.workers.parse_many``)."""
    by_path = {source.path: source for source in plan.to_parse}
    results = parse_many(
        by_path, config.chunking, config.limits, config.workers, meanwhile=meanwhile
    )
    for path, result in results:
        source = by_path[path]
        if isinstance(result, ParseError):
            yield FileError(source.doc_id, Path(printable(str(path))), str(result))
            continue
        try:
            yield make_document(source, result, plan.rules, plan.access_rules)
        except OSError as exc:
            reason = f"file changed or vanished during ingest: {exc}"
            yield FileError(source.doc_id, Path(printable(str(path))), reason)


def make_document(
    source: SourceFile,
    parsed: ParsedFile,
    rules: Mapping[str, tuple[OwnersRule, ...]],
    access_rules: Mapping[str, tuple[AccessRule, ...]] | None = None,
) -> Document:
    """Combine crawl facts, parse results, OWNERS and ACCESS rules into a ``Document``."""
    access = read_access(source.path, source.rel_path, access_rules)
    modified = datetime.fromtimestamp(source.mtime_ns / 1e9, tz=UTC)
    if parsed.file_type == "eml" and parsed.properties.modified_at is not None:
        modified = parsed.properties.modified_at.astimezone(UTC)
    return Document(
        doc_id=source.doc_id,
        root_label=source.root.label,
        rel_path=source.rel_path,
        path=source.path,
        file_type=parsed.file_type,
        title=(parsed.title or Path(source.rel_path).name)[:300],
        owners=owners_for(source.rel_path, rules, parsed.properties.authors, access.user),
        modified_at=modified,
        size=source.size,
        mtime_ns=source.mtime_ns,
        sha256=parsed.sha256,
        language=parsed.language,
        access=access,
        chunks=parsed.chunks,
        status=parsed.properties.status,
    )


__all__ = [
    "IngestConfig",
    "Known",
    "OwnersFileError",
    "RootPlan",
    "parse_documents",
    "plan_root",
]
