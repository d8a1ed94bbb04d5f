"""Run an ingest into a home: changed files → chunks → embeddings → catalog → new generation."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from index import records, stamp
from index.catalog import catalog_path, connect, get_meta, set_meta, transaction
from index.embedding_input import EMBEDDING_INPUT, context_title, embedding_text, input_sha256
from index.encoder import Encoder
from index.errors import StorageError
from index.governance.query_log import flush_query_logs
from index.governance.refresh import refresh_governance
from index.governance.rules import record_rules
from index.lock import writer_lock
from index.publish import check_model, publish_from_catalog
from index.readers import refresh_readers
from index.rebuild import upgrade_embeddings
from ingest.discover import make_roots
from ingest.models import Document, FileError, Root, SourceFile
from ingest.parse import PARSER_VERSION
from ingest.pipeline import IngestConfig, Known, RootPlan, parse_documents, plan_root

logger = logging.getLogger(__name__)
EMBED_BATCH = 128
"""Chunks per embedding call (the encoder sorts a call's texts by length, so larger calls pad
less): the sample share's 148 chunks embedded in calls of 64 took 5.31 s, of 128 4.81 s, all
at once 4.57 s; a larger first call makes the first embedding wait for more files to be parsed
(BENCHMARKS.md, session 13)."""


@dataclass
class RunSummary:
    """Counts of one ingest run."""

    files: int = 0
    added: int = 0
    updated: int = 0
    touched: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    generation: int = 0

    def line(self) -> str:
        """The one-line summary printed at the end of ``wegwijs ingest``."""
        minutes, seconds = divmod(int(round(self.seconds)), 60)
        took = f"{minutes}m{seconds:02d}s" if minutes else f"{self.seconds:.1f}s"
        changed = self.added + self.updated
        return (
            f"Indexed {self.chunks:,} chunks from {changed:,} files ({self.skipped:,} skipped, "
            f"{self.unchanged + self.touched:,} unchanged, {self.deleted:,} removed) in {took}"
        )


def ingest(
    home: Path,
    paths: Sequence[Path],
    config: IngestConfig,
    encoder: Encoder,
    model_info: dict[str, str],
    progress: bool = False,
) -> RunSummary:
    """Ingest the roots at ``paths`` into ``home`` and publish a new index generation.

    Raises:
        RootNotFoundError: a path is not a folder.
        WriterBusyError: another ingest runs on this home.
        IndexMismatchError: the home was built with another model.
        StorageError: the catalog or the new generation could not be written.
    """
    roots = make_roots(paths)
    started = time.monotonic()
    with writer_lock(home):
        flush_query_logs()  # this process's searches are keyed to documents before they move
        conn = connect(catalog_path(home))
        try:
            check_model(conn, home, model_info)
            run = _Run(conn, config, encoder, _start_run(conn, roots), progress)
            for root in roots:
                run.ingest_root(root)
            upgrade_embeddings(conn, encoder, model_info, progress)
            _refresh_governance(conn)
            run.summary.generation = _publish(conn, home, encoder, model_info, config)
            run.summary.seconds = time.monotonic() - started
            _finish_run(conn, run.run_id, run.summary)
        except sqlite3.OperationalError as exc:
            raise StorageError(
                f"Could not write the catalog in {home}: {exc}. Nothing new was published; the "
                "previous index generation is still served. Free disk space or fix the disk, "
                "then run the ingest again (it carries on where it stopped)."
            ) from exc
        finally:
            conn.close()
    return run.summary


def needs_upgrade(home: Path, paths: Sequence[Path]) -> bool:
    """Whether the next ingest of ``paths`` would parse or embed again because Wegwijs changed.

    True after a parser upgrade (every file of a root is parsed again) or a change of the
    embedding input (chunks are embedded again); False for a home without a catalog.
    """
    path = catalog_path(home)
    if not path.exists():
        return False
    conn = connect(path, readonly=True)
    try:
        stale_parser = any(
            get_meta(conn, _parser_key(root)) != str(PARSER_VERSION) for root in make_roots(paths)
        )
        return stale_parser or get_meta(conn, "embedding_input") != EMBEDDING_INPUT
    finally:
        conn.close()


def _known(conn: sqlite3.Connection, root: Root) -> dict[str, Known]:
    known = {
        doc_id: Known(size, mtime, "")
        for doc_id, (size, mtime) in records.known_errors(conn, root.label).items()
    }
    for doc_id, found in records.known_files(conn, root.label).items():
        known[doc_id] = Known(found.size, found.mtime_ns, found.sha256)
    return known


class _Run:
    """One ingest run over a writable catalog: its settings, counters and pending batch."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: IngestConfig,
        encoder: Encoder,
        run_id: int,
        progress: bool,
    ) -> None:
        self.conn = conn
        self.config = config
        self.encoder = encoder
        self.run_id = run_id
        self.progress = progress
        self.summary = RunSummary()

    def ingest_root(self, root: Root) -> None:
        """Apply one root's changes to the catalog (the generation is published by the caller)."""
        known = _known(self.conn, root)
        existing = {doc_id for doc_id, before in known.items() if before.sha256}
        if get_meta(self.conn, _parser_key(root)) != str(PARSER_VERSION):
            if known:
                logger.info("Parsing every file under %s again: the parser changed", root.label)
            known = {doc_id: replace(before, size=-1) for doc_id, before in known.items()}
        plan = plan_root(root, self.config.crawl, known)
        self.summary.files += len(plan.files)
        self.summary.unchanged += len(plan.files) - len(plan.to_parse) - len(plan.touched)
        with transaction(self.conn):
            for source in plan.touched:
                records.touch_document(self.conn, source.doc_id, source.size, source.mtime_ns)
        self.summary.touched += len(plan.touched)
        self._parse_and_write(plan, existing)
        self._finish_root(plan)

    def _parse_and_write(self, plan: RootPlan, existing: set[str]) -> None:
        bar = tqdm(
            total=len(plan.to_parse),
            unit="file",
            desc=plan.root.label,
            disable=not self.progress,
            delay=1.0,
            dynamic_ncols=True,
        )
        sources = {source.doc_id: source for source in plan.to_parse}
        pending: list[Document] = []
        for item in parse_documents(plan, self.config, meanwhile=self._load_model):
            bar.update(1)
            if isinstance(item, FileError):
                self._record_error(item, sources[item.doc_id])
                continue
            pending.append(item)
            if sum(len(doc.chunks) for doc in pending) >= EMBED_BATCH:
                self._write_batch(pending, existing)
                bar.set_postfix(chunks=f"{self.summary.chunks:,}")
                pending = []
        self._write_batch(pending, existing)
        bar.close()

    def _load_model(self) -> None:
        """Load the embedding model while the parse workers start, not after the first files
        are parsed: a cold ``wegwijs ingest`` paid both one after the other."""
        self.encoder.encode_passages(["warm-up"])

    def _record_error(self, error: FileError, source: SourceFile) -> None:
        logger.warning("Skipped %s: %s", error.path, error.reason)
        with transaction(self.conn):
            records.delete_documents(self.conn, [error.doc_id])
            records.record_error(self.conn, error, self.run_id, source.size, source.mtime_ns)
        self.summary.skipped += 1

    def _write_batch(self, documents: list[Document], existing: set[str]) -> None:
        if not documents:
            return
        texts = [
            embedding_text(context_title(doc.title, doc.rel_path), chunk.section, chunk.text)
            for doc in documents
            for chunk in doc.chunks
        ]
        vectors = _embed(self.conn, texts, self.encoder, self.summary)
        offset = 0
        with transaction(self.conn):
            for doc in documents:
                count = len(doc.chunks)
                authors = [o.name for o in doc.owners if o.source == "document_property"]
                records.write_document(self.conn, doc, authors, vectors[offset : offset + count])
                offset += count
                self.summary.updated += doc.doc_id in existing
                self.summary.added += doc.doc_id not in existing
        self.summary.chunks += len(texts)

    def _finish_root(self, plan: RootPlan) -> None:
        present = {source.doc_id for source in plan.files}
        with transaction(self.conn):
            self.summary.deleted += records.delete_documents(self.conn, plan.deleted)
            records.forget_errors(self.conn, plan.root.label, present)
            refresh_owners(self.conn, plan)
            refresh_readers(self.conn, plan.files, plan.access_rules)
            record_rules(self.conn, plan)
            set_meta(self.conn, _parser_key(plan.root), str(PARSER_VERSION))


