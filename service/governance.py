"""Governance for the CLI, API and pages: open the catalog, call the library, shape the JSON.

The pages render the same dicts the API returns, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.catalog import catalog_path, connect, migrate_catalog, transaction
from index.errors import IndexNotFoundError
from index.governance.audit import Audit, build_audit
from index.governance.experts import Expert, find_experts
from index.governance.gaps import GapGroup, group_gaps, take_feedback
from index.governance.ledger import read_gaps
from index.governance.marks import Action, record_mark
from index.governance.query_log import flush_query_logs
from index.governance.review_state import ReviewPolicy
from index.readers import Principal, can_read, readable_documents
from index.search import Searcher
from service.render import age
from service.rights import NotAllowedError, audit_owner, owner_names


def _catalog(home: Path) -> Path:
    """The catalog of ``home``, migrated first if it is older (it is then read read-only)."""
    path = catalog_path(home)
    if not path.exists():
        raise IndexNotFoundError(
            f"No catalog in {home}: run 'wegwijs --home {home} ingest ROOT' first."
        )
    migrate_catalog(home)
    return path


@dataclass(frozen=True)
class Mark:
    """A review or outdated mark as asked for; ``by`` is only trusted from anonymous callers
    (``service.rights.reviewer_name``)."""

    action: Action
    by: str | None
    note: str


def mark_document(home: Path, reference: str, action: Action, by: str, note: str) -> dict[str, Any]:
    """Record a review or an outdated mark; the stored mark as JSON."""
    conn = connect(_catalog(home))
    try:
        with transaction(conn):
            mark = record_mark(conn, reference, action, by, note)
    finally:
        conn.close()
    return asdict(mark)


def load_audit(
    home: Path,
    owner: str | None = None,
    policy: ReviewPolicy | None = None,
    reader: Principal | None = None,
) -> Audit:
    """The audit of a home's catalog now (only ``owner``'s part when given), built only from
    the documents ``reader`` may read (all when None), with this process's searches so far."""
    flush_query_logs()
    conn = connect(_catalog(home), readonly=True)
    try:
        readable = None if reader is None else readable_documents(conn, reader)
        return build_audit(conn, datetime.now(UTC), policy or ReviewPolicy(), owner, readable)
    finally:
        conn.close()


def load_audit_for(
    home: Path, principal: Principal, owner: str | None
) -> tuple[str | None, dict[str, Any]]:
    """Whose audit ``principal`` gets for ``owner``, and its JSON: all of it (or ``owner``'s
    part) for administrators, otherwise only their own part and no bus-factor map.

    Raises:
        NotAllowedError: see ``service.rights.audit_owner``.
    """
    conn = connect(_catalog(home), readonly=True)
    try:
        shown = audit_owner(conn, principal, owner)
    finally:
        conn.close()
    data = audit_json(load_audit(home, shown, reader=principal))
    if not principal.admin:
        data["bus_factor"] = []
    return shown, data


def audit_json(audit: Audit) -> dict[str, Any]:
    """The JSON shape of an audit (``/api/audit``, ``wegwijs audit``, the audit page)."""
    data = asdict(audit)
    for queue in data["queues"]:
        for item in queue["items"]:
            item["age"] = age(item["last_edited"])
    for item in data["orphans"]:
        item["age"] = age(item["last_edited"])
    data["bus_factor"] = [
        asdict(entry) | {"single_person": entry.single_person} for entry in audit.bus_factor
    ]
    return data


def experts_json(query: str, experts: list[Expert]) -> dict[str, Any]:
    """The JSON shape of an experts answer (``/api/experts``, ``wegwijs experts --json``)."""
    return {"query": query, "experts": [asdict(expert) for expert in experts]}


def load_experts(searcher: Searcher, query: str, top_k: int) -> dict[str, Any]:
    """The people behind the best passages for ``query``, as JSON (counting the uses of this
    process's searches so far)."""
    flush_query_logs()
    return experts_json(query, find_experts(searcher, query, top_k))


def load_gaps(
    searcher: Searcher, include_closed: bool = False, principal: Principal | None = None
) -> dict[str, Any]:
    """Open gaps grouped and routed, and (when asked) the questions answered since.

    The questions are what other people searched for: a ``principal`` who is not an
    administrator gets only the groups routed to them and no answered ones (None: all, for
    the CLI).

    Raises:
        NotAllowedError: ``principal`` is anonymous and not an administrator.
    """
    if principal is not None and not principal.admin:
        if principal.user is None:
            raise NotAllowedError("The knowledge gaps are for signed-in owners and administrators.")
        include_closed = False
    flush_query_logs()  # the gaps of this process's searches so far
    take_feedback(searcher)
    groups = group_gaps(searcher, read_gaps(searcher.conn))
    if principal is not None and not principal.admin:
        mine = owner_names(searcher.conn, principal)
        groups = [group for group in groups if group.routed_to in mine]
    closed = [
        asdict(gap)
        if _may_see(searcher, gap.answer_doc_id)
        else asdict(gap) | {"answer_doc_id": None}
        for gap in read_gaps(searcher.conn, include_closed=True)
        if gap.closed_at
    ]
    return {
        "groups": [_group_json(group) for group in groups],
        "closed": closed if include_closed else [],
    }


def _may_see(searcher: Searcher, doc_id: str | None) -> bool:
    return (
        doc_id is None
        or searcher.reader is None
        or can_read(searcher.conn, doc_id, searcher.reader)
    )


def _group_json(group: GapGroup) -> dict[str, Any]:
    return {
        "question": group.queries[0].query,
        "times": group.times,
        "routed_to": group.routed_to,
        "area": group.area,
        "nearest_doc_id": group.nearest_doc_id,
        "queries": [asdict(gap) for gap in group.queries],
    }
