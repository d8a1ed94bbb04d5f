"""Choose an IVF generation's nprobe from the home's own text, so recall@10 holds.

A fixed share of the lists (``index.ann.default_nprobe``, a sixteenth) held recall@10 ≥ 0.95 on
the benchmark's random vectors, but real embeddings cluster: over 38,817 multilingual-e5-small
chunk vectors and 450 real queries it gave 0.864 (BENCHMARKS.md, session 5). So each IVF
generation measures its own recall. It draws ``PROBES`` spans of ``SPAN_WORDS`` consecutive
words from random stored chunks, embeds them as queries, finds their true top 10 with an exact
scan of the float vectors, and keeps the smallest nprobe of ``ladder`` whose recall@10 reaches
``TARGET_RECALL``.

Spans are vaguer than real questions, so the choice errs towards recall: on those 38,817
vectors, spans reached 0.95 at nprobe 128–192 (three seeds) where the real queries needed 96,
and the real queries then had recall 0.963–0.977 (BENCHMARKS.md, session 6).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from index.ann import AnnConfig, search_parameters

PROBES = 300
SPAN_WORDS = 8
TARGET_RECALL = 0.95
TOP_K = 10
SEED = 0

EncodeQueries = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Calibration:
    """The nprobe a generation's queries use, and the recall@10 the probes measured at it.

    Attributes:
        effort: IVF lists scanned per query.
        recall: Mean recall@10 of the probe queries at ``effort`` against exact search.
        probes: How many probe queries measured it.
    """

    effort: int
    recall: float
    probes: int


def ladder(nlist: int) -> list[int]:
    """Candidate nprobe values, smallest first: 8, 12, 16, 24, 32, 48, … up to ``nlist``."""
    steps: list[int] = []
    base = 8
    while base < nlist:
        steps += [base, base * 3 // 2]
        base *= 2
    return sorted({step for step in steps if step < nlist} | {nlist})


def probe_spans(
    texts: Sequence[str], rng: np.random.Generator, words: int = SPAN_WORDS
) -> list[str]:
    """A span of ``words`` consecutive words from each text at a random place (short: all)."""
    spans: list[str] = []
    for text in texts:
        tokens = text.split()
        if not tokens:
            continue
        start = int(rng.integers(0, max(1, len(tokens) - words + 1)))
        spans.append(" ".join(tokens[start : start + words]))
    return spans


def sample_probe_texts(
    conn: sqlite3.Connection, ids: npt.NDArray[np.int64], count: int = PROBES, seed: int = SEED
) -> list[str]:
    """Probe query texts from ``count`` chunks drawn at random from ``ids``."""
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(ids, size=min(count, len(ids)), replace=False))
    marks = ",".join("?" * len(picked))
    rows = conn.execute(
        f"SELECT text FROM chunks WHERE chunk_rowid IN ({marks}) ORDER BY chunk_rowid",
        [int(row_id) for row_id in picked],
    ).fetchall()
    return probe_spans([str(row[0]) for row in rows], rng)


def calibrate_nprobe(
    index: faiss.Index,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    queries: npt.NDArray[np.float32],
    target: float = TARGET_RECALL,
) -> Calibration:
    """The smallest nprobe of ``ladder`` whose recall@10 on ``queries`` reaches ``target``.

    ``index`` is an IVF index (alone or in an id map) over exactly ``ids``/``vectors``; the
    truth is an exact inner-product scan of ``vectors``. Where no step reaches ``target``,
    every list is scanned.
    """
    _, positions = faiss.knn(queries, vectors, TOP_K, metric=faiss.METRIC_INNER_PRODUCT)
    truth = [set(ids[row[row >= 0]].tolist()) for row in positions]
    nlist = int(faiss.extract_index_ivf(index).nlist)
    recall = 0.0
    for nprobe in ladder(nlist):
        params = search_parameters(index, AnnConfig(nprobe=nprobe))
        _, found = index.search(queries, TOP_K, params=params)
        recall = _recall(found, truth)
        if recall >= target:
            return Calibration(nprobe, recall, len(queries))
    return Calibration(nlist, recall, len(queries))


def _recall(found: npt.NDArray[np.int64], truth: Sequence[set[int]]) -> float:
    hits = [
        len(set(row.tolist()) & want) / max(len(want), 1)
        for row, want in zip(found, truth, strict=True)
    ]
    return float(np.mean(hits)) if hits else 1.0