def _parser_key(root: Root) -> str:
    return f"parser:{root.label}"


def _embed(
    conn: sqlite3.Connection, texts: Sequence[str], encoder: Encoder, summary: RunSummary
) -> npt.NDArray[np.float32]:
    hashes = [input_sha256(text) for text in texts]
    cached = records.cached_embeddings(conn, hashes)
    missing = [i for i, digest in enumerate(hashes) if digest not in cached]
    fresh = encoder.encode_passages([texts[i] for i in missing]) if missing else None
    vectors = np.empty((len(texts), encoder.dimension), dtype=np.float32)
    for position, digest in enumerate(hashes):
        if digest in cached:
            vectors[position] = cached[digest]
    if fresh is not None:
        vectors[missing] = fresh
    summary.embedded += len(missing)
    return vectors


def _refresh_governance(conn: sqlite3.Connection) -> None:
    """Refresh governance unless it last ran on the catalog as it is now."""
    with transaction(conn):
        if stamp.governance_current(conn):
            logger.info("Governance: the catalog did not change since the last refresh")
            return
        refresh_governance(conn)
        stamp.record_governance(conn)


def _publish(
    conn: sqlite3.Connection,
    home: Path,
    encoder: Encoder,
    model_info: dict[str, str],
    config: IngestConfig,
) -> int:
    """Publish a new generation unless the live one was published from the same catalog."""
    live = stamp.unchanged_generation(conn, home, model_info, config.chunking)
    if live is not None:
        logger.info("Index generation %d is current: the catalog did not change", live)
        return live
    manifest = publish_from_catalog(
        conn, home, encoder.dimension, model_info, config.chunking,
        encode_queries=encoder.encode_queries,
    )  # fmt: skip
    with transaction(conn):
        stamp.record_published(conn, manifest.generation, model_info, config.chunking)
    return manifest.generation


