"""Synthetic homes: catalogs of generated chunks with random unit vectors, published as usual.

Nothing is parsed or embedded: documents, chunks, full-text terms and embeddings are written
straight into the catalog schema, then ``publish_from_catalog`` builds and publishes the exact
FAISS generation the service loads. Chunk texts are Zipf-drawn Dutch or English words, so the
lexical arm sees realistic posting-list lengths; vectors are uniform on the unit sphere, which
costs exact search the same as real embeddings do.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from eval.bench.corpus import LANGUAGES, Vocabulary
from index.analyze import ANALYSIS_VERSION, document_terms
from index.catalog import catalog_path, connect, set_meta, transaction
from index.publish import check_model, publish_from_catalog
from index.readers import bump_access_seq
from index.vectors import current_generation
from ingest.chunk import ChunkingConfig

logger = logging.getLogger(__name__)
CHUNKS_PER_DOCUMENT = 10
DIMENSION = 384
MARKER = "bench-home.json"
ROOT_LABEL = "bench"
_DOCUMENT_SQL = (
    "INSERT INTO documents (doc_id, root_label, root_path, rel_path, file_type, title, authors, "
    "modified_at, size, mtime_ns, sha256, language, status, fs_uid, fs_gid, fs_mode, fs_user, "
    "fs_group, public, seq, indexed_at) VALUES (?,?,?,?,'txt',?,'[]',?,?,?,?,?,NULL,0,0,420,"
    "'bench','bench',1,1,?)"
)
_CHUNK_SQL = (
    "INSERT INTO chunks (chunk_rowid, doc_id, ordinal, text, page, section, text_sha256, "
    "embedding, added_seq) VALUES (?,?,?,?,NULL,NULL,?,?,1)"
)
_PUBLIC_SQL = "INSERT INTO readers (doc_id, effect, kind, name) VALUES (?, 'allow', 'public', '')"
_OWNERS = ("Anna de Vries", "Bram Jansen", "Chloé Bakker", "Daan Visser", "IT-servicedesk")


@dataclass(frozen=True)
class _Language:
    vocabulary: Vocabulary
    terms: list[str]


def random_unit_vectors(rng: np.random.Generator, count: int) -> npt.NDArray[np.float32]:
    """``count`` vectors drawn uniformly on the 384-d unit sphere."""
    vectors = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def _languages() -> dict[str, _Language]:
    """Vocabularies with every word's stored full-text terms computed once."""
    found = {}
    for language in LANGUAGES:
        vocabulary = Vocabulary(language)
        terms = [document_terms(word, language) for word in vocabulary.words]
        found[language] = _Language(vocabulary, terms)
    return found


def _documents(
    first: int, count: int, rng: np.random.Generator, languages: dict[str, _Language]
) -> Iterator[tuple[tuple[object, ...], list[tuple[str, str]]]]:
    """Document rows with their chunks as (text, full-text terms)."""
    for number in range(first, first + count):
        language = LANGUAGES[number % len(LANGUAGES)]
        words = languages[language]
        title_ids = words.vocabulary.draw(rng, 4)
        title = " ".join(words.vocabulary.words[i] for i in title_ids).capitalize()
        chunks = []
        for _ in range(CHUNKS_PER_DOCUMENT):
            ids = words.vocabulary.draw(rng, int(rng.integers(60, 100)))
            text = " ".join(words.vocabulary.words[i] for i in ids)
            terms = " ".join(words.terms[i] for i in (*title_ids, *ids))
            chunks.append((text, terms))
        rel_path = f"map-{number // 1000:04d}/document-{number:07d}.txt"
        row = (
            f"{ROOT_LABEL}/{rel_path}",
            ROOT_LABEL,
            "/bench",
            rel_path,
            title,
            "2026-01-01T00:00:00+00:00",
            4096,
            number,
            f"{number:064x}",
            language,
            "2026-01-01T00:00:00+00:00",
        )
        yield row, chunks


def _write_documents(
    conn: sqlite3.Connection,
    first: int,
    count: int,
    rng: np.random.Generator,
    languages: dict[str, _Language],
) -> None:
    rowid = first * CHUNKS_PER_DOCUMENT
    vectors = random_unit_vectors(rng, count * CHUNKS_PER_DOCUMENT)
    with transaction(conn):
        for row, chunks in _documents(first, count, rng, languages):
            conn.execute(_DOCUMENT_SQL, row)
            owner = _OWNERS[rowid % len(_OWNERS)]
            conn.execute("INSERT INTO owners VALUES (?, 0, ?, 'owners_file')", (row[0], owner))
            conn.execute(_PUBLIC_SQL, (row[0],))  # without a reader entry nobody may read it
            for ordinal, (text, terms) in enumerate(chunks):
                vector = vectors[rowid - first * CHUNKS_PER_DOCUMENT]
                rowid += 1
                conn.execute(
                    _CHUNK_SQL, (rowid, row[0], ordinal, text, f"{rowid:064x}", vector.tobytes())
                )
                conn.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)", (rowid, terms))


def republish(home: Path, model_info: dict[str, str]) -> float:
    """Publish the catalog of ``home`` again as a new generation; return the seconds it took.

    This is the index build of every ingest: read all embeddings from the catalog, build the
    exact index, write, checksum and fsync it, and move ``CURRENT``.
    """
    conn = connect(catalog_path(home))
    try:
        started = time.perf_counter()
        publish_from_catalog(conn, home, DIMENSION, model_info, ChunkingConfig())
        return time.perf_counter() - started
    finally:
        conn.close()


def _marker(chunks: int, model_info: dict[str, str], seed: int) -> dict[str, object]:
    return {
        "chunks": chunks,
        "profile": model_info["profile"],
        "weights_sha256": model_info["weights_sha256"],
        "analysis_version": ANALYSIS_VERSION,
        "seed": seed,
    }


def build_synthetic_home(
    home: Path, chunks: int, model_info: dict[str, str], seed: int = 0
) -> Path:
    """Make (or reuse) a home with ``chunks`` synthetic chunks and a published generation."""
    marker = _marker(chunks, model_info, seed)
    marker_path = home / MARKER
    if current_generation(home) and marker_path.exists():
        if json.loads(marker_path.read_text()) == marker:
            return home
    shutil.rmtree(home, ignore_errors=True)
    logger.info("Writing a synthetic home of %d chunks in %s", chunks, home)
    rng = np.random.default_rng(seed)
    languages = _languages()
    documents = max(1, chunks // CHUNKS_PER_DOCUMENT)
    conn = connect(catalog_path(home))
    try:
        check_model(conn, home, model_info)
        for first in range(0, documents, 1000):
            _write_documents(conn, first, min(1000, documents - first), rng, languages)
        with transaction(conn):
            set_meta(conn, "seq", "1")
            bump_access_seq(conn)
        publish_from_catalog(conn, home, DIMENSION, model_info, ChunkingConfig())
    finally:
        conn.close()
    marker_path.write_text(json.dumps(marker))
    return home
