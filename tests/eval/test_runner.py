"""The runner ranks exactly as the searcher does, and aggregates chunks to documents by max."""

from __future__ import annotations

from dataclasses import replace

from eval.configs import Build, EvalConfig
from eval.runner import run_queries, to_documents
from index.governance.config import GovernanceConfig
from index.models import Hit
from index.postings import Bm25Config
from index.search import SearchConfig, Searcher


def hit(doc_path: str, score: float) -> Hit:
    return Hit(
        chunk_id=f"r/{doc_path}#0",
        chunk_rowid=0,
        doc_id=f"r/{doc_path}",
        root="r",
        doc_path=doc_path,
        title="",
        text="",
        score=score,
        owners=(),
        modified_at="",
        page=None,
        section=None,
        file_type="txt",
        language=None,
    )


def test_chunks_aggregate_to_documents_by_max_score() -> None:
    hits = [hit("a", 0.9), hit("b", 0.8), hit("a", 0.7), hit("c", 0.6)]
    assert to_documents(hits, lambda h: h.doc_path) == {"a": 0.9, "b": 0.8, "c": 0.6}
    assert list(to_documents(hits, lambda h: h.doc_path, depth=2)) == ["a", "b"]


def test_runs_match_searcher_search_for_every_mode(searcher: Searcher) -> None:
    """Every mode, at FTS5's BM25 parameters and at Anserini's (a lexical arm of their own),
    and hybrid at depths below the run's deepest (the coverages weigh what search weighs)."""
    search = SearchConfig(searcher.config.dense_weight, searcher.config.lexical_weight)
    assert search.lexical_coverage and search.document_coverage
    anserini = replace(search, bm25=Bm25Config(0.9, 0.4, "lucene"))
    configs = [
        EvalConfig(f"{mode}{suffix}", ranking, Build("any"), config)  # type: ignore[arg-type]
        for mode, ranking in [("lexical", "lexical"), ("dense", "dense"), ("hybrid", "hybrid")]
        for suffix, config in [("", search), (":anserini", anserini)]
    ]
    configs += [
        EvalConfig(f"hybrid:{depth}", "hybrid", Build("any"), replace(search, candidates=depth))
        for depth in (20, 50)  # at least top_k: search never fuses fewer candidates
    ]
    queries = {
        "a": "hoeveel vakantiedagen krijg ik",
        "b": "VPN certificate error at home",
        "c": "How many days of paid holiday does a full-time employee get?",
        "d": "wie beslist over thuiswerken en reiskosten",
    }
    runs = run_queries(searcher, queries, configs, lambda h: h.doc_path)
    # Eval scores retrieval itself: compare with a searcher that neither hides nor demotes.
    neutral = GovernanceConfig(demotion=1.0, log_queries=False)
    for config, run in zip(configs, runs, strict=True):
        plain = searcher.with_config(replace(config.search, governance=neutral))
        mode = config.name.partition(":")[0]
        assert len(run.latencies_ms) == len(queries) and all(ms > 0 for ms in run.latencies_ms)
        for query_id, text in queries.items():
            hits = plain.search(text, top_k=10, mode=mode, include_outdated=True)  # type: ignore[arg-type]
            expected = to_documents(hits, lambda h: h.doc_path)
            assert list(run.run[query_id])[: len(expected)] == list(expected), config.name
