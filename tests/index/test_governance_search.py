"""The search hook: review states on hits, demotion, hidden copies, and the query log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.build import RunSummary
from index.catalog import catalog_path
from index.encoder import SentenceTransformerEncoder
from index.governance.config import GovernanceConfig
from index.governance.ranking import demote
from index.governance.review_state import ReviewPolicy
from index.search import MIN_HEADROOM, SearchConfig, Searcher
from service.settings import Settings
from tests.governance_support import copy_home

UNANSWERABLE = "What is the pension age at our organisation?"


def _searcher(home: Path, encoder: SentenceTransformerEncoder, **governance: object) -> Searcher:
    config = SearchConfig(governance=GovernanceConfig(**governance))  # type: ignore[arg-type]
    return Searcher.open(home, encoder, encoder.profile.name, config)


@pytest.fixture
def home(sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path) -> Path:
    return copy_home(sample_settings.home, tmp_path / "home")


def test_superseded_and_expired_hits_show_only_on_request(
    searcher: Searcher,
) -> None:
    query = "vergoeding per kilometer woon-werkverkeer eigen auto"
    shown = searcher.search(query, top_k=20)
    assert shown and all(h.superseded_by is None and h.review_state != "expired" for h in shown)
    assert "hr/reiskostenbeleid.docx" in [hit.doc_path for hit in shown]
    everything = searcher.search(query, top_k=20, include_outdated=True)
    copy = next(h for h in everything if h.doc_path == "hr/reiskostenbeleid_v2_definitief(2).docx")
    assert copy.superseded_by == "sample-share/hr/reiskostenbeleid.docx"
    assert copy.review_state == "expired"


def test_overdue_hits_are_demoted_by_the_configured_factor(
    sample_ingest: RunSummary, sample_settings: Settings, encoder: SentenceTransformerEncoder
) -> None:
    query = "kan IT een weggegooid bestand terughalen uit de back-up"
    plain = _searcher(sample_settings.home, encoder, demotion=1.0).search(query, top_k=5)
    demoted = _searcher(sample_settings.home, encoder, demotion=0.5).search(query, top_k=50)
    before = next(h for h in plain if h.doc_path == "it/backupbeleid.odt")
    after = next(h for h in demoted if h.chunk_id == before.chunk_id)
    assert before.review_state == after.review_state == "overdue"
    assert after.score == pytest.approx(before.score * 0.5, abs=1e-5)
    assert [h.score for h in demoted] == sorted((h.score for h in demoted), reverse=True)


def test_logged_searches_record_use_and_gaps(
    home: Path, encoder: SentenceTransformerEncoder
) -> None:
    searcher = _searcher(home, encoder, log_queries=True)
    answered = searcher.search("hoe lang moet mijn wachtwoord zijn", top_k=5)
    searcher.search(UNANSWERABLE, top_k=5)
    searcher.search(f"  {UNANSWERABLE} ", top_k=5)
    searcher.query_log.flush()
    with sqlite3.connect(catalog_path(home)) as conn:
        logged = conn.execute(
            "SELECT query, confidence FROM query_log ORDER BY query_id"
        ).fetchall()
        uses = conn.execute("SELECT doc_id, kind FROM uses").fetchall()
        gaps = conn.execute("SELECT query, source, times FROM gaps").fetchall()
    assert len(logged) == 3 and logged[0][1] >= GovernanceConfig().gap_threshold
    assert uses[0] == (answered[0].doc_id, "top_hit")
    assert gaps == [(UNANSWERABLE, "search", 2)]


def test_library_searches_are_not_logged(home: Path, encoder: SentenceTransformerEncoder) -> None:
    searcher = Searcher.open(home, encoder, encoder.profile.name)
    searcher.search(UNANSWERABLE)
    searcher.query_log.flush()
    with sqlite3.connect(catalog_path(home)) as conn:
        assert conn.execute("SELECT count(*) FROM query_log").fetchone() == (0,)


@pytest.mark.parametrize(("score", "demoted"), [(2.0, 1.6), (0.0, 0.0), (-1.0, -1.25)])
def test_demotion_lowers_positive_and_negative_scores(score: float, demoted: float) -> None:
    assert demote(score, 0.8) == pytest.approx(demoted)


def test_hidden_hits_are_replaced_from_further_down_the_ranking(
    sample_ingest: RunSummary, sample_settings: Settings, encoder: SentenceTransformerEncoder
) -> None:
    """A one-day review interval expires every owned document: most candidates are hidden, so
    the governed window widens until enough visible hits are found, the ones a search that
    governs every candidate returns first."""
    searcher = _searcher(sample_settings.home, encoder, policy=ReviewPolicy(default_days=1))
    query = "hoe vraag ik verlof aan"
    candidates = searcher.search(query, top_k=5 + MIN_HEADROOM, include_outdated=True)
    hidden = [hit for hit in candidates if hit.review_state == "expired"]
    assert len(hidden) > MIN_HEADROOM  # the first window holds fewer than 5 visible hits
    found = searcher.search(query, top_k=5)
    assert len(found) == 5 and all(hit.review_state != "expired" for hit in found)
    assert found == searcher.search(query, top_k=150)[:5]  # same candidates, all governed
