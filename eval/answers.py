"""Answer quality on a BEIR folder with ``answers.jsonl``: the product's extractive answers.

Each question of the qrels split is answered by ``service.qa.answer_question`` over the same
cached home the retrieval evaluation uses (``eval.materialise``), and scored with
``eval.answer_metrics``: SQuAD token F1 / exact match of the answer text against the gold
answers, and whether a cited passage comes from a gold attribution document.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.answer_metrics import AnswerScore, score_answer, summarise_answers
from eval.configs import Build
from eval.dataset import load_beir
from eval.errors import DatasetError
from eval.materialise import CacheOptions, materialise, prepare_corpus
from index.catalog import migrate_catalog
from index.encoder import SentenceTransformerEncoder
from index.models import Hit
from index.profiles import get_profile
from index.search import SearchConfig, Searcher
from service.qa import Answer, answer_question

logger = logging.getLogger(__name__)
ANSWERS_FILE = "answers.jsonl"


@dataclass(frozen=True)
class Gold:
    """The gold answers of one question and the documents they are attributed to."""

    answers: tuple[str, ...]
    attribution: tuple[str, ...]


@dataclass(frozen=True)
class AnswerEval:
    """What to answer and where the cached homes are.

    Attributes:
        source: a BEIR folder with ``answers.jsonl``.
        split: the qrels split whose questions are answered.
        build: the model and chunking of the index (the cache key, as in retrieval eval).
        search: fusion weights and normalisation.
        cache: where the corpus is ingested (reused when it already is).
        model_cache: where converted model weights are kept.
        limit: answer at most this many questions (in query-id order); None for all.
        home: an ingested home of this corpus to use instead of the cached one.
    """

    source: Path
    split: str
    build: Build
    search: SearchConfig
    cache: CacheOptions
    model_cache: Path
    limit: int | None = None
    home: Path | None = None


def load_gold(folder: Path) -> dict[str, Gold]:
    """query_id → gold answers and attribution, from ``answers.jsonl``.

    Raises:
        DatasetError: the file is missing or a line is not ``{"_id", "answers"[, "attribution"]}``.
    """
    return dict(_gold_lines(folder / ANSWERS_FILE))


def _gold_lines(path: Path) -> Iterator[tuple[str, Gold]]:
    if not path.is_file():
        raise DatasetError(
            f"{path} is missing: answer quality needs gold answers (one JSON object per line "
            'with "_id" and "answers").'
        )
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                answers = tuple(str(text) for text in record["answers"])
                attribution = tuple(str(doc) for doc in record.get("attribution") or ())
                yield str(record["_id"]), Gold(answers, attribution)
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DatasetError(
                    f'{path}:{number}: expected {{"_id", "answers": [...]}} ({exc!r}).'
                ) from exc


def answer_text(answer: Answer) -> str:
    """The answer's sentences without citation marks (what F1 is measured on)."""
    return " ".join(sentence.text for sentence in answer.sentences)


def score_questions(
    searcher: Searcher,
    questions: Mapping[str, str],
    gold: Mapping[str, Gold],
    doc_key: Callable[[Hit], str],
) -> list[AnswerScore]:
    """Answer each question with gold answers and score it."""
    scores = []
    for query_id, question in questions.items():
        if query_id not in gold:
            continue
        answer = answer_question(searcher, question)
        cited = [doc_key(citation.hit) for citation in answer.citations]
        expected = (gold[query_id].answers, gold[query_id].attribution)
        text = answer_text(answer)
        scores.append(score_answer(query_id, text, answer.confident, cited, expected))
    return scores


@dataclass(frozen=True)
class AnswerReport:
    """Summary and per-question scores of one answer evaluation."""

    dataset: str
    split: str
    model: str
    home: str
    summary: dict[str, float | int | None]
    seconds: float
    per_question: tuple[AnswerScore, ...]

    def lines(self) -> list[str]:
        """The summary as aligned ``name value`` lines under a title."""
        head = f"{self.dataset} ({self.split}), model {self.model}, {self.seconds} s"
        return [head, *(f"  {key:<22} {value}" for key, value in self.summary.items())]


def run_answer_eval(config: AnswerEval) -> AnswerReport:
    """Answer the split's questions on the cached home and summarise the scores.

    Raises:
        DatasetError: the folder, split or ``answers.jsonl`` cannot be read.
        SearchIndexError: a model or index problem.
    """
    started = time.monotonic()
    query_set = load_beir(config.source, config.split)
    gold = load_gold(config.source)
    questions = dict(sorted(query_set.queries.items())[: config.limit])
    encoder = SentenceTransformerEncoder(get_profile(config.build.model), config.model_cache)
    corpus = prepare_corpus(config.source, config.cache.cache_dir)
    home = config.home or materialise(corpus, config.build, encoder, config.cache).home
    doc_ids = dict(corpus.doc_ids)
    migrate_catalog(home)
    searcher = Searcher.open(home, encoder, encoder.profile.name, config.search)
    scores = score_questions(
        searcher, questions, gold, lambda hit: doc_ids.get(hit.doc_path, hit.doc_path)
    )
    return AnswerReport(
        query_set.name,
        query_set.split,
        config.build.model,
        str(home),
        summarise_answers(scores),
        round(time.monotonic() - started, 1),
        tuple(scores),
    )


def write_answer_report(report: AnswerReport, path: Path) -> None:
    """``report`` as JSON (summary and per-question scores)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False), encoding="utf-8")
