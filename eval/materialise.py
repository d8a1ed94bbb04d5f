"""A BEIR corpus as real files, ingested through the product's own pipeline into a cached home.

Text corpora are written as one UTF-8 ``.txt`` file per document (title as the first line).
Corpora that ship their documents as files (a ``docs/`` folder plus a ``*map.tsv`` with a
``corpus-id`` column, as ``nfcorpus-pdf`` and ``sec-10q-pdf``) are ingested from ``docs/`` as
they are. A home is keyed by the corpus content, the model profile and the chunking config, so
a second run with the same three reuses it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from eval.configs import Build
from eval.dataset import read_corpus
from eval.errors import DatasetError
from index.analyze import ANALYSIS_VERSION
from index.build import ingest, needs_upgrade
from index.catalog import catalog_path, connect
from index.documents import catalog_counts
from index.encoder import SentenceTransformerEncoder
from ingest.parse import file_sha256
from ingest.pipeline import IngestConfig
from service.engine import model_info

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
DOC_IDS_FILE = "doc_ids.json"
HOME_MARKER = "eval-home.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Corpus:
    """The folder to ingest and how its files map back to corpus ids.

    Attributes:
        name: the data set's folder name.
        root: the folder given to ingest.
        doc_ids: file path relative to ``root`` → the corpus ``_id``.
        digest: sha256 of the corpus content (what the cache key is built from).
    """

    name: str
    root: Path
    doc_ids: Mapping[str, str]
    digest: str


@dataclass(frozen=True)
class EvalHome:
    """An ingested home ready to search, and whether it came from the cache."""

    home: Path
    cached: bool
    ingest_seconds: float
    chunks: int


@dataclass(frozen=True)
class CacheOptions:
    """Where ingested homes are cached and how they are built.

    Attributes:
        cache_dir: holds ``corpora/`` (written text corpora) and ``homes/`` (ingested homes).
        ingest: the product's ingest configuration; the chunking part is set per build.
        progress: show ingest progress on stderr.
        rebuild: ingest again even when a cached home exists.
    """

    cache_dir: Path
    ingest: IngestConfig
    progress: bool = True
    rebuild: bool = False


def file_name(doc_id: str) -> str:
    """A safe ``.txt`` file name for a corpus id; a hash suffix keeps changed names unique."""
    safe = _UNSAFE.sub("_", doc_id).strip("._-")[:80] or "doc"
    if safe != doc_id:
        safe = f"{safe}-{hashlib.sha256(doc_id.encode()).hexdigest()[:10]}"
    return f"{safe}.txt"


def prepare_corpus(dataset: Path, cache_dir: Path) -> Corpus:
    """The corpus of a BEIR folder as files: its own ``docs/`` if mapped, else written text.

    Raises:
        DatasetError: ``corpus.jsonl`` is missing or malformed.
    """
    mapping = document_map(dataset)
    if mapping is not None:
        return _file_corpus(dataset, mapping)
    digest = file_sha256(dataset / "corpus.jsonl")
    folder = cache_dir / "corpora" / f"{dataset.resolve().name}-{digest[:16]}"
    ids_path = folder / DOC_IDS_FILE
    if not ids_path.is_file():
        _write_text_corpus(dataset, folder)
    doc_ids = json.loads(ids_path.read_text(encoding="utf-8"))
    return Corpus(dataset.resolve().name, folder / "docs", doc_ids, digest)


def document_map(dataset: Path) -> dict[str, str] | None:
    """File path under ``docs/`` → corpus id, from a ``*map.tsv``; None for text-only sets."""
    if not (dataset / "docs").is_dir():
        return None
    for path in sorted(dataset.glob("*map.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows or "corpus-id" not in rows[0]:
            continue
        column = next(
            (key for key, value in rows[0].items() if str(value).startswith("docs/")), None
        )
        if column is not None:
            return {row[column].removeprefix("docs/"): row["corpus-id"] for row in rows}
    raise DatasetError(
        f"{dataset / 'docs'} holds the documents but no *map.tsv in {dataset} maps them to "
        "corpus ids: add a TSV with a 'corpus-id' column and a column of 'docs/…' paths."
    )


def _file_corpus(dataset: Path, mapping: Mapping[str, str]) -> Corpus:
    docs = dataset / "docs"
    missing = [name for name in mapping if not (docs / name).is_file()]
    if missing:
        raise DatasetError(
            f"{len(missing)} mapped documents are missing, the first is {docs / missing[0]}: "
            "check the data set's copy."
        )
    digest = hashlib.sha256()
    for name in sorted(mapping):
        digest.update(f"{name}\t{mapping[name]}\t{file_sha256(docs / name)}\n".encode())
    return Corpus(dataset.resolve().name, docs, dict(mapping), digest.hexdigest())


def _write_text_corpus(dataset: Path, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    docs = folder / "docs"
    docs.mkdir(parents=True)
    doc_ids: dict[str, str] = {}
    for document in read_corpus(dataset):
        name = file_name(document.doc_id)
        if name in doc_ids:
            raise DatasetError(f"Corpus id '{document.doc_id}' appears twice in {dataset}.")
        text = f"{document.title}\n\n{document.text}" if document.title else document.text
        (docs / name).write_text(text.strip() + "\n", encoding="utf-8")
        doc_ids[name] = document.doc_id
    (folder / DOC_IDS_FILE).write_text(json.dumps(doc_ids, ensure_ascii=False), encoding="utf-8")
    logger.info("Wrote %d corpus documents to %s", len(doc_ids), docs)


def home_key(corpus: Corpus, build: Build) -> str:
    """Cache key of an ingested home: corpus content, model profile, chunking, analysis.

    Catalog schema, parser and embedding-input upgrades are applied to a cached home when it is
    reused (``materialise``), the way a user's home is upgraded, so they are not in the key.
    """
    parts = {
        "format": CACHE_FORMAT,
        "corpus": corpus.digest,
        "model": build.model,
        "chunking": asdict(build.chunking),
        "analysis": ANALYSIS_VERSION,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def materialise(
    corpus: Corpus, build: Build, encoder: SentenceTransformerEncoder, options: CacheOptions
) -> EvalHome:
    """Ingest ``corpus`` into its cached home unless an earlier run finished it (then reuse it)."""
    home = options.cache_dir / "homes" / f"{corpus.name}-{home_key(corpus, build)}"
    marker = home / HOME_MARKER
    if options.rebuild and home.exists():
        shutil.rmtree(home)
    if marker.is_file():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        if needs_upgrade(home, [corpus.root]):
            logger.info("Bringing %s up to date with this version of Wegwijs", home)
            config = replace(options.ingest, chunking=build.chunking)
            ingest(home, [corpus.root], config, encoder, model_info(encoder), options.progress)
            recorded["chunks"] = _current_chunks(home)  # a new parser may chunk differently
            marker.write_text(json.dumps(recorded, indent=2), encoding="utf-8")
        return EvalHome(home, True, recorded["ingest_seconds"], recorded["chunks"])
    logger.info("Ingesting %d documents into %s", len(corpus.doc_ids), home)
    started = time.monotonic()
    config = replace(options.ingest, chunking=build.chunking)
    summary = ingest(home, [corpus.root], config, encoder, model_info(encoder), options.progress)
    seconds = time.monotonic() - started
    if summary.skipped:
        logger.warning(
            "%d corpus files could not be ingested: see 'wegwijs --home %s errors'",
            summary.skipped,
            home,
        )
    record = {
        "model": build.model,
        "chunking": asdict(build.chunking),
        "corpus_sha256": corpus.digest,
        "ingest_seconds": round(seconds, 2),
        "chunks": summary.chunks,
    }
    marker.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return EvalHome(home, False, seconds, summary.chunks)


def _current_chunks(home: Path) -> int:
    conn = connect(catalog_path(home), readonly=True)
    try:
        return catalog_counts(conn)[1]
    finally:
        conn.close()
