"""The in-memory postings score and rank every query exactly as FTS5's ``bm25()`` does."""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analyze import document_terms, query_terms
from index.catalog import connect, transaction
from index.errors import PostingsUnavailableError
from index.filters import Filters
from index.lexical import fts_ranking, phrases_match, query_phrases
from index.lexical_memory import LexicalMemory
from index.postings import Bm25Config, Postings
from index.search import Searcher
from service.sample_share.questions import load_questions

# Words FTS5's tokenizer might read otherwise than our analysis: compounds, accents, an
# underscore (two tokens to FTS5), digits, ligatures, non-Latin scripts, stop words.
WORDS = (
    "verlofaanvraag", "verlof", "aanvragen", "reiskosten", "declaratie", "café", "Één",
    "straße", "snake_case", "x²", "ﬁle", "日本語", "ø", "server", "servers", "de", "the", "42",
)  # fmt: skip


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    conn = connect(Path(tmp_path_factory.mktemp("postings")) / "catalog.sqlite")
    yield conn
    conn.close()


def _fill(conn: sqlite3.Connection, texts: list[tuple[str, str]]) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM chunks_fts")
        for rowid, (text, language) in enumerate(texts, start=1):
            terms = document_terms(text, language)
            conn.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)", (rowid, terms))


def _assert_same_ranking(conn: sqlite3.Connection, postings: Postings, query: str) -> None:
    phrases = query_phrases(query)
    match = phrases_match(phrases)
    if match is None:
        return
    expected = fts_ranking(conn, match)(1000)
    if not postings.supports(phrases):
        with pytest.raises(ValueError, match="single tokens"):
            postings.ranked(phrases, 1000)
        return
    found = postings.ranked(phrases, 1000)
    assert [rowid for rowid, _ in found] == [rowid for rowid, _ in expected], query
    for (_, score), (_, fts) in zip(found, expected, strict=True):
        assert score == pytest.approx(fts, rel=1e-9, abs=1e-12)


texts = st.lists(
    st.tuples(
        st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
        st.sampled_from(["nl", "en", "de", None]),
    ),
    min_size=1,
    max_size=40,
)
queries = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=texts, queries=queries)
def test_postings_rank_and_score_as_fts5(
    catalog: sqlite3.Connection, texts: list[tuple[str, str]], queries: list[str]
) -> None:
    _fill(catalog, texts)
    postings = Postings.build(catalog)
    assert len(postings) == len(texts)
    for query in queries:
        _assert_same_ranking(catalog, postings, query)


def test_a_limit_keeps_the_best_and_breaks_ties_by_row_id(catalog: sqlite3.Connection) -> None:
    """Twenty identical chunks tie at the cut; FTS5 and the postings both keep the lowest ids."""
    texts = [("reiskosten declaratie", "nl")] * 20 + [("reiskosten", "nl")] * 5
    _fill(catalog, texts + [("verlof", "nl")] * 30)
    found = Postings.build(catalog).ranked(["reiskost"], 7)
    expected = fts_ranking(catalog, '"reiskost"')(7)
    assert [rowid for rowid, _ in found] == [21, 22, 23, 24, 25, 1, 2]
    assert [rowid for rowid, _ in expected] == [21, 22, 23, 24, 25, 1, 2]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected])


def test_an_empty_catalog_and_a_catalog_without_terms_match_nothing(
    catalog: sqlite3.Connection,
) -> None:
    _fill(catalog, [])
    assert Postings.build(catalog).ranked(["verlof"], 10) == []
    _fill(catalog, [("", "nl"), ("?!", "en")])
    assert Postings.build(catalog).ranked(["verlof"], 10) == []


def test_a_catalog_that_cannot_be_read_leaves_fts5_to_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="index.lexical_memory"):
        memory = LexicalMemory(tmp_path / "missing" / "catalog.sqlite")
        assert memory.wait(timeout=30)
    assert memory.postings is None
    assert "FTS5 answers instead" in caplog.text


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(language="en"), Filters(folder="it"), Filters(file_type="pdf")],
    ids=["none", "language", "folder", "file type"],
)
def test_searches_answer_the_same_from_postings_and_from_fts5(
    searcher: Searcher, mode: str, filters: Filters
) -> None:
    """The sample questions over the ingested share, with and without the postings, at FTS5's
    own BM25 parameters: the filters reach the postings as the dense arm's row id bitmap,
    FTS5 as SQL. The coverages are weighed from the postings only, so they are off here."""
    fts5 = replace(searcher.config, bm25=Bm25Config(), lexical_coverage=False)
    searcher = searcher.with_config(replace(fts5, document_coverage=False))
    fts_only = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index,
        searcher.config, LexicalMemory.off(),
    )  # fmt: skip
    assert searcher.lexical_memory.wait(timeout=60)
    assert searcher.lexical_memory.postings is not None
    answered = 0
    for question in (sample.question for sample in load_questions()):
        found = searcher.search(question, 10, filters, mode)  # type: ignore[arg-type]
        expected = fts_only.search(question, 10, filters, mode)  # type: ignore[arg-type]
        assert [hit.chunk_id for hit in found] == [hit.chunk_id for hit in expected], question
        answered += bool(found)
    assert answered >= 5


