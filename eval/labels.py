"""A labels file for a real share: questions and the documents that answer them (CSV or JSONL).

CSV: a header with ``question`` and ``doc_paths`` (paths relative to the share root, separated by
``;``), optional ``query_id`` and ``grade``. JSONL: one object per line with the same keys;
``doc_paths`` may be a list. The sample share's ``questions.jsonl`` is such a file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.dataset import QuerySet
from eval.errors import DatasetError

LABEL_FORMATS = (".csv", ".jsonl")
LABELS_SPLIT = "labels"


@dataclass(frozen=True)
class Label:
    """One labelled question: the documents (relative paths) that answer it, with one grade."""

    query_id: str
    question: str
    doc_paths: tuple[str, ...]
    grade: int = 1


def load_labels(path: Path) -> QuerySet:
    """Read a labels file into queries and qrels keyed by document path.

    Rows with the same ``query_id`` add to one query's judged documents.

    Raises:
        DatasetError: an unknown file type, a missing column, or a malformed row.
    """
    if path.suffix.lower() not in LABEL_FORMATS:
        raise DatasetError(
            f"{path}: a labels file must end in {' or '.join(LABEL_FORMATS)}, "
            "or give a BEIR folder (with corpus.jsonl and qrels/)."
        )
    if not path.is_file():
        raise DatasetError(f"{path} does not exist: give a labels file or a BEIR folder.")
    reader = _csv_rows if path.suffix.lower() == ".csv" else _jsonl_rows
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for number, row in reader(path):
        label = parse_label(row, f"{path}:{number}", default_id=f"q{number:04d}")
        queries.setdefault(label.query_id, label.question)
        judged = qrels.setdefault(label.query_id, {})
        judged.update(dict.fromkeys(label.doc_paths, label.grade))
    if not queries:
        raise DatasetError(f"{path} holds no labelled question.")
    return QuerySet(path.stem, LABELS_SPLIT, queries, qrels)


def parse_label(row: Mapping[str, Any], where: str, default_id: str) -> Label:
    """One row (a CSV record or a JSON object) as a ``Label``.

    Raises:
        DatasetError: ``question`` or ``doc_paths`` is missing or empty, or ``grade`` is no integer.
    """
    question = str(row.get("question") or "").strip()
    paths = row.get("doc_paths")
    parts = paths.split(";") if isinstance(paths, str) else list(paths or [])
    doc_paths = tuple(p for p in (_normalise_path(str(part)) for part in parts) if p)
    if not question or not doc_paths:
        raise DatasetError(
            f"{where}: needs a 'question' and at least one path in 'doc_paths' "
            "(relative to the share root, ';'-separated in CSV)."
        )
    try:
        grade = int(row.get("grade") or 1)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{where}: grade {row.get('grade')!r} is not an integer.") from exc
    query_id = str(row.get("query_id") or "").strip() or default_id
    return Label(query_id, question, doc_paths, grade)


def _normalise_path(path: str) -> str:
    parts = path.strip().replace("\\", "/").split("/")
    return "/".join(part for part in parts if part not in ("", "."))


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or ())
        if not {"question", "doc_paths"} <= header:
            raise DatasetError(
                f"{path}: the header must name 'question' and 'doc_paths' "
                f"(optional 'query_id', 'grade'); found {sorted(header)}."
            )
        for row in reader:
            yield reader.line_num, dict(row)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not JSON ({exc}).") from exc
            if not isinstance(record, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object, got {record!r}.")
            yield number, record
