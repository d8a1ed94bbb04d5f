"""Score completion on the ingested sample share: each arm's true score for the other's chunks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index.ann import AnnConfig, build_hnsw
from index.completion import ServedVectors, dense_scores, lexical_scores, restrict
from index.filters import Filters
from index.lexical import deep_scores, match_expression
from index.postings import Bm25Config
from index.search import Searcher
from index.vectors import build_flat, read_vectors

QUERY = "hoeveel vakantiedagen krijg ik per jaar"


def test_dense_scores_are_the_dense_arms_scores(searcher: Searcher) -> None:
    arm = searcher.dense(QUERY, 500, Filters())
    vector = searcher.encoder.encode_queries([QUERY])[0]
    completed = dense_scores(searcher.conn, vector, arm.keys())
    assert completed.keys() == arm.keys()
    assert all(completed[key] == pytest.approx(arm[key], abs=1e-5) for key in arm)


def test_the_served_exact_index_gives_the_catalogs_scores(searcher: Searcher) -> None:
    served = ServedVectors.of(searcher.index)
    assert served is not None
    every = [row[0] for row in searcher.conn.execute("SELECT chunk_rowid FROM chunks")]
    vector = searcher.encoder.encode_queries([QUERY])[0]
    absent = max(every) + 1000
    scores, missing = served.scores(vector, [*every, absent])
    assert missing == [absent]
    stored = dense_scores(searcher.conn, vector, every)
    assert scores.keys() == stored.keys() == set(every)
    assert all(scores[key] == pytest.approx(stored[key], abs=1e-6) for key in every)


def test_half_precision_vectors_give_the_scores_their_search_gives(searcher: Searcher) -> None:
    ids, vectors = read_vectors(searcher.conn, searcher.manifest.dimension)
    index = build_flat(ids, vectors, searcher.manifest.dimension, half_precision_from=0)
    served = ServedVectors.of(index)
    assert served is not None
    query = searcher.encoder.encode_queries([QUERY])
    found, rowids = index.search(query, len(ids))
    searched = dict(zip(rowids[0].tolist(), found[0].tolist(), strict=True))
    scores, missing = served.scores(query[0], ids.tolist())
    assert not missing
    assert all(scores[key] == pytest.approx(searched[key], abs=1e-5) for key in searched)
    exact = vectors @ query[0]
    assert np.abs(np.array([scores[key] for key in ids.tolist()]) - exact).max() < 1e-3


def test_an_approximate_index_leaves_completion_to_the_catalog(searcher: Searcher) -> None:
    ids, vectors = read_vectors(searcher.conn, searcher.manifest.dimension)
    assert ServedVectors.of(build_hnsw(ids, vectors, AnnConfig(kind="hnsw"))) is None


def test_completion_reads_the_same_scores_from_index_or_catalog(searcher: Searcher) -> None:
    dense = searcher.dense(QUERY, 3, Filters())
    lexical = searcher.lexical(QUERY, 30, Filters())
    from_index = searcher.complete(QUERY, dense, lexical)
    catalog_only = searcher.with_config(searcher.config)
    catalog_only.served_vectors = None
    from_catalog = catalog_only.complete(QUERY, dense, lexical)
    assert len(from_index[0]) > len(dense)
    assert from_index[0].keys() == from_catalog[0].keys()
    for key, score in from_catalog[0].items():
        assert from_index[0][key] == pytest.approx(score, abs=1e-6)
    assert from_index[1] == from_catalog[1]


def fts5_parameters(searcher: Searcher) -> Searcher:
    """The searcher at FTS5's own BM25 parameters: ``deep_scores`` without a ranking is FTS5's."""
    return searcher.with_config(replace(searcher.config, bm25=Bm25Config()))


def test_lexical_scores_are_the_lexical_arms_scores_and_zero_without_a_match(
    searcher: Searcher,
) -> None:
    searcher = fts5_parameters(searcher)
    arm = searcher.lexical(QUERY, 500, Filters())
    every = [row[0] for row in searcher.conn.execute("SELECT chunk_rowid FROM chunks")]
    deep = deep_scores(searcher.conn, match_expression(QUERY), len(every))
    assert not deep.cut
    completed = lexical_scores(deep, every)
    assert completed.keys() == set(every)
    assert all(completed[key] == pytest.approx(arm[key]) for key in arm)
    unmatched = set(every) - arm.keys()
    assert unmatched and all(completed[key] == 0.0 for key in unmatched)
    assert min(arm.values()) > 0.0


def test_a_chunk_past_the_kept_ranking_gets_the_last_kept_score(searcher: Searcher) -> None:
    searcher = fts5_parameters(searcher)
    arm = searcher.lexical(QUERY, 500, Filters())
    ranked = sorted(arm, key=lambda key: -arm[key])
    deep = deep_scores(searcher.conn, match_expression(QUERY), 3)
    assert deep.cut and list(deep.scores) == ranked[:3]
    assert lexical_scores(deep, [ranked[10]]) == {ranked[10]: pytest.approx(arm[ranked[2]])}
    assert arm[ranked[10]] <= arm[ranked[2]]


def test_the_lexical_arm_keeps_its_deeper_ranking_whatever_the_filters(
    searcher: Searcher,
) -> None:
    everything = searcher.lexical(QUERY, 500, Filters())
    narrow, deep = searcher.lexical_arm(QUERY, 5, Filters(folder="it"), keep=500)
    assert all(key in everything for key in narrow)
    assert deep.scores.keys() == everything.keys()


def test_complete_fills_in_only_what_an_arm_did_not_return(searcher: Searcher) -> None:
    dense = searcher.dense(QUERY, 5, Filters())
    lexical = searcher.lexical(QUERY, 5, Filters())
    assert dense.keys() != lexical.keys()
    full_dense, full_lexical = searcher.complete(QUERY, dense, lexical)
    _, deep = searcher.lexical_arm(QUERY, 5, Filters(), keep=1000)
    assert searcher.complete(QUERY, dense, lexical, deep) == (full_dense, full_lexical)
    wanted = dense.keys() | lexical.keys()
    assert full_dense.keys() == wanted and full_lexical.keys() == wanted
    assert {key: full_dense[key] for key in dense} == dense
    assert {key: full_lexical[key] for key in lexical} == lexical
    deep_dense = searcher.dense(QUERY, 1000, Filters())
    for key in wanted - dense.keys():
        assert full_dense[key] == pytest.approx(deep_dense[key], abs=1e-5)
        assert full_dense[key] <= min(dense.values()) + 1e-6


def test_restrict_keeps_the_chunks_of_either_arm() -> None:
    completed = {1: 0.9, 2: 0.5, 3: 0.1, 4: 0.0}
    assert restrict(completed, {1: 0.9}, {3: 7.0}) == {1: 0.9, 3: 0.1}


def test_completion_changes_the_fused_ranking_and_can_be_turned_off(searcher: Searcher) -> None:
    """Switched off, fusion imputes each arm's lowest score; on, the true score is used."""
    queries = ["declaratie reiskosten", "wat doe ik bij een datalek", "thuiswerken vergoeding"]
    off = searcher.with_config(replace(searcher.config, completion=False))
    changed = 0
    for query in queries:
        with_completion = [hit.chunk_id for hit in searcher.search(query, top_k=10)]
        without = [hit.chunk_id for hit in off.search(query, top_k=10)]
        assert with_completion and without
        changed += with_completion != without
    assert changed > 0
