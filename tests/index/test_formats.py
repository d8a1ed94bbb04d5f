"""Every supported format of the sample share yields text, owners and dates in the catalog."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.build import RunSummary
from index.catalog import catalog_path, connect
from service.settings import Settings

FORMATS = ["pdf", "docx", "pptx", "xlsx", "html", "md", "txt", "eml", "odt", "rtf", "epub", "csv"]


@pytest.mark.parametrize("file_type", FORMATS)
def test_each_format_yields_text_owners_and_dates(
    file_type: str, sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    conn = connect(catalog_path(sample_settings.home), readonly=True)
    docs = conn.execute(
        "SELECT d.doc_id, d.title, d.modified_at, d.language, "
        "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id) AS chunks, "
        "(SELECT group_concat(name) FROM owners o WHERE o.doc_id = d.doc_id) AS owners "
        "FROM documents d WHERE d.file_type = ?",
        (file_type,),
    ).fetchall()
    assert len(docs) >= 2, f"expected at least two {file_type} documents"
    for doc in docs:
        assert doc["chunks"] > 0, doc["doc_id"]
        assert doc["owners"], doc["doc_id"]
        assert doc["title"].strip(), doc["doc_id"]
        assert doc["language"] in {"nl", "en"}, doc["doc_id"]
        assert datetime.fromisoformat(doc["modified_at"]) < datetime.now(UTC)


def test_the_whole_share_is_indexed_without_errors(sample_ingest: RunSummary) -> None:
    assert sample_ingest.skipped == 0
    assert sample_ingest.added == sample_ingest.files >= 45


def test_owner_sources_follow_owners_files_then_properties(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    conn = connect(catalog_path(sample_settings.home), readonly=True)
    sources = dict(
        conn.execute(
            "SELECT d.rel_path, o.source FROM owners o JOIN documents d ON d.doc_id = o.doc_id "
            "WHERE o.position = 0"
        ).fetchall()
    )
    assert sources["hr/verlofregeling.docx"] == "owners_file"
    assert sources["projecten/archief/evaluatie_pilot_wijkloket.docx"] == "document_property"
    assert sources["projecten/archief/kick-off_notities_wijkloket.txt"] == "file_system"


def test_email_date_header_is_its_modified_date(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    conn = connect(catalog_path(sample_settings.home), readonly=True)
    rows = conn.execute("SELECT modified_at, mtime_ns FROM documents WHERE file_type = 'eml'")
    for modified_at, mtime_ns in rows:
        header = datetime.fromisoformat(modified_at).timestamp()
        assert abs(header - mtime_ns / 1e9) < 3 * 86400
