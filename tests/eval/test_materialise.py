"""A BEIR corpus as files, ingested once into a cached home, then evaluated end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.cli import EvalOptions, make_experiment
from eval.configs import Build
from eval.errors import DatasetError
from eval.experiment import run_experiment
from eval.materialise import document_map, file_name, home_key, prepare_corpus
from index.catalog import catalog_path, connect, set_meta, transaction
from ingest.chunk import ChunkingConfig
from ingest.discover import is_skipped
from ingest.parse import PARSER_VERSION
from service.settings import Settings
from tests.conftest import make_settings
from tests.eval.test_dataset import make_beir


@pytest.mark.parametrize("doc_id", ["MED-10", "xq00-01", "d/3 x", ".hidden", "~$lock", "a" * 300])
def test_file_names_are_safe_unique_and_crawlable(doc_id: str) -> None:
    name = file_name(doc_id)
    assert name.endswith(".txt") and "/" not in name and len(name) < 120
    assert not is_skipped(name)
    assert name != file_name(doc_id + "_")


def test_text_corpus_is_written_once_with_title_first(tmp_path: Path) -> None:
    dataset = make_beir(tmp_path / "tiny")
    corpus = prepare_corpus(dataset, tmp_path / "cache")
    assert corpus.name == "tiny" and sorted(corpus.doc_ids.values()) == ["d/3 x", "d1", "d2"]
    first = (corpus.root / file_name("d1")).read_text(encoding="utf-8")
    assert first.splitlines()[:3] == ["Holidays", "", "Full-time staff get 25 days of leave."]
    assert prepare_corpus(dataset, tmp_path / "cache") == corpus
    build = Build("minilm-en")
    assert home_key(corpus, build) != home_key(corpus, Build("multilingual-e5-small"))
    chunked = Build("minilm-en", ChunkingConfig(max_characters=800))
    assert home_key(corpus, build) != home_key(corpus, chunked)


def test_documents_shipped_as_files_are_mapped_by_the_map_tsv(tmp_path: Path) -> None:
    dataset = make_beir(tmp_path / "pdfs")
    (dataset / "docs").mkdir()
    (dataset / "docs" / "2022 Q3 AAPL.pdf").write_bytes(b"%PDF-1.4 fake")
    (dataset / "docs_map.tsv").write_text(
        "corpus-id\tfile\tpages\n2022_Q3_AAPL\tdocs/2022 Q3 AAPL.pdf\t28\n", encoding="utf-8"
    )
    assert document_map(dataset) == {"2022 Q3 AAPL.pdf": "2022_Q3_AAPL"}
    corpus = prepare_corpus(dataset, tmp_path / "cache")
    assert corpus.root == dataset / "docs" and not (tmp_path / "cache").exists()
    (dataset / "docs_map.tsv").unlink()
    with pytest.raises(DatasetError, match="no \\*map.tsv"):
        document_map(dataset)


@pytest.mark.slow
@pytest.mark.model
def test_beir_folder_is_ingested_once_then_reused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", threads=1)
    options = EvalOptions(
        source=make_beir(tmp_path / "tiny"),
        split="test",
        configs=("bm25", "dense", "hybrid:max_characters=600"),
        home=None,
        cache_dir=tmp_path / "cache",
        stat_test="student",
        rebuild=False,
        progress=False,
    )
    cold = run_experiment(make_experiment(settings, options))
    assert [home.cached for home in cold.homes] == [False, False]
    for run in cold.runs:
        assert next(iter(run.run["q2"])) == "d/3 x", run.name  # ids map back from file names
        assert cold.summary[run.name]["ndcg@10"].mean > 0.9, run.name
    warm = run_experiment(make_experiment(settings, options))
    assert [home.cached for home in warm.homes] == [True, True]
    assert warm.scores == cold.scores
    marker = json.loads((warm.homes[1].home / "eval-home.json").read_text(encoding="utf-8"))
    assert marker["chunking"]["max_characters"] == 600
    _reuse_after_a_parser_upgrade_records_the_new_chunk_count(warm.homes[0].home, settings, options)


def _reuse_after_a_parser_upgrade_records_the_new_chunk_count(
    home: Path, settings: Settings, options: EvalOptions
) -> None:
    marker_path = home / "eval-home.json"
    marker = json.loads(marker_path.read_text(encoding="utf-8"))
    chunks = marker["chunks"]
    marker_path.write_text(json.dumps(marker | {"chunks": chunks + 7}), encoding="utf-8")
    conn = connect(catalog_path(home))
    with transaction(conn):  # as a home parsed by the previous parser looks
        for (key,) in conn.execute("SELECT key FROM meta WHERE key LIKE 'parser:%'").fetchall():
            set_meta(conn, key, str(PARSER_VERSION - 1))
    conn.close()
    upgraded = run_experiment(make_experiment(settings, options))
    assert upgraded.homes[0].cached and upgraded.homes[0].chunks == chunks
    assert json.loads(marker_path.read_text(encoding="utf-8"))["chunks"] == chunks
