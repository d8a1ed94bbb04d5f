"""Turn ranked chunk row ids into ``Hit``s with their document's metadata and owners."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Sequence

from index.models import Hit, Owner

_HIT_SQL = (
    "SELECT c.chunk_rowid, c.doc_id, c.ordinal, c.text, c.page, c.section, d.root_label, "
    "d.rel_path, d.title, d.modified_at, d.file_type, d.language "
    "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.chunk_rowid IN ({marks})"
)


def owners_of(conn: sqlite3.Connection, doc_ids: Sequence[str]) -> dict[str, tuple[Owner, ...]]:
    """Owners of each document, in their recorded order."""
    if not doc_ids:
        return {}
    marks = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"SELECT doc_id, name, source FROM owners WHERE doc_id IN ({marks}) "
        "ORDER BY doc_id, position",
        list(doc_ids),
    )
    found: dict[str, list[Owner]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(Owner(row[1], row[2]))
    return {doc_id: tuple(owners) for doc_id, owners in found.items()}


def load_hits(conn: sqlite3.Connection, ranked: Sequence[tuple[int, float]]) -> list[Hit]:
    """Hits in ranked order; chunks no longer in the catalog are dropped.

    Retired chunks are kept: both arms return only chunks the served generation holds.
    """
    if not ranked:
        return []
    marks = ",".join("?" * len(ranked))
    rows = {
        row[0]: row
        for row in conn.execute(_HIT_SQL.format(marks=marks), [rowid for rowid, _ in ranked])
    }
    owners = owners_of(conn, sorted({row[1] for row in rows.values()}))
    hits = []
    for rowid, score in ranked:
        row = rows.get(rowid)
        if row is None:
            continue
        hits.append(
            Hit(
                chunk_id=f"{row[1]}#{row[2]}",
                chunk_rowid=rowid,
                doc_id=row[1],
                root=row[6],
                doc_path=row[7],
                title=row[8],
                text=row[3],
                score=round(score, 6),
                owners=owners.get(row[1], ()),
                modified_at=row[9],
                page=row[4],
                section=row[5],
                file_type=row[10],
                language=row[11],
            )
        )
    return hits


def chunk_documents(conn: sqlite3.Connection, rowids: Collection[int]) -> dict[int, str]:
    """The document of each chunk row id (ids no longer in the catalog are left out)."""
    if not rowids:
        return {}
    ids = list(rowids)
    marks = ",".join("?" * len(ids))
    sql = f"SELECT chunk_rowid, doc_id FROM chunks WHERE chunk_rowid IN ({marks})"
    rows = conn.execute(sql, ids)
    return {int(row[0]): str(row[1]) for row in rows}
