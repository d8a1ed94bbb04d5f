"""Chunks are embedded under their document title and heading; old catalogs are re-embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.build import ingest
from index.catalog import catalog_path, connect, get_meta, transaction
from index.embedding_input import EMBEDDING_INPUT, embedding_text
from index.encoder import SentenceTransformerEncoder
from index.rebuild import reindex
from ingest.chunk import ChunkingConfig
from ingest.pipeline import IngestConfig
from service.engine import model_info

TITLE = "Reiskostenvergoeding voor medewerkers die met het openbaar vervoer reizen"
BODY = (
    "Wie met de trein of de bus naar kantoor komt, krijgt de kosten van een tweedeklas "
    "abonnement volledig terug. Dien de rekening in via het declaratieportaal."
)


def test_title_and_heading_come_first_and_are_never_repeated() -> None:
    assert embedding_text("Plan", "Doelen", "Wij willen groeien.") == (
        "Plan\nDoelen\n\nWij willen groeien."
    )
    assert embedding_text("Plan", "Plan", "Wij willen groeien.") == "Plan\n\nWij willen groeien."
    assert embedding_text("Plan", None, "Plan\nWij willen groeien.") == "Plan\nWij willen groeien."
    assert embedding_text(" ", "", "Alleen tekst.") == "Alleen tekst."


def _ingest(home: Path, share: Path, encoder: SentenceTransformerEncoder) -> None:
    ingest(home, [share], IngestConfig(), encoder, model_info(encoder))


def test_every_chunk_is_embedded_under_its_document_title(
    tmp_path: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    body = "\n\n".join(f"{BODY} (regel {n})" for n in range(8))
    (share / "reizen.md").write_text(f"# {TITLE}\n\n{body}\n", encoding="utf-8")
    home = tmp_path / "home"
    _ingest(home, share, encoder)
    conn = connect(catalog_path(home), readonly=True)
    title = conn.execute("SELECT title FROM documents").fetchone()[0]
    rows = conn.execute("SELECT text, section, embedding FROM chunks").fetchall()
    assert title == TITLE
    assert any(not text.startswith(TITLE) for text, _, _ in rows)
    for text, section, blob in rows:
        expected = encoder.encode_passages([embedding_text(title, section, text)])[0]
        assert float(np.frombuffer(blob, dtype=np.float32) @ expected) > 0.9999


def _age(home: Path) -> None:
    """Make a catalog look like one from before embedding inputs had their title."""
    conn = connect(catalog_path(home))
    with transaction(conn):
        conn.execute("DELETE FROM meta WHERE key = 'embedding_input'")
        conn.execute(
            "UPDATE chunks SET embedding = zeroblob(length(embedding)), text_sha256 = 'older input'"
        )
    conn.close()


def _stored_vector_norms(home: Path) -> list[float]:
    conn = connect(catalog_path(home), readonly=True)
    blobs = [row[0] for row in conn.execute("SELECT embedding FROM chunks")]
    assert get_meta(conn, "embedding_input") == EMBEDDING_INPUT
    conn.close()
    return [float(np.linalg.norm(np.frombuffer(blob, np.float32))) for blob in blobs]


@pytest.mark.parametrize("upgrade", ["ingest", "reindex"])
def test_a_catalog_from_before_is_re_embedded_by_the_next_ingest_or_reindex(
    tmp_path: Path, encoder: SentenceTransformerEncoder, upgrade: str
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (share / "reizen.txt").write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    home = tmp_path / "home"
    _ingest(home, share, encoder)
    _age(home)
    if upgrade == "ingest":
        _ingest(home, share, encoder)
    else:
        reindex(home, encoder, model_info(encoder), ChunkingConfig())
    norms = _stored_vector_norms(home)
    assert norms and all(abs(norm - 1.0) < 1e-4 for norm in norms)