def _reference_scores(
    conn: sqlite3.Connection, phrases: list[str], bm25: Bm25Config
) -> dict[int, float]:
    """BM25 written out plainly from the stored terms, for the chunks that match."""
    rows = conn.execute("SELECT rowid, terms FROM chunks_fts").fetchall()
    documents = {rowid: Counter(re.findall(r"[^\W_]+", terms)) for rowid, terms in rows}
    average = sum(sum(terms.values()) for terms in documents.values()) / len(documents)
    scores: dict[int, float] = {}
    for phrase in phrases:
        matching = sum(1 for terms in documents.values() if phrase in terms)
        ratio = (len(documents) - matching + 0.5) / (matching + 0.5)
        idf = math.log(1 + ratio) if bm25.idf == "lucene" else max(math.log(ratio), 0) or 1e-6
        for rowid, terms in documents.items():
            if phrase in terms:
                length = sum(terms.values())
                norm = bm25.k1 * (1 - bm25.b + bm25.b * length / average)
                tf = terms[phrase]
                scores[rowid] = scores.get(rowid, 0.0) + idf * tf * (bm25.k1 + 1) / (tf + norm)
    return scores


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=texts,
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    bm25=st.builds(
        Bm25Config,
        k1=st.sampled_from([0.0, 0.6, 0.9, 1.2, 2.0]),
        b=st.sampled_from([0.0, 0.4, 0.75, 1.0]),
        idf=st.sampled_from(["fts5", "lucene"]),
    ),
)
def test_other_parameters_score_as_the_plain_formula(
    catalog: sqlite3.Connection, texts: list[tuple[str, str]], query: str, bm25: Bm25Config
) -> None:
    _fill(catalog, texts)
    phrases = Postings.tokens(query_phrases(query))
    expected = _reference_scores(catalog, phrases, bm25)
    found = Postings.build(catalog).ranked(phrases, 1000, bm25)
    assert dict(found) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    best_first = sorted(expected.items(), key=lambda item: (-item[1], item[0]))
    assert [rowid for rowid, _ in found] == [rowid for rowid, _ in best_first]


def test_lucene_idf_keeps_common_terms_positive_where_fts5_floors_them(
    catalog: sqlite3.Connection,
) -> None:
    """A term in every chunk: FTS5's idf is floored at 1e-6, Lucene's is log(1 + 1/(2N+1))."""
    _fill(catalog, [("verlof reiskosten", "nl"), ("verlof", "nl"), ("verlof verlof", "nl")])
    postings = Postings.build(catalog)
    fts5 = postings.scores(["verlof"], Bm25Config(0.9, 0.4))
    lucene = postings.scores(["verlof"], Bm25Config(0.9, 0.4, "lucene"))
    assert 0 < fts5.max() < 1e-5
    assert lucene.min() > 0.1 and lucene.argmax() == 2


def test_bm25_config_refuses_impossible_parameters() -> None:
    assert Bm25Config().is_fts5 and not Bm25Config(idf="lucene").is_fts5
    for bad in ({"k1": -1.0}, {"b": 1.5}, {"k1": math.nan}, {"idf": "okapi"}):
        with pytest.raises(ValueError, match="k1 must be at least 0, b between 0 and 1"):
            Bm25Config(**bad)


ANSERINI = Bm25Config(0.9, 0.4, "lucene")


