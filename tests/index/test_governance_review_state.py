"""Review states from the three clocks and the review interval (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.governance.review_state import (
    Clocks,
    ReviewPolicy,
    is_outdated_status,
    review_ratio,
    review_state,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("edited_days_ago", "state"),
    [(10, "current"), (328, "current"), (329, "review_due"), (365, "overdue"),
     (729, "overdue"), (730, "expired"), (4000, "expired")],
)  # fmt: skip
def test_states_follow_the_interval(edited_days_ago: int, state: str) -> None:
    assert review_state(Clocks(_ago(edited_days_ago)), 365, False, NOW) == state


def test_a_review_restarts_the_clock_and_an_edit_does_too() -> None:
    reviewed = Clocks(edited=_ago(800), reviewed=_ago(20))
    assert reviewed.restarted == _ago(20)
    assert review_state(reviewed, 365, False, NOW) == "current"
    edited_after = Clocks(edited=_ago(5), reviewed=_ago(400))
    assert review_ratio(edited_after, 100, NOW) == pytest.approx(0.05)


def test_last_used_does_not_change_the_state() -> None:
    assert review_state(Clocks(_ago(400), used=_ago(1)), 365, False, NOW) == "overdue"


def test_outdated_marks_count_unless_already_expired() -> None:
    assert review_state(Clocks(_ago(1)), 365, True, NOW) == "outdated"
    assert review_state(Clocks(_ago(900)), 365, True, NOW) == "expired"


def test_the_policy_sets_the_thresholds() -> None:
    strict = ReviewPolicy(due_fraction=0.5, overdue_fraction=0.75, expired_fraction=1.0)
    clocks = Clocks(_ago(60))
    assert [review_state(clocks, days, False, NOW, strict) for days in (200, 100, 70, 50)] == [
        "current", "review_due", "overdue", "expired",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "outdated"),
    [("verouderd", True), (" Outdated ", True), ("deprecated", True), ("final", False),
     (None, False), ("", False)],
)  # fmt: skip
def test_document_status_words(status: str | None, outdated: bool) -> None:
    assert is_outdated_status(status) is outdated
