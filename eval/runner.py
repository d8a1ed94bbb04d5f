"""Queries → the searcher's arms → one run per configuration, with each query's latency.

The two arms are run once per query at the deepest candidates any configuration asks for (the
lexical arm once per set of BM25 parameters); each configuration then ranks from them
(``eval.ranking``), so a weight sweep costs one search per query.
A configuration's latency is the time of the arms it uses plus its own fusion and the loading of
the ``TOP_K`` hits a user would see, which is what one ``Searcher.search`` call does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from tqdm import tqdm

from eval.configs import EvalConfig
from eval.ranking import Arms, arms_needed, rank_chunks, uses_completion
from index.completion import COMPLETION_DEPTH
from index.filters import Filters
from index.hits import chunk_documents, load_hits
from index.lexical import DeepScores
from index.models import Hit
from index.postings import Bm25Config
from index.search import Searcher

RUN_DEPTH = 100
TOP_K = 10
DocKey = Callable[[Hit], str]
Run = dict[str, dict[str, float]]
Arm = Callable[[str, int, Filters], dict[int, float]]


@dataclass(frozen=True)
class ConfigRun:
    """The documents each query retrieved under one configuration, and the query latencies.

    Attributes:
        name: the configuration's name.
        run: query_id → document key → score (the best score of the document's chunks).
        latencies_ms: one search time per query, in milliseconds, in query order.
    """

    name: str
    run: Run
    latencies_ms: tuple[float, ...]


def run_queries(
    searcher: Searcher,
    queries: Mapping[str, str],
    configs: Sequence[EvalConfig],
    doc_key: DocKey,
    progress: bool = False,
) -> list[ConfigRun]:
    """Search every query under every configuration (all sharing ``searcher``'s index)."""
    depth = max(config.search.candidates for config in configs)
    use_dense = any(arms_needed(config)[0] for config in configs)
    groups = {
        bm25: _Lexical(searcher.with_config(replace(searcher.config, bm25=bm25)), members)
        for bm25, members in group_by_bm25(configs).items()
    }
    for group in groups.values():
        _warm_up(group.searcher, next(iter(queries.values()), "warm-up"))
    runs: dict[str, Run] = {config.name: {} for config in configs}
    latencies: dict[str, list[float]] = {config.name: [] for config in configs}
    bar = tqdm(queries.items(), desc="queries", unit="q", disable=not progress, leave=False)
    for query_id, text in bar:
        dense, dense_ms = _timed(searcher.dense, text, depth, use_dense)
        for group in groups.values():
            for config, documents, ms in group.rank(text, depth, (dense, dense_ms), doc_key):
                runs[config.name][query_id] = documents
                latencies[config.name].append(ms)
    return [ConfigRun(c.name, runs[c.name], tuple(latencies[c.name])) for c in configs]


def group_by_bm25(configs: Sequence[EvalConfig]) -> dict[Bm25Config, list[EvalConfig]]:
    """Configs whose lexical arm has the same BM25 parameters, in first-seen order."""
    groups: dict[Bm25Config, list[EvalConfig]] = {}
    for config in configs:
        groups.setdefault(config.search.bm25, []).append(config)
    return groups


@dataclass(frozen=True)
class _Lexical:
    """The configs that share one lexical arm (their BM25 parameters), and its searcher."""

    searcher: Searcher
    configs: list[EvalConfig]

    def rank(
        self, text: str, depth: int, dense: tuple[dict[int, float], float], doc_key: DocKey
    ) -> list[tuple[EvalConfig, dict[str, float], float]]:
        """Each config's documents for query ``text`` and its latency in milliseconds."""
        use_lexical = any(arms_needed(config)[1] for config in self.configs)
        use_completion = any(uses_completion(config) for config in self.configs)
        keep = COMPLETION_DEPTH if use_completion else 0
        lexical, deep, lexical_ms = _lexical(self.searcher, text, depth, keep, use_lexical)
        arms = (dense[0], lexical)
        completed, completion_ms = _completed(self.searcher, text, arms, deep, use_completion)
        ranked = []
        for config in self.configs:
            documents, own_ms = _rank_query(self.searcher, config, text, arms, doc_key, completed)
            with_dense, with_lexical = arms_needed(config)
            arms_ms = dense[1] * with_dense + lexical_ms * with_lexical
            arms_ms += completion_ms * uses_completion(config)
            ranked.append((config, documents, own_ms + arms_ms))
        return ranked


def to_documents(hits: Sequence[Hit], doc_key: DocKey, depth: int = RUN_DEPTH) -> dict[str, float]:
    """Aggregate ranked chunk hits to documents by max score, keeping the ``depth`` best."""
    documents: dict[str, float] = {}
    for hit in hits:
        key = doc_key(hit)
        documents[key] = max(hit.score, documents.get(key, hit.score))
    best = sorted(documents.items(), key=lambda item: -item[1])
    return dict(best[:depth])


def _rank_query(
    searcher: Searcher,
    config: EvalConfig,
    text: str,
    arms: tuple[dict[int, float], dict[int, float]],
    doc_key: DocKey,
    completed: Arms | None,
) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    dense, lexical = arms
    documents = None
    if config.search.document_evidence > 0:
        documents = chunk_documents(searcher.conn, dense.keys() | lexical.keys())
    weigh = None
    if config.search.lexical_coverage or config.search.document_coverage:
        weigh = partial(searcher.weigh_lexical, text, filters=Filters(), config=config.search)
    ranked = rank_chunks(config, dense, lexical, documents, completed, weigh)
    hits = load_hits(searcher.conn, ranked[:TOP_K])
    elapsed_ms = (time.perf_counter() - started) * 1000
    hits += load_hits(searcher.conn, ranked[TOP_K:])
    return to_documents(hits, doc_key), elapsed_ms


def _timed(arm: Arm, query: str, depth: int, wanted: bool) -> tuple[dict[int, float], float]:
    if not wanted:
        return {}, 0.0
    started = time.perf_counter()
    scores = arm(query, depth, Filters())
    return scores, (time.perf_counter() - started) * 1000


def _lexical(
    searcher: Searcher, query: str, depth: int, keep: int, wanted: bool
) -> tuple[dict[int, float], DeepScores | None, float]:
    """The lexical arm (kept ``keep`` deep for completion) and its time in milliseconds."""
    if not wanted:
        return {}, None, 0.0
    started = time.perf_counter()
    lexical, deep = searcher.lexical_arm(query, depth, Filters(), keep)
    return lexical, deep, (time.perf_counter() - started) * 1000


def _completed(
    searcher: Searcher,
    query: str,
    arms: tuple[dict[int, float], dict[int, float]],
    deep: DeepScores | None,
    wanted: bool,
) -> tuple[Arms | None, float]:
    """Both arms' scores for every chunk of either arm at full depth (one call per query)."""
    if not wanted:
        return None, 0.0
    started = time.perf_counter()
    completed = searcher.complete(query, *arms, deep)
    return completed, (time.perf_counter() - started) * 1000


def _warm_up(searcher: Searcher, query: str) -> None:
    """Search once untimed (model, analyser and catalog load), so no query times a load."""
    searcher.dense(query, 1, Filters())
    searcher.lexical(query, 1, Filters())