def test_other_parameters_wait_for_the_postings(searcher: Searcher) -> None:
    """A searcher whose postings are still being built answers from them once built."""
    fresh = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index,
        replace(searcher.config, bm25=ANSERINI),
    )  # fmt: skip
    question = "hoeveel vakantiedagen krijg ik"
    found = fresh.lexical(question, 10, Filters())
    postings = fresh.lexical_memory.postings
    assert postings is not None
    phrases = Postings.tokens(query_phrases(question))
    assert list(found.items()) == postings.ranked(phrases, 10, ANSERINI)
    fts5 = searcher.with_config(replace(searcher.config, bm25=Bm25Config()))
    assert found != fts5.lexical(question, 10, Filters())


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_other_parameters_without_postings_raise_instead_of_ranking_with_fts5(
    searcher: Searcher, tmp_path: Path, mode: str
) -> None:
    config = replace(searcher.config, bm25=ANSERINI)
    off = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index, config,
        LexicalMemory.off(),
    )  # fmt: skip
    with pytest.raises(PostingsUnavailableError, match="WEGWIJS_LEXICAL_MEMORY=false"):
        off.search("vakantiedagen", mode=mode)  # type: ignore[arg-type]
    failed = LexicalMemory(tmp_path / "missing" / "catalog.sqlite")
    broken = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index, config, failed
    )
    with pytest.raises(PostingsUnavailableError, match="k1=0.9, b=0.4, idf=lucene.*failed"):
        broken.search("vakantiedagen", mode=mode)  # type: ignore[arg-type]


def test_health_names_a_failed_build_only_where_the_parameters_need_it(
    searcher: Searcher, tmp_path: Path
) -> None:
    failed = LexicalMemory(tmp_path / "missing" / "catalog.sqlite")
    assert failed.wait(timeout=30)
    broken = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index,
        replace(searcher.config, bm25=ANSERINI), failed,
    )  # fmt: skip
    assert "lexical search unavailable: building the postings" in (broken.lexical_problem() or "")
    assert broken.with_config(replace(broken.config, bm25=Bm25Config())).lexical_problem() is None
    assert searcher.lexical_memory.wait(timeout=60) and searcher.lexical_problem() is None


def _groups(query: str) -> list[list[str]]:
    return [sorted(group) for group in query_terms(query)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=texts, queries=queries)
def test_a_chunk_covers_part_of_the_query_exactly_when_it_scores_for_it(
    catalog: sqlite3.Connection, texts: list[tuple[str, str]], queries: list[str]
) -> None:
    _fill(catalog, texts)
    postings = Postings.build(catalog)
    bm25 = Bm25Config(k1=0.6, b=0.3)
    for query in queries:
        groups = _groups(query)
        phrases = Postings.tokens([phrase for group in groups for phrase in group])
        if not phrases:
            continue
        scores = postings.scores(phrases, bm25)
        words = postings.query_words(groups, bm25)
        for rowid, score in zip(postings.rowids.tolist(), scores, strict=True):
            coverage = postings.coverage(words, [rowid])
            assert coverage is not None and 0.0 <= coverage <= 1.0 + 1e-9, query
            assert (coverage > 0) == (score > 0), (query, rowid)


def test_coverage_is_the_share_of_the_querys_idf_a_chunk_holds(
    catalog: sqlite3.Connection,
) -> None:
    texts = [("invoice deadline", "en"), ("invoices", "en")] + [("holiday", "en")] * 8
    _fill(catalog, texts)
    postings = Postings.build(catalog)
    bm25 = Bm25Config(k1=0.6, b=0.3)
    both = postings.query_words(_groups("invoice deadline"), bm25)
    assert postings.coverage(both, [1]) == pytest.approx(1.0)
    invoice, deadline = bm25.idf_weight(10, 2), bm25.idf_weight(10, 1)
    assert postings.coverage(both, [2]) == pytest.approx(invoice / (invoice + deadline))
    assert postings.coverage(both, [3]) == 0.0
    assert postings.coverage(both, [99]) is None


def test_a_query_word_no_chunk_holds_counts_as_missed(catalog: sqlite3.Connection) -> None:
    _fill(catalog, [("holiday days", "en")] + [("vakantiedagen verlof", "nl")] * 9)
    postings = Postings.build(catalog)
    bm25 = Bm25Config(k1=0.6, b=0.3)
    coverage = postings.coverage(postings.query_words(_groups("paid holiday days"), bm25), [1])
    unseen = bm25.idf_weight(10, 0)
    assert coverage == pytest.approx(
        2 * bm25.idf_weight(10, 1) / (2 * bm25.idf_weight(10, 1) + unseen)
    )


def test_a_document_covers_what_its_chunks_hold_between_them(catalog: sqlite3.Connection) -> None:
    _fill(catalog, [("invoice", "en"), ("deadline", "en")] + [("holiday", "en")] * 8)
    postings = Postings.build(catalog)
    words = postings.query_words(_groups("invoice deadline"), Bm25Config(k1=0.6, b=0.3))
    assert postings.coverage(words, [1]) == pytest.approx(0.5)
    assert postings.coverage(words, [1, 2]) == pytest.approx(1.0)
    assert postings.coverage(words, [2, 99]) == pytest.approx(0.5)
    groups = [[1], [1, 2], [], [99], [3, 2]]
    rowids = np.array([rowid for group in groups for rowid in group], dtype=np.int64)
    owners = np.array([i for i, group in enumerate(groups) for _ in group], dtype=np.intp)
    shares = postings.coverages(words, rowids, owners, len(groups))
    assert shares.tolist()[:2] + shares.tolist()[4:] == [
        postings.coverage(words, group) for group in (groups[0], groups[1], groups[4])
    ]
    assert np.isnan(shares[2]) and np.isnan(shares[3])


