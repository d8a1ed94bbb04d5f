"""The labelled questions about the sample share, kept in ``questions.jsonl``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from service.sample_share.content import SampleShareDataError

QUESTIONS_JSONL = Path(__file__).with_name("questions.jsonl")


@dataclass(frozen=True)
class SampleQuestion:
    """A question and the documents (paths relative to the share root) that answer it."""

    query_id: str
    question: str
    doc_paths: tuple[str, ...]
    language: str


def load_questions(path: Path = QUESTIONS_JSONL) -> list[SampleQuestion]:
    """Read the labelled questions, one JSON object per line, from ``path``."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            questions.append(
                SampleQuestion(
                    query_id=str(entry["query_id"]),
                    question=str(entry["question"]),
                    doc_paths=tuple(str(p) for p in entry["doc_paths"]),
                    language=str(entry["language"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SampleShareDataError(
                f"{path}:{number}: not a question ({exc}); write "
                '{"query_id", "question", "doc_paths", "language"}'
            ) from exc
    return questions
