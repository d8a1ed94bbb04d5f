"""Record what OWNERS and TEAMS files say beyond owners: areas, review intervals, teams.

Written at every ingest for every document of a root (the files may have changed while the
documents did not) and read back by the governance queries.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from ingest.owners import resolve_attributes
from ingest.pipeline import RootPlan
from ingest.teams import load_teams, people_of


def default_area(rel_path: str) -> str:
    """A document's area when no OWNERS rule names one: its top-level folder.

    ``rel_path`` is a normalised relative POSIX path (as discovered); plain string work keeps
    this cheap, as every search asks it for each candidate document.
    """
    folder, separator, _ = rel_path.partition("/")
    return folder if separator else "(root)"


def record_rules(conn: sqlite3.Connection, plan: RootPlan) -> None:
    """Store area, review interval and outdated rule of every document of a root, and its teams.

    Runs inside the caller's transaction.

    Raises:
        OwnersFileError: the root's TEAMS file has a line we cannot read.
    """
    rows = conn.execute(
        "SELECT doc_id, rel_path FROM documents WHERE root_label = ?", (plan.root.label,)
    ).fetchall()
    values = []
    for row in rows:
        attributes = resolve_attributes(row["rel_path"], plan.rules)
        area = attributes.area or default_area(row["rel_path"])
        values.append((row["doc_id"], area, attributes.review_days, attributes.outdated))
    conn.executemany(
        "INSERT INTO document_rules (doc_id, area, review_days, outdated) VALUES (?,?,?,?) "
        "ON CONFLICT (doc_id) DO UPDATE SET area = excluded.area, "
        "review_days = excluded.review_days, outdated = excluded.outdated",
        values,
    )
    conn.execute("DELETE FROM teams WHERE root_label = ?", (plan.root.label,))
    conn.executemany(
        "INSERT INTO teams (root_label, team, position, member) VALUES (?,?,?,?)",
        [
            (plan.root.label, team, position, member)
            for team, members in load_teams(plan.root.path).items()
            for position, member in enumerate(members)
        ],
    )


def read_teams(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """Every team of every root with its members (a team in several roots: all members)."""
    members: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute("SELECT team, member FROM teams ORDER BY root_label, team, position"):
        if row[1] not in members[row[0]]:
            members[row[0]].append(row[1])
    return {team: tuple(names) for team, names in members.items()}


def expand_people(owners: Iterable[str], teams: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The distinct people behind owners, teams replaced by their members, in order."""
    seen: dict[str, None] = {}
    for owner in owners:
        for person in people_of(owner, teams):
            seen.setdefault(person, None)
    return tuple(seen)
