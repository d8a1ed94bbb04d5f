"""Facet counts over candidate hits count documents, not chunks."""

from __future__ import annotations

from index.facets import FacetValue, count_facets
from index.models import Hit, Owner


def _hit(doc_id: str, ordinal: int, file_type: str, owners: tuple[str, ...]) -> Hit:
    return Hit(
        chunk_id=f"{doc_id}#{ordinal}",
        chunk_rowid=hash((doc_id, ordinal)) % 10_000,
        doc_id=doc_id,
        root="share",
        doc_path=doc_id.removeprefix("share/"),
        title=doc_id,
        text="",
        score=1.0,
        owners=tuple(Owner(name, "owners_file") for name in owners),
        modified_at="2026-01-01T00:00:00+00:00",
        page=None,
        section=None,
        file_type=file_type,
        language="nl" if file_type != "md" else None,
    )


def test_each_document_counts_once_per_value() -> None:
    hits = [
        _hit("share/a.pdf", 0, "pdf", ("Team HR",)),
        _hit("share/a.pdf", 1, "pdf", ("Team HR",)),
        _hit("share/b.pdf", 0, "pdf", ("Team IT", "Team HR")),
        _hit("share/c.md", 0, "md", ()),
    ]
    facets = count_facets(hits)
    assert facets["file_type"] == (FacetValue("pdf", 2), FacetValue("md", 1))
    assert facets["owner"] == (FacetValue("Team HR", 2), FacetValue("Team IT", 1))
    assert facets["language"] == (FacetValue("nl", 2),)
    assert facets["root"] == (FacetValue("share", 3),)


def test_no_hits_no_values() -> None:
    assert all(values == () for values in count_facets([]).values())
