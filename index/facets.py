"""Facet counts: how many distinct documents among a query's candidate hits share each value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from index.models import Hit

FACET_FIELDS: dict[str, Callable[[Hit], Iterable[str]]] = {
    "root": lambda hit: [hit.root],
    "owner": lambda hit: [owner.name for owner in hit.owners],
    "file_type": lambda hit: [hit.file_type],
    "language": lambda hit: [hit.language] if hit.language else [],
}


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and the number of documents that have it."""

    value: str
    count: int


def count_facets(hits: Sequence[Hit]) -> dict[str, tuple[FacetValue, ...]]:
    """Per facet, its values with document counts, most frequent first (ties by value).

    A document is counted once per value however many of its chunks are among ``hits``.
    """
    first_hits = {hit.doc_id: hit for hit in reversed(hits)}.values()
    facets: dict[str, tuple[FacetValue, ...]] = {}
    for name, values_of in FACET_FIELDS.items():
        counts = Counter(value for hit in first_hits for value in set(values_of(hit)))
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        facets[name] = tuple(FacetValue(value, count) for value, count in ranked)
    return facets
