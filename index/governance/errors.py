"""Errors raised by governance.

GovernanceError (a SearchIndexError)
 ├── UnknownDocumentError     no catalogued document matches a path or doc_id
 ├── AmbiguousDocumentError   several documents match a partial path
 └── MissingReviewerError     a review or mark names nobody
"""

from __future__ import annotations

from index.errors import SearchIndexError


class GovernanceError(SearchIndexError):
    """Root of the governance errors."""


class UnknownDocumentError(GovernanceError, LookupError):
    """No catalogued document matches the given path or doc_id."""


class AmbiguousDocumentError(GovernanceError, ValueError):
    """A partial path matches more than one document."""


class MissingReviewerError(GovernanceError, ValueError):
    """A review or an outdated mark must say who made it."""
