"""OWNERS files: gitignore-style patterns that name the owners of documents below them.

Format (one rule per line, ``#`` starts a comment)::

    # PATTERN        OWNER[, OWNER...]
    *                Team HR
    verlof/*.docx    Anna de Vries, Piet Jansen

The pattern is the first whitespace-separated token, matched like ``.gitignore`` relative to
the folder holding the OWNERS file; the rest of the line is a comma-separated owner list. In
one file the last matching rule wins; the nearest OWNERS file up the tree with a matching
rule wins over files further up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from ingest.errors import OwnersFileError
from ingest.models import Owner

OWNERS_FILE = "OWNERS"


@dataclass(frozen=True)
class OwnersRule:
    """One line of an OWNERS file."""

    pattern: str
    owners: tuple[str, ...]
    spec: pathspec.PathSpec[Any]


def parse_owners(text: str, source: str) -> tuple[OwnersRule, ...]:
    """Parse the text of one OWNERS file; ``source`` names it in error messages."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, _, rest = line.partition(" ")
        if "\t" in pattern:
            pattern, _, more = pattern.partition("\t")
            rest = f"{more} {rest}"
        owners = tuple(name.strip() for name in rest.split(",") if name.strip())
        if not owners:
            raise OwnersFileError(
                f"{source}:{number}: '{raw.strip()}' names no owner; write 'PATTERN OWNER[, OWNER]'"
            )
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        rules.append(OwnersRule(pattern, owners, spec))
    return tuple(rules)


def resolve_owners(
    rel_path: str, rules_by_dir: Mapping[str, tuple[OwnersRule, ...]]
) -> tuple[str, ...]:
    """Return the owners for a file at ``rel_path`` (POSIX, relative to its root).

    ``rules_by_dir`` maps a folder (``""`` for the root) to the rules of its OWNERS file.
    """
    path = PurePosixPath(rel_path)
    folders = [*reversed(path.parents)]
    for folder in reversed(folders):
        key = "" if str(folder) == "." else str(folder)
        rules = rules_by_dir.get(key)
        if not rules:
            continue
        below = path.relative_to(folder).as_posix()
        for rule in reversed(rules):
            if rule.spec.match_file(below):
                return rule.owners
    return ()


def load_rules(owners_files: Mapping[str, Path]) -> dict[str, tuple[OwnersRule, ...]]:
    """Read and parse every OWNERS file of a root, keyed by its folder."""
    return {
        folder: parse_owners(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for folder, path in owners_files.items()
    }


def owners_for(
    rel_path: str,
    rules_by_dir: Mapping[str, tuple[OwnersRule, ...]],
    authors: Sequence[str],
    fs_user: str,
) -> tuple[Owner, ...]:
    """Owners in order of trust: OWNERS file, else document properties, else the file's owner."""
    named = resolve_owners(rel_path, rules_by_dir)
    if named:
        return tuple(Owner(name, "owners_file") for name in named)
    if authors:
        return tuple(Owner(name, "document_property") for name in authors)
    return (Owner(fs_user, "file_system"),)