def refresh_owners(conn: sqlite3.Connection, plan: RootPlan) -> None:
    """Re-resolve owners of every document of a root (OWNERS files may have changed)."""
    from ingest.owners import owners_for

    rows = conn.execute(
        "SELECT doc_id, rel_path, authors, fs_user FROM documents WHERE root_label = ?",
        (plan.root.label,),
    ).fetchall()
    for row in rows:
        owners = owners_for(row["rel_path"], plan.rules, json.loads(row["authors"]), row["fs_user"])
        current = conn.execute(
            "SELECT name, source FROM owners WHERE doc_id = ? ORDER BY position",
            (row["doc_id"],),
        ).fetchall()
        if [(o.name, o.source) for o in owners] != [tuple(r) for r in current]:
            records.write_owners(conn, row["doc_id"], owners)


def _start_run(conn: sqlite3.Connection, roots: Iterable[Root]) -> int:
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO runs (started_at, roots) VALUES (datetime('now'), ?)",
            (json.dumps({root.label: str(root.path) for root in roots}),),
        )
    return int(cursor.lastrowid or 0)


def _finish_run(conn: sqlite3.Connection, run_id: int, summary: RunSummary) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET finished_at = datetime('now'), added = ?, updated = ?, deleted = ?, "
            "unchanged = ?, skipped = ?, chunks = ?, seconds = ? WHERE run_id = ?",
            (
                summary.added,
                summary.updated,
                summary.deleted,
                summary.unchanged + summary.touched,
                summary.skipped,
                summary.chunks,
                summary.seconds,
                run_id,
            ),
        )
