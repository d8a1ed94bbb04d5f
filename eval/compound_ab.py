"""A/B of Dutch compound splitting in the lexical arm, on an already ingested eval home.

The chunks' full-text terms are rebuilt twice in an in-memory FTS5 table from the catalog (with
and without compound parts, for documents and queries alike), so no re-ingest is needed::

    python -m eval.compound_ab ../shared/datasets/nl-legal-aqa \
        /tmp/wegwijs-eval-cache/homes/nl-legal-aqa-<key> --qrels dev --qrels test
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import index.analyze as analyze
from eval.dataset import QuerySet, load_beir
from eval.materialise import prepare_corpus
from eval.metrics import compare_to_baseline, per_query, summarise
from eval.runner import RUN_DEPTH
from index.catalog import catalog_path, connect
from index.compound import split_compound

METRICS = ("ndcg@10", "recall@10", "recall@100")

Variant = tuple[str, Callable[[str], tuple[str, ...]]]
VARIANTS: tuple[Variant, ...] = (
    ("no compound split", lambda word: ()),
    ("compound split (shipped)", split_compound),
)


@contextmanager
def _splitter(split: Callable[[str], tuple[str, ...]]) -> Iterator[None]:
    original = vars(analyze)["split_compound"]
    setattr(analyze, "split_compound", split)  # noqa: B010 (the analyser looks it up at call time)
    try:
        yield
    finally:
        setattr(analyze, "split_compound", original)  # noqa: B010


def _fts(home: Path) -> tuple[sqlite3.Connection, dict[int, str]]:
    source = connect(catalog_path(home), readonly=True)
    rows = source.execute(
        "SELECT c.chunk_rowid, c.doc_id, c.text, c.section, d.title, d.language "
        "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.retired_seq IS NULL"
    ).fetchall()
    fts = sqlite3.connect(":memory:")
    fts.execute("CREATE VIRTUAL TABLE f USING fts5 (terms, tokenize = 'unicode61')")
    fts.executemany(
        "INSERT INTO f (rowid, terms) VALUES (?, ?)",
        [
            (row[0], analyze.document_terms(f"{row[4]}\n{row[3] or ''}\n{row[2]}", row[5]))
            for row in rows
        ],
    )
    return fts, {int(row[0]): str(row[1]) for row in rows}


def _run(
    fts: sqlite3.Connection, docs: dict[int, str], queries: QuerySet
) -> dict[str, dict[str, float]]:
    run: dict[str, dict[str, float]] = {}
    for query_id, text in queries.queries.items():
        match = " OR ".join(f'"{t}"' for group in analyze.query_terms(text) for t in sorted(group))
        best: dict[str, float] = {}
        if match:
            rows = fts.execute(
                "SELECT rowid, -bm25(f) FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?",
                (match, RUN_DEPTH * 2),
            )
            for rowid, score in rows:
                doc = docs[int(rowid)]
                best[doc] = max(best.get(doc, float("-inf")), float(score))
        run[query_id] = best
    return run


def main(argv: Sequence[str] | None = None) -> None:
    """Print nDCG@10 and Recall@10/@100 per variant and split, p-values against no split."""
    parser = argparse.ArgumentParser(description="A/B of Dutch compound splitting (lexical arm).")
    parser.add_argument("dataset", type=Path, help="a BEIR folder")
    parser.add_argument("home", type=Path, help="the eval home the folder was ingested into")
    parser.add_argument("--qrels", action="append", help="split(s), default dev")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/wegwijs-eval-cache"))
    args = parser.parse_args(argv)
    corpus = prepare_corpus(args.dataset, args.cache_dir)
    for split in args.qrels or ["dev"]:
        queries = load_beir(args.dataset, split)
        runs = {}
        for name, split_fn in VARIANTS:
            with _splitter(split_fn):
                fts, chunk_docs = _fts(args.home)
                docs = {
                    row: corpus.doc_ids[path.removeprefix("docs/")]
                    for row, path in chunk_docs.items()
                }
                runs[name] = _run(fts, docs, queries)
        p_values = compare_to_baseline(queries.qrels, runs, metrics=METRICS)
        for name, run in runs.items():
            means = summarise(per_query(queries.qrels, run, METRICS), resamples=1)
            cells = ", ".join(f"{m} {means[m].mean:.3f}" for m in METRICS)
            p = p_values.get(name, {})
            sys.stdout.write(f"{args.dataset.name} {split} | {name}: {cells} | p {p}\n")


if __name__ == "__main__":
    main()
