"""The lexical arm ranks FTS5's top matches first, yet answers as the joined query would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.ann import AllowedIds
from index.catalog import connect, transaction
from index.lexical import Condition, match_expression, top_lexical
from index.postings import Bm25Config, Postings, postings_arm

DOCUMENTS = 120
CHUNKS_PER_DOCUMENT = 5
WORDS = ("verlof", "aanvraag", "reiskosten", "declaratie", "server", "wachtwoord", "budget")
PHRASES = ["verlof", "reiskosten", "server"]
MATCH = '"verlof" OR "reiskosten" OR "server"'
VISIBLE = Condition("d.seq <= ?", (1,))


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """A catalog of 600 chunks whose terms repeat the words above in varying amounts.

    Every tenth document is in folder ``rare``, every other one is Dutch, and documents
    catalogued after the generation (``seq`` 2) must never be returned.
    """
    conn = connect(Path(tmp_path_factory.mktemp("lexical")) / "catalog.sqlite")
    with transaction(conn):
        for number in range(DOCUMENTS):
            doc_id = f"r/{'rare' if number % 10 == 0 else 'map'}/{number}.txt"
            conn.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, "r", "/r", doc_id[2:], "txt", "t", "[]", "2026-01-01", 1, 1, "s",
                 "nl" if number % 2 else "en", None, 0, 0, 0o644, "u", "g", 1,
                 2 if number % 7 == 3 else 1, "now"),
            )  # fmt: skip
            for ordinal in range(CHUNKS_PER_DOCUMENT):
                rowid = number * CHUNKS_PER_DOCUMENT + ordinal + 1
                terms = " ".join(
                    WORDS[(rowid * (position + 3)) % len(WORDS)] for position in range(rowid % 23)
                )
                conn.execute(
                    "INSERT INTO chunks (chunk_rowid, doc_id, ordinal, text, text_sha256, "
                    "embedding) VALUES (?,?,?,?,?,?)",
                    (rowid, doc_id, ordinal, "x", "h", b"\0\0\0\0"),
                )
                conn.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)", (rowid, terms))
    return conn


def _passing_ids(conn: sqlite3.Connection, condition: Condition) -> np.ndarray:
    rows = conn.execute(
        "SELECT c.chunk_rowid FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE {condition.sql}",
        condition.params,
    )
    return np.array([row[0] for row in rows], dtype=np.int64)


def _expected(conn: sqlite3.Connection, depth: int, condition: Condition) -> dict[int, float]:
    """Every match joined to its document, checked, then ranked: the plain way."""
    rows = conn.execute(
        "SELECT f.rowid, -bm25(chunks_fts) FROM chunks_fts f "
        "JOIN chunks c ON c.chunk_rowid = f.rowid JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE chunks_fts MATCH ? AND {condition.sql} ORDER BY bm25(chunks_fts), f.rowid LIMIT ?",
        [MATCH, *condition.params, depth],
    )
    return {row[0]: row[1] for row in rows}


@pytest.mark.parametrize(
    ("condition", "share"),
    [
        (Condition("1"), 1.0),  # visibility only: the first candidates suffice
        (Condition("d.language = ?", ("nl",)), 0.5),  # half pass
        (Condition("d.language = ?", ("nl",)), 1.0),  # share unknown: widened by what passed
        (Condition("d.rel_path LIKE 'rare/%'"), 0.1),  # a tenth: at the widening limit
        (Condition("d.rel_path LIKE 'rare/%'"), 0.05),  # narrower: the joined query
        (Condition("d.rel_path LIKE 'rare/%'"), 1.0),  # wrong estimate: widened, then joined
        (Condition("0"), 1.0),  # nothing passes
    ],
)
@pytest.mark.parametrize("depth", [5, 40, 1000])
@pytest.mark.parametrize("ranked_by", ["fts5", "postings"])
def test_top_matches_equal_the_joined_query(
    conn: sqlite3.Connection, condition: Condition, share: float, depth: int, ranked_by: str
) -> None:
    if ranked_by == "postings":  # the same filter as a row id bitmap, as the dense arm has it
        passing = _passing_ids(conn, VISIBLE & condition)
        bitmap = AllowedIds.of(passing).bitmap if len(passing) else np.zeros(1, np.uint8)
        found, _ = postings_arm(Postings.build(conn), PHRASES, depth, bitmap)
    else:
        found = top_lexical(conn, MATCH, depth, VISIBLE & condition, share)
    expected = _expected(conn, depth, VISIBLE & condition)
    assert list(found.items()) == list(expected.items())


@pytest.mark.parametrize(
    "condition",
    [
        Condition("1"),
        Condition("d.language = ?", ("nl",)),
        Condition("d.rel_path LIKE 'rare/%'"),
        Condition("0"),
    ],
)
@pytest.mark.parametrize("depth", [5, 1000])
def test_other_bm25_parameters_rank_by_the_postings_under_every_condition(
    conn: sqlite3.Connection, condition: Condition, depth: int
) -> None:
    """With parameters FTS5 does not have, the postings rank every condition themselves."""
    postings, bm25 = Postings.build(conn), Bm25Config(0.9, 0.4, "lucene")
    scores = postings.scores(PHRASES, bm25)
    passing = _passing_ids(conn, VISIBLE & condition)
    ranked = sorted(
        ((int(rowid), float(score)) for rowid, score in zip(postings.rowids, scores, strict=True)
         if score > 0 and rowid in set(passing.tolist())),
        key=lambda item: (-item[1], item[0]),
    )  # fmt: skip
    bitmap = AllowedIds.of(passing).bitmap if len(passing) else np.zeros(1, np.uint8)
    found, _ = postings_arm(postings, PHRASES, depth, bitmap, bm25=bm25)
    assert list(found.items()) == ranked[:depth]
    assert list(found.items()) != list(_expected(conn, depth, VISIBLE & condition).items()) or (
        not ranked
    )


def test_chunks_catalogued_after_the_generation_are_never_returned(
    conn: sqlite3.Connection,
) -> None:
    found = top_lexical(conn, MATCH, 1000, VISIBLE)
    later = {row[0] for row in conn.execute(
        "SELECT c.chunk_rowid FROM chunks c JOIN documents d USING (doc_id) WHERE d.seq > 1"
    )}  # fmt: skip
    assert later and found and not later & set(found)


def test_conditions_combine_their_parameters_in_order() -> None:
    both = Condition("a = ?", (1,)) & Condition("b = ? AND c = ?", (2, 3))
    assert both == Condition("(a = ?) AND (b = ? AND c = ?)", (1, 2, 3))


def test_a_query_of_stop_words_only_keeps_them_and_punctuation_none() -> None:
    assert match_expression("?!") is None
    assert match_expression("de") is not None
