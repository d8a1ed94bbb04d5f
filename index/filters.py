"""Search filters, turned into one SQL condition over ``documents d`` used by both arms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from index.readers import Principal, reader_sql


@dataclass(frozen=True)
class Filters:
    """Restrict hits by where a document lives, who owns it, its type, language and age,
    and to documents that ``reader`` may read (None: no restriction)."""

    root: str | None = None
    folder: str | None = None
    owner: str | None = None
    file_type: str | None = None
    language: str | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    reader: Principal | None = None

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()


def filter_sql(filters: Filters) -> tuple[str, list[object]]:
    """SQL condition (``1`` when empty) and parameters for a query joined to ``documents d``."""
    clauses: list[str] = []
    params: list[object] = []
    if filters.root:
        clauses.append("d.root_label = ?")
        params.append(filters.root)
    if filters.folder:
        folder = filters.folder.strip("/")
        clauses.append("(d.rel_path = ? OR substr(d.rel_path, 1, ?) = ?)")
        params += [folder, len(folder) + 1, f"{folder}/"]
    if filters.owner:
        clauses.append("d.doc_id IN (SELECT doc_id FROM owners WHERE name = ? COLLATE NOCASE)")
        params.append(filters.owner)
    if filters.file_type:
        clauses.append("d.file_type = ?")
        params.append(filters.file_type.lower().lstrip("."))
    if filters.language:
        clauses.append("d.language = ?")
        params.append(filters.language.lower())
    if filters.modified_after:
        clauses.append("d.modified_at >= ?")
        params.append(_utc(filters.modified_after))
    if filters.modified_before:
        clauses.append("d.modified_at < ?")
        params.append(_utc(filters.modified_before))
    if filters.reader is not None:
        condition, reader_params = reader_sql(filters.reader)
        clauses.append(condition)
        params += reader_params
    return (" AND ".join(clauses) or "1"), params


def _utc(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()
