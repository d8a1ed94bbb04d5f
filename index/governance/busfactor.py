"""The bus-factor map: areas and topics whose documents depend on one person.

People are owners from OWNERS files with teams replaced by their members (``TEAMS``).
Superseded copies and orphans do not count. For an area or topic held by one person, the
suggested second owners are the people whose own documents are closest to its documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.governance.docvectors import Matrix

MapKind = Literal["area", "topic"]
SUGGESTIONS = 3


@dataclass(frozen=True)
class BusFactor:
    """One area or topic: its documents, the people behind them, and what to do if one."""

    kind: MapKind
    name: str
    documents: tuple[str, ...]
    people: tuple[str, ...]
    suggested: tuple[str, ...]

    @property
    def single_person(self) -> str | None:
        """The one person everything here depends on, or None."""
        return self.people[0] if len(self.people) == 1 else None


def closest_people(
    doc_ids: Sequence[str],
    people_docs: Mapping[str, Sequence[str]],
    vectors: Mapping[str, Matrix],
    exclude: Sequence[str] = (),
) -> tuple[str, ...]:
    """People ranked by how close their documents come to ``doc_ids`` (best cosine first)."""
    ours = [vectors[doc_id] for doc_id in doc_ids if doc_id in vectors]
    if not ours:
        return ()
    target = np.stack(ours)
    scores = {}
    for person, owned in people_docs.items():
        theirs = [vectors[d] for d in owned if d in vectors and d not in doc_ids]
        if person in exclude or not theirs:
            continue
        scores[person] = float((target @ np.stack(theirs).T).max())
    return tuple(sorted(scores, key=lambda person: (-scores[person], person))[:SUGGESTIONS])


def bus_factor_map(
    groups: Mapping[tuple[MapKind, str], Sequence[str]],
    people_of_doc: Mapping[str, Sequence[str]],
    vectors: Mapping[str, Matrix],
) -> list[BusFactor]:
    """Every group (area or topic → its documents), single-person ones first."""
    people_docs: dict[str, list[str]] = defaultdict(list)
    for doc_id, people in people_of_doc.items():
        for person in people:
            people_docs[person].append(doc_id)
    entries = []
    for (kind, name), doc_ids in groups.items():
        owned = [doc_id for doc_id in doc_ids if people_of_doc.get(doc_id)]
        people = tuple(dict.fromkeys(p for doc_id in owned for p in people_of_doc[doc_id]))
        if not owned:
            continue
        suggested = closest_people(owned, people_docs, vectors, people) if len(people) == 1 else ()
        entries.append(BusFactor(kind, name, tuple(owned), people, suggested))
    return sorted(entries, key=lambda e: (e.single_person is None, e.kind, e.name))
