"""Superseded copies: names, similarity rules, groups and the canonical copy."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from index.governance.docvectors import alignment
from index.governance.supersede import (
    CopyFacts,
    CopyPair,
    SupersedeConfig,
    choose_canonical,
    copy_reason,
    group_copies,
    has_copy_marker,
    name_stem,
    nearest_rows,
)

CONFIG = SupersedeConfig()


@pytest.mark.parametrize(
    ("path", "stem", "marked"),
    [
        ("hr/reiskostenbeleid_v2_definitief(2).docx", "reiskostenbeleid", True),
        ("hr/oud/verlofregeling_2019.pdf", "verlofregeling", True),
        ("hr/verlofregeling.docx", "verlofregeling", False),
        ("Kopie van begroting FINAL(2).xlsx", "begroting", True),
        ("notes - Copy.docx", "notes", True),
        ("old/plan.md", "plan", True),
        ("communicatie/huisstijlgids.pdf", "huisstijlgids", False),
    ],
)
def test_names_lose_versions_years_and_copy_markers(path: str, stem: str, marked: bool) -> None:
    assert name_stem(path) == stem
    assert has_copy_marker(path) is marked


def test_copy_rules_need_similar_content_and_a_reason() -> None:
    assert copy_reason("a.docx", "b.pdf", 0.98, CONFIG) == "near-identical content"
    assert copy_reason("hr/plan.docx", "hr/oud/plan_2020.docx", 0.86, CONFIG) == (
        "same name, similar content"
    )
    assert copy_reason("hr/plan.docx", "hr/kopie van budget.docx", 0.93, CONFIG) == (
        "copy-like name, similar content"
    )
    assert copy_reason("hr/plan.docx", "hr/oud/plan_2020.docx", 0.80, CONFIG) is None
    assert copy_reason("hr/plan.docx", "hr/budget.docx", 0.95, CONFIG) is None


def test_alignment_of_identical_and_unrelated_chunks() -> None:
    left = np.eye(3, dtype=np.float32)
    assert alignment(left, left) == pytest.approx(1.0)
    assert alignment(left[:1], left[1:]) == pytest.approx(0.0)


def test_copies_form_connected_groups() -> None:
    pairs = [CopyPair("a", "b", 0.9, ""), CopyPair("c", "b", 0.9, ""), CopyPair("x", "y", 0.9, "")]
    groups = group_copies(pairs)
    assert groups["a"] == groups["b"] == groups["c"] != groups["x"] == groups["y"]


def test_the_canonical_copy_is_the_latest_edited_or_reviewed_and_not_outdated() -> None:
    old, new, later = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
                       datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    copies = [CopyFacts("old", old, False), CopyFacts("new", new, False)]
    assert choose_canonical(copies) == "new"
    assert choose_canonical([CopyFacts("old", later, False), CopyFacts("new", new, False)]) == "old"
    assert choose_canonical([CopyFacts("old", old, False), CopyFacts("new", new, True)]) == "old"


@pytest.mark.parametrize("count", [1, 2, 5, 11, 12, 700])
def test_nearest_rows_match_a_full_sort_of_every_row(count: int) -> None:
    rng = np.random.default_rng(count)
    vectors = rng.standard_normal((count, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    expected = np.argsort(-(vectors @ vectors.T), axis=1)[:, 1:11]
    found = nearest_rows(vectors, 10, block=64)
    assert found.shape == (count, min(10, count - 1))
    assert (found == expected).all()


@pytest.mark.parametrize("count", [2, 12, 700])
def test_nearest_rows_of_some_rows_are_those_rows_of_all(count: int) -> None:
    rng = np.random.default_rng(count + 1)
    vectors = rng.standard_normal((count, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = np.sort(rng.choice(count, size=max(1, count // 3), replace=False)).astype(np.int64)
    found = nearest_rows(vectors, 10, block=64, rows=rows)
    assert (found == nearest_rows(vectors, 10, block=64)[rows]).all()
