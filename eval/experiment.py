"""One evaluation: labelled queries → an index per build → runs per config → metrics and tests.

A BEIR folder is materialised into cached homes (one per model and chunking); a labels file is
evaluated against the given home as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.configs import Build, EvalConfig
from eval.dataset import QuerySet, is_beir_folder, load_beir
from eval.errors import EvalHomeError
from eval.labels import load_labels
from eval.materialise import CacheOptions, materialise, prepare_corpus
from eval.metrics import MetricScore, PerQuery, StatTest, compare_to_baseline, per_query, summarise
from eval.runner import ConfigRun, DocKey, run_queries
from index.catalog import migrate_catalog
from index.encoder import SentenceTransformerEncoder
from index.models import Hit
from index.profiles import get_profile
from index.search import Searcher
from index.threads import configure_threads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Experiment:
    """What to evaluate and where the indexes are.

    Attributes:
        source: a BEIR folder, or a labels file (CSV/JSONL) for the share ingested in ``home``.
        split: the qrels split of a BEIR folder (ignored for a labels file).
        configs: the configurations, the first being the baseline of the significance tests.
        home: the ingested home a labels file is evaluated against.
        cache: where BEIR corpora are materialised and ingested.
        model_cache: where converted model weights are kept.
        threads: CPU threads for torch and FAISS.
        stat_test: ``student`` (paired t-test) or ``fisher`` (randomisation test).
        progress: show progress bars on stderr.
    """

    source: Path
    split: str
    configs: tuple[EvalConfig, ...]
    home: Path
    cache: CacheOptions
    model_cache: Path
    threads: int = 2
    stat_test: StatTest = "student"
    progress: bool = False


@dataclass(frozen=True)
class HomeUse:
    """An index the configs of one build were searched on."""

    build: Build
    home: Path
    configs: tuple[str, ...]
    cached: bool
    ingest_seconds: float
    chunks: int


@dataclass(frozen=True)
class Results:
    """Everything a report shows."""

    query_set: QuerySet
    configs: tuple[EvalConfig, ...]
    runs: tuple[ConfigRun, ...]
    scores: dict[str, PerQuery]
    summary: dict[str, dict[str, MetricScore]]
    p_values: dict[str, dict[str, float | None]]
    homes: tuple[HomeUse, ...]
    stat_test: str
    seconds: float


def run_experiment(experiment: Experiment) -> Results:
    """Search every query under every configuration and score the runs with ranx.

    Raises:
        DatasetError: the queries or qrels cannot be read.
        EvalHomeError: a labels file with configs that need more than one index.
        SearchIndexError: a model or index problem (e.g. the home was built with another model).
    """
    started = time.monotonic()
    query_set = load_query_set(experiment.source, experiment.split)
    groups = group_by_build(experiment.configs)
    _check_builds(experiment, len(groups))
    configure_threads(experiment.threads)
    runs, homes = _search_all(experiment, query_set, groups)
    scores = {run.name: per_query(query_set.qrels, run.run) for run in runs}
    p_values = compare_to_baseline(
        query_set.qrels, {run.name: run.run for run in runs}, experiment.stat_test
    )
    return Results(
        query_set=query_set,
        configs=experiment.configs,
        runs=runs,
        scores=scores,
        summary={name: summarise(by_metric) for name, by_metric in scores.items()},
        p_values=p_values,
        homes=homes,
        stat_test=experiment.stat_test,
        seconds=time.monotonic() - started,
    )


def _check_builds(experiment: Experiment, builds: int) -> None:
    if builds > 1 and not is_beir_folder(experiment.source):
        raise EvalHomeError(
            f"The configs need {builds} different indexes (model or chunking keys), but a "
            f"labels file is evaluated against the home {experiment.home} as it was ingested. "
            "Ingest a second home with those settings and evaluate it on its own, or use only "
            "search-time keys (dense_weight, lexical_weight, candidates, rrf_k)."
        )


def _search_all(
    experiment: Experiment, query_set: QuerySet, groups: dict[Build, list[EvalConfig]]
) -> tuple[tuple[ConfigRun, ...], tuple[HomeUse, ...]]:
    """Run the queries on each build's index; one encoder per model."""
    encoders: dict[str, SentenceTransformerEncoder] = {}
    runs: dict[str, ConfigRun] = {}
    homes: list[HomeUse] = []
    for build, members in groups.items():
        encoder = encoders.setdefault(
            build.model,
            SentenceTransformerEncoder(get_profile(build.model), experiment.model_cache),
        )
        use, doc_key = _open_home(experiment, build, members, encoder)
        migrate_catalog(use.home)  # searchers open it read-only, as the service's do
        homes.append(use)
        searcher = Searcher.open(use.home, encoder, encoder.profile.name)
        for run in run_queries(searcher, query_set.queries, members, doc_key, experiment.progress):
            runs[run.name] = run
    return tuple(runs[config.name] for config in experiment.configs), tuple(homes)


def load_query_set(source: Path, split: str) -> QuerySet:
    """Queries and qrels from a BEIR folder (that split) or from a labels file."""
    return load_beir(source, split) if is_beir_folder(source) else load_labels(source)


def group_by_build(configs: Sequence[EvalConfig]) -> dict[Build, list[EvalConfig]]:
    """Configs that need the same index, in first-seen order."""
    groups: dict[Build, list[EvalConfig]] = {}
    for config in configs:
        groups.setdefault(config.build, []).append(config)
    return groups


def _open_home(
    experiment: Experiment,
    build: Build,
    members: Sequence[EvalConfig],
    encoder: SentenceTransformerEncoder,
) -> tuple[HomeUse, DocKey]:
    names = tuple(config.name for config in members)
    if not is_beir_folder(experiment.source):
        return HomeUse(build, experiment.home, names, True, 0.0, 0), _by_path
    corpus = prepare_corpus(experiment.source, experiment.cache.cache_dir)
    made = materialise(corpus, build, encoder, experiment.cache)
    doc_ids = dict(corpus.doc_ids)
    use = HomeUse(build, made.home, names, made.cached, made.ingest_seconds, made.chunks)
    return use, lambda hit: doc_ids.get(hit.doc_path, hit.doc_path)


def _by_path(hit: Hit) -> str:
    return hit.doc_path
