"""Labelled queries in BEIR layout: ``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.errors import DatasetError

logger = logging.getLogger(__name__)

Qrels = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class QuerySet:
    """Queries and their judged documents (grade > 0 is relevant), ready to evaluate.

    Attributes:
        name: the data set's name, used in report titles and output folders.
        split: the qrels split (``test``, ``dev``…), or ``labels`` for a labels file.
        queries: query_id → query text, only for queries with at least one relevant document.
        qrels: query_id → doc_id → grade.
    """

    name: str
    split: str
    queries: Mapping[str, str]
    qrels: Qrels


@dataclass(frozen=True)
class CorpusDocument:
    """One document of a BEIR corpus."""

    doc_id: str
    title: str
    text: str


def is_beir_folder(path: Path) -> bool:
    """True when ``path`` is a folder with a ``corpus.jsonl`` and a ``qrels`` folder."""
    return (path / "corpus.jsonl").is_file() and (path / "qrels").is_dir()


def load_beir(folder: Path, split: str) -> QuerySet:
    """Read the queries and the qrels of one split of a BEIR folder.

    Raises:
        DatasetError: the split or a file is missing, or a line is malformed.
    """
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        splits = ", ".join(sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))) or "none"
        raise DatasetError(
            f"No qrels split '{split}' in {folder / 'qrels'}: choose one of {splits} (--qrels)."
        )
    qrels = read_qrels(qrels_path)
    texts = read_queries(folder / "queries.jsonl")
    missing = sorted(set(qrels) - set(texts))
    if missing:
        raise DatasetError(
            f"{len(missing)} queries of {qrels_path} are not in queries.jsonl "
            f"(first: '{missing[0]}'): check that both files come from the same release."
        )
    return QuerySet(folder.resolve().name, split, {q: texts[q] for q in qrels}, qrels)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read a BEIR qrels TSV (header ``query-id corpus-id score``); drop queries with no grade > 0.

    Raises:
        DatasetError: a line without three columns or with a non-integer score.
    """
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if number == 1 and row[:1] == ["query-id"]:
                continue
            try:
                query_id, doc_id, grade = row
                qrels.setdefault(query_id, {})[doc_id] = int(grade)
            except ValueError as exc:
                raise DatasetError(
                    f"{path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score', got {row!r}."
                ) from exc
    judged = {q: docs for q, docs in qrels.items() if any(g > 0 for g in docs.values())}
    if len(judged) < len(qrels):
        logger.info("%d queries without a relevant document skipped", len(qrels) - len(judged))
    if not judged:
        raise DatasetError(f"{path} has no query with a relevant document (score > 0).")
    return judged


def read_queries(path: Path) -> dict[str, str]:
    """Read ``queries.jsonl`` as query_id → text.

    Raises:
        DatasetError: the file is missing or a line is not ``{"_id", "text"}``.
    """
    return {record["_id"]: record["text"] for record in _jsonl(path, ("_id", "text"))}


def read_corpus(folder: Path) -> Iterator[CorpusDocument]:
    """Stream the documents of ``corpus.jsonl`` (title may be empty).

    Raises:
        DatasetError: a line is not ``{"_id", "text", ...}``.
    """
    for record in _jsonl(folder / "corpus.jsonl", ("_id", "text")):
        yield CorpusDocument(record["_id"], str(record.get("title") or ""), record["text"])


def _jsonl(path: Path, keys: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise DatasetError(f"{path} is missing: a BEIR folder needs it.")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                values = {key: str(record[key]) for key in keys}
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DatasetError(
                    f"{path}:{number}: expected a JSON object with {', '.join(keys)} ({exc})."
                ) from exc
            yield {**record, **values}
