"""TEAMS files: which people make up a team named as an owner in OWNERS files.

A ``TEAMS`` file lies at the root of a share, next to its root ``OWNERS`` file. Format (one team
per line, ``#`` starts a comment)::

    # TEAM:            MEMBER[, MEMBER...]
    Team HR:           Marieke Jansen, Daan Verbeek, Fatima El Amrani
    BHV-organisatie:   Henk Mulder, Ingrid Bos

An owner that is not a team in this file is a person. A team may list another team; members
are expanded once, not recursively.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ingest.errors import OwnersFileError

TEAMS_FILE = "TEAMS"


def parse_teams(text: str, source: str) -> dict[str, tuple[str, ...]]:
    """Parse the text of one TEAMS file; ``source`` names it in error messages.

    Raises:
        OwnersFileError: a line has no ``:`` or names no member.
    """
    teams: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        team, colon, rest = line.partition(":")
        members = tuple(name.strip() for name in rest.split(",") if name.strip())
        if not colon or not team.strip() or not members:
            raise OwnersFileError(
                f"{source}:{number}: '{raw.strip()}' is not a team; write 'TEAM: MEMBER[, MEMBER]'"
            )
        teams[team.strip()] = members
    return teams


def load_teams(root: Path) -> dict[str, tuple[str, ...]]:
    """Read the TEAMS file at the top of a share (no file: no teams)."""
    path = root / TEAMS_FILE
    if not path.is_file():
        return {}
    return parse_teams(path.read_text(encoding="utf-8", errors="replace"), str(path))


def people_of(owner: str, teams: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The people behind an owner: a team's members, or the owner itself."""
    return teams.get(owner, (owner,))
