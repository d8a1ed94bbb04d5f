"""The gap ledger: an unanswerable question is recorded, grouped, routed, and closes itself
once a document that answers it is added and ingested."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from index.build import ingest
from index.catalog import catalog_path
from index.encoder import SentenceTransformerEncoder
from index.governance.gaps import group_gaps
from index.governance.ledger import read_gaps
from index.governance.query_log import note_feedback
from index.search import Searcher
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.commands import run_ingest
from service.engine import model_info, search_config
from tests.conftest import make_settings

FILES = ("OWNERS", "TEAMS", "hr/OWNERS", "hr/verlofregeling.docx", "hr/thuiswerkbeleid.docx")
PLANTED = "What is the pension age at our organisation?"
DISLIKED = "What is the retirement age?"
ANSWER = """# Pensioen bij Stichting Wegwijs

Je gaat met pensioen op je AOW-leeftijd; voor de meeste medewerkers is dat 67 jaar. Je bouwt
pensioen op bij Pensioenfonds Zorg en Welzijn (PFZW). Wil je eerder met pensioen, bijvoorbeeld
op 65 jaar, dan kan dat met een lagere uitkering. Vraag een pensioenberekening aan via
mijnpfzw.nl of bij Team HR.
"""


def test_a_planted_question_is_a_gap_until_a_document_answers_it(
    sample_share: Path, tmp_path: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = tmp_path / "share"
    for rel in FILES:
        (share / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample_share / rel, share / rel)
    settings = make_settings(tmp_path / "home", parse_workers=1)
    config = IngestConfig(workers=WorkerConfig(workers=1))
    ingest(settings.home, [share], config, encoder, model_info(encoder))
    searcher = Searcher.open(settings.home, encoder, encoder.profile.name, search_config(settings))

    searcher.search("hoeveel vakantiedagen krijg ik per jaar", top_k=5)
    searcher.search(PLANTED, top_k=5)
    searcher.search(f" {PLANTED} ", top_k=5)
    note_feedback(settings.home, DISLIKED, "down")  # a thumbs-down is a gap too
    gaps = read_gaps(searcher.conn)
    assert [(gap.query, gap.source, gap.times) for gap in gaps] == [
        (PLANTED, "search", 2), (DISLIKED, "feedback", 1),
    ]  # fmt: skip
    (group,) = group_gaps(searcher, gaps)
    assert [gap.query for gap in group.queries] == [PLANTED, DISLIKED] and group.times == 3
    assert group.routed_to and group.area == "HR"

    (share / "hr" / "pensioen.md").write_text(ANSWER, encoding="utf-8")
    run_ingest(settings, [share], (), (), progress=False)
    assert read_gaps(searcher.conn) == []
    with sqlite3.connect(catalog_path(settings.home)) as conn:
        closed = conn.execute("SELECT query, answer_doc_id FROM gaps ORDER BY gap_id").fetchall()
    assert closed == [(question, "share/hr/pensioen.md") for question in (PLANTED, DISLIKED)]
