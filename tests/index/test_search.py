"""Ranking and filters on the ingested sample share, with the real packaged model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.filters import Filters
from index.search import Searcher


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("what does the press procedure say about journalists", "communicatie/persprocedure", 1),
        # No word of the question is in the runbook; 'computer' is in 4 other chunks, and score
        # completion ranks those 4 lexical matches against 150 candidates that match nothing,
        # which lifts the VPN guide and the home-working policy above it (EVAL.md).
        ("what should I do when my computer has been hacked", "it/incident", 3),
        ("hoeveel vakantiedagen krijg ik", "hr/verlofregeling", 1),
    ],
)
def test_paraphrased_query_finds_its_document(
    searcher: Searcher, query: str, expected: str, within: int
) -> None:
    dense = searcher.search(query, top_k=5, mode="dense")
    assert dense[0].doc_path.startswith(expected), [hit.doc_path for hit in dense]
    hybrid = [hit.doc_path for hit in searcher.search(query, top_k=5)]
    assert any(path.startswith(expected) for path in hybrid[:within]), hybrid


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_ranks_by_descending_score(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("declaratie reiskosten", top_k=10, mode=mode)  # type: ignore[arg-type]
    assert hits
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_lexical_arm_folds_case_and_accents_and_stems_dutch(searcher: Searcher) -> None:
    plain = searcher.search("een gebouw", top_k=10, mode="lexical")
    folded = searcher.search("ÉÉN GEBÖUW", top_k=10, mode="lexical")
    assert plain and [hit.chunk_id for hit in folded] == [hit.chunk_id for hit in plain]
    stemmed = searcher.search("declaraties", top_k=5, mode="lexical")
    assert any("declaratie" in hit.text.lower() for hit in stemmed)


def test_filters_apply_in_both_arms(searcher: Searcher) -> None:
    for mode in ("dense", "lexical", "hybrid"):
        hits = searcher.search("medewerkers", top_k=50, filters=Filters(folder="it"), mode=mode)  # type: ignore[arg-type]
        assert hits and all(hit.doc_path.startswith("it/") for hit in hits)
        typed = searcher.search(
            "medewerkers", top_k=50, filters=Filters(file_type="pdf"), mode=mode
        )  # type: ignore[arg-type]
        assert typed and all(hit.file_type == "pdf" for hit in typed)


def test_owner_language_and_date_filters(searcher: Searcher) -> None:
    owned = searcher.search("beleid", top_k=50, filters=Filters(owner="Sanne Bakker"))
    assert owned and all("Sanne Bakker" in [o.name for o in hit.owners] for hit in owned)
    english = searcher.search("policy", top_k=50, filters=Filters(language="en"))
    assert english and all(hit.language == "en" for hit in english)
    recent = datetime.now(UTC) - timedelta(days=365)
    fresh = searcher.search("beleid", top_k=50, filters=Filters(modified_after=recent))
    assert fresh and all(datetime.fromisoformat(hit.modified_at) >= recent for hit in fresh)
    nothing = searcher.search("beleid", top_k=50, filters=Filters(root="no-such-root"))
    assert nothing == []
