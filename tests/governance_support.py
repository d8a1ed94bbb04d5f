"""Test support for governance: a private copy of the session's ingested sample home."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from index.catalog import catalog_path
from index.read_marks import MARKS_DIR
from index.vectors import index_dir

PEOPLE_TABLES = ("reviews", "uses", "use_totals", "query_log", "gaps")


def copy_home(source: Path, dest: Path) -> Path:
    """Copy a home's catalog (consistently, via SQLite's backup) and index generations.

    What people did in the source (reviews, marks, uses, queries, gaps) is left behind, so a
    test starts from the share alone, whatever other tests searched before.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(index_dir(source), index_dir(dest), ignore=shutil.ignore_patterns(MARKS_DIR))
    with sqlite3.connect(catalog_path(source)) as src, sqlite3.connect(catalog_path(dest)) as dst:
        src.backup(dst)
        for table in PEOPLE_TABLES:
            dst.execute(f"DELETE FROM {table}")
    return dest


def longest_document(conn: sqlite3.Connection, outside: str = "") -> tuple[str, str]:
    """The document with the most current chunks (ties: the lowest id) and its text, chunks
    joined in order; ``outside`` names a table whose ``doc_id``s are passed over."""
    skip = f"AND doc_id NOT IN (SELECT doc_id FROM {outside}) " if outside else ""
    doc_id = conn.execute(
        f"SELECT doc_id FROM chunks WHERE retired_seq IS NULL {skip}"
        "GROUP BY doc_id ORDER BY count(*) DESC, doc_id LIMIT 1"
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT text FROM chunks WHERE doc_id = ? AND retired_seq IS NULL ORDER BY ordinal",
        (doc_id,),
    )
    return doc_id, "\n\n".join(row[0] for row in rows)
