"""A document's review state from its clocks and review interval (pure).

The clock that counts is the later of *last edited* and *last reviewed*: an edit or a review
restarts it. Against the interval it gives, in order of growing harm::

    current → review_due (from 90 %) → overdue (from 100 %) → expired (from 200 %)

An explicit outdated mark (by an owner, front matter, or an OWNERS rule) makes a document
``outdated`` unless its age already made it ``expired``. *Last used* does not change the state;
it weighs how much an overdue document hurts (see ``index.governance.audit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ReviewState = Literal["current", "review_due", "overdue", "outdated", "expired"]
REVIEW_STATES: tuple[ReviewState, ...] = (
    "current",
    "review_due",
    "overdue",
    "outdated",
    "expired",
)
DEFAULT_REVIEW_DAYS = 365
OUTDATED_STATUSES = frozenset(
    {"outdated", "verouderd", "obsolete", "deprecated", "superseded", "vervallen", "vervangen"}
)


@dataclass(frozen=True)
class ReviewPolicy:
    """When a document becomes due, overdue and expired, as fractions of its interval."""

    default_days: int = DEFAULT_REVIEW_DAYS
    due_fraction: float = 0.9
    overdue_fraction: float = 1.0
    expired_fraction: float = 2.0


@dataclass(frozen=True)
class Clocks:
    """The three clocks of a document (aware datetimes; None: never)."""

    edited: datetime
    reviewed: datetime | None = None
    used: datetime | None = None

    @property
    def restarted(self) -> datetime:
        """The moment the review clock last restarted: an edit or a review."""
        return max(self.edited, self.reviewed) if self.reviewed else self.edited


def review_ratio(clocks: Clocks, interval_days: int, now: datetime) -> float:
    """How much of the review interval has passed (1.0: due today, 2.0: twice over)."""
    days = (now - clocks.restarted).total_seconds() / 86_400
    return max(0.0, days) / max(1, interval_days)


def review_state(
    clocks: Clocks,
    interval_days: int,
    outdated: bool,
    now: datetime,
    policy: ReviewPolicy = ReviewPolicy(),
) -> ReviewState:
    """The state of a document at ``now``."""
    ratio = review_ratio(clocks, interval_days, now)
    if ratio >= policy.expired_fraction:
        return "expired"
    if outdated:
        return "outdated"
    if ratio >= policy.overdue_fraction:
        return "overdue"
    if ratio >= policy.due_fraction:
        return "review_due"
    return "current"


def is_outdated_status(status: str | None) -> bool:
    """True when a document's own status property says it is outdated (``verouderd``)."""
    return bool(status) and str(status).strip().lower() in OUTDATED_STATUSES