def test_a_word_weighs_the_chunks_that_hold_any_of_its_variants(
    catalog: sqlite3.Connection,
) -> None:
    # Dutch analysis keeps 'invoice' whole, English stems it: one word, two terms.
    _fill(catalog, [("invoice", "nl"), ("invoices", "en"), ("deadline", "en")] + [("x", "en")] * 7)
    postings = Postings.build(catalog)
    bm25 = Bm25Config(k1=0.6, b=0.3)
    words = postings.query_words(_groups("invoice deadline"), bm25)
    invoice, deadline = bm25.idf_weight(10, 2), bm25.idf_weight(10, 1)
    assert [weight for weight, _ in words.words] == pytest.approx([invoice, deadline])
    assert postings.coverage(words, [1]) == pytest.approx(postings.coverage(words, [2]) or -1)


def test_without_postings_a_hybrid_search_fuses_the_lexical_arm_as_it_is(
    searcher: Searcher,
) -> None:
    """The coverages are weighed from the postings; FTS5 alone (``WEGWIJS_LEXICAL_MEMORY``
    off, FTS5's parameters) answers as if they were off."""
    config = replace(searcher.config, bm25=Bm25Config())
    assert config.lexical_coverage and config.document_coverage
    plain = replace(config, lexical_coverage=False, document_coverage=False)
    fts_only = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index,
        config, LexicalMemory.off(),
    )  # fmt: skip
    question = "How many days of paid holiday does a full-time employee get?"
    found = [hit.chunk_id for hit in fts_only.search(question, 10)]
    assert found == [hit.chunk_id for hit in fts_only.with_config(plain).search(question, 10)]
    assert found


def test_every_chunk_of_a_document_carries_the_same_document_number(searcher: Searcher) -> None:
    assert searcher.lexical_memory.wait(timeout=60)
    postings = searcher.lexical_memory.postings
    assert postings is not None
    rows = searcher.conn.execute("SELECT chunk_rowid, doc_id FROM chunks").fetchall()
    number = dict(zip(postings.rowids.tolist(), postings.documents.tolist(), strict=True))
    by_document: dict[str, set[int]] = {}
    for rowid, doc_id in rows:
        by_document.setdefault(doc_id, set()).add(number[rowid])
    assert all(len(numbers) == 1 and -1 not in numbers for numbers in by_document.values())
    assert len({next(iter(numbers)) for numbers in by_document.values()}) == len(by_document)


def test_a_word_only_unreadable_chunks_hold_weighs_as_one_no_chunk_holds(
    catalog: sqlite3.Connection,
) -> None:
    """How often a word occurs where the reader may not look must not move their scores."""
    _fill(catalog, [("invoice", "en"), ("deadline", "en"), ("deadline", "en")] + [("x", "en")] * 7)
    postings = Postings.build(catalog)
    bm25 = Bm25Config(k1=0.6, b=0.3)
    groups = _groups("invoice deadline")
    readable = postings.rowids != 2  # chunk 2 is another reader's
    hidden = postings.query_words(groups, bm25, readable)
    unseen, deadline = bm25.idf_weight(10, 0), bm25.idf_weight(10, 2)
    assert [w for w, _ in hidden.words] == pytest.approx([bm25.idf_weight(10, 1), deadline])
    only_hidden = postings.rowids == 1
    words = postings.query_words(groups, bm25, ~only_hidden)
    assert [w for w, _ in words.words] == pytest.approx([unseen, deadline])
    absent = postings.query_words(_groups("zzyzx deadline"), bm25, ~only_hidden)
    assert postings.coverage(words, [2]) == postings.coverage(absent, [2])


def test_a_query_without_words_answers_without_postings(searcher: Searcher) -> None:
    """Only the lexical arm needs the postings at the tuned BM25; a query it has no word of
    is answered by the dense arm, coverages or not."""
    assert not searcher.config.bm25.is_fts5 and searcher.config.document_coverage
    off = Searcher(
        searcher.home, searcher.encoder, searcher.manifest, searcher.index,
        searcher.config, LexicalMemory.off(),
    )  # fmt: skip
    assert off.search("?! …", 5)
