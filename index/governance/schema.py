"""Catalog tables of knowledge governance; created by every writable catalog connection.

Reviews, outdated marks and uses are keyed by ``doc_id`` *and* the content's ``sha256`` and
have no foreign key to ``documents``: they outlive re-ingest, a rename (same content, new
``doc_id``) and an edit (same ``doc_id``, new content). The other tables are derived from the
share at every ingest and are replaced with their documents.

``use_totals`` (a running count per key of ``uses``, see ``index.governance.usage``) is created
apart, in the transaction that fills it from the events a catalog already has.
"""

from __future__ import annotations

GOVERNANCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    review_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('reviewed', 'outdated')),
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_doc_id ON reviews (doc_id);
CREATE INDEX IF NOT EXISTS reviews_sha256 ON reviews (sha256);
CREATE TABLE IF NOT EXISTS document_rules (
    doc_id TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    review_days INTEGER,
    outdated TEXT
);
CREATE TABLE IF NOT EXISTS teams (
    root_label TEXT NOT NULL,
    team TEXT NOT NULL,
    position INTEGER NOT NULL,
    member TEXT NOT NULL,
    PRIMARY KEY (root_label, team, position)
);
CREATE TABLE IF NOT EXISTS duplicates (
    doc_id TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL,
    similarity REAL NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS duplicates_group ON duplicates (group_id);
CREATE TABLE IF NOT EXISTS copy_pairs (
    left_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    right_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (left_id, right_id)
);
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER PRIMARY KEY,
    label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document_topics (
    doc_id TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_vocabulary (
    word_id INTEGER PRIMARY KEY,
    word TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS topic_counts (
    doc_id TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    word_ids BLOB NOT NULL,
    counts BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS query_log (
    query_id INTEGER PRIMARY KEY AUTOINCREMENT,
    query TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    confidence REAL,
    doc_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS uses (
    doc_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('top_hit', 'clicked', 'cited')),
    used_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uses_doc_id ON uses (doc_id);
CREATE INDEX IF NOT EXISTS uses_sha256 ON uses (sha256);
CREATE TABLE IF NOT EXISTS gaps (
    gap_id INTEGER PRIMARY KEY AUTOINCREMENT,
    query TEXT NOT NULL,
    query_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('search', 'feedback')),
    times INTEGER NOT NULL DEFAULT 1,
    confidence REAL,
    first_asked TEXT NOT NULL,
    last_asked TEXT NOT NULL,
    closed_at TEXT,
    answer_doc_id TEXT
);
"""
USE_TOTALS_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS use_totals (
    doc_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    uses INTEGER NOT NULL,
    last_used TEXT NOT NULL,
    PRIMARY KEY (doc_id, sha256)
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS use_totals_sha256 ON use_totals (sha256)",
)
