"""ACCESS files: who may read documents where the file system does not tell the truth.

A share mounted as one user shows every file as that user's; an ``ACCESS`` file in a folder
says who may really read the documents below it. One rule per line, ``#`` starts a comment::

    # PATTERN       WHO
    *               read: group:staff
    hr/             read: group:hr user:alice   deny: user:bob
    *.pdf           public
    geheim/         private

The pattern is matched like ``.gitignore`` relative to the folder holding the ACCESS file (as
in OWNERS files). ``read:`` and ``deny:`` are followed by ``user:NAME``, ``group:NAME`` or
``public`` (everyone, signed in or not); quote names with spaces (``group:"Team HR"``). The
keyword ``public`` alone means ``read: public``; ``private`` means nobody may read.

The strongest matching rule wins: the last matching line of the nearest ACCESS file up the
tree. Its ``read:`` list replaces what the file system says. A rule with only ``deny:`` keeps
the readers of the next rule (or the file system) and adds its denials. Deny beats allow.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from ingest.errors import AccessFileError
from ingest.models import Effect, Reader

ACCESS_FILE = "ACCESS"


@dataclass(frozen=True)
class AccessRule:
    """One line of an ACCESS file; ``allows`` is None when the rule only denies."""

    pattern: str
    allows: tuple[Reader, ...] | None
    denies: tuple[Reader, ...]
    spec: pathspec.PathSpec[Any]


def parse_principal(token: str, effect: Effect, where: str) -> Reader:
    """``user:NAME``, ``group:NAME`` or ``public`` as a reader entry.

    Raises:
        AccessFileError: the token is none of these.
    """
    if token == "public":
        return Reader(effect, "public")
    kind, _, name = token.partition(":")
    if kind in ("user", "group") and name.strip():
        return Reader(effect, "user" if kind == "user" else "group", name.strip())
    raise AccessFileError(
        f"{where}: '{token}' is not a reader; write user:NAME, group:NAME or public"
    )


def parse_rule(line: str, where: str) -> AccessRule:
    """Parse one non-empty line of an ACCESS file.

    Raises:
        AccessFileError: the line does not follow ``PATTERN [public|private] [read: …] [deny: …]``.
    """
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise AccessFileError(f"{where}: {exc}") from exc
    pattern, words = tokens[0], tokens[1:]
    entries: dict[Effect, list[Reader]] = {"allow": [], "deny": []}
    sets_readers = False
    section: Effect | None = None
    for word in words:
        if word in ("read:", "deny:"):
            section = "allow" if word == "read:" else "deny"
            sets_readers = sets_readers or section == "allow"
        elif section is None and word in ("public", "private"):
            sets_readers = True
            entries["allow"] += [Reader("allow", "public")] if word == "public" else []
        elif section is None:
            raise AccessFileError(f"{where}: '{word}' must follow read: or deny:")
        else:
            entries[section].append(parse_principal(word, section, where))
    if not sets_readers and not entries["deny"]:
        raise AccessFileError(
            f"{where}: '{line.strip()}' says nothing; write e.g. '{pattern} read: group:staff'"
        )
    allows = tuple(entries["allow"]) if sets_readers else None
    spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
    return AccessRule(pattern, allows, tuple(entries["deny"]), spec)


def parse_access(text: str, source: str) -> tuple[AccessRule, ...]:
    """Parse the text of one ACCESS file; ``source`` names it in error messages."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            rules.append(parse_rule(line, f"{source}:{number}"))
    return tuple(rules)


def load_access_rules(access_files: Mapping[str, Path]) -> dict[str, tuple[AccessRule, ...]]:
    """Read and parse every ACCESS file of a root, keyed by its folder."""
    return {
        folder: parse_access(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for folder, path in access_files.items()
    }


def resolve_readers(
    rel_path: str,
    rules_by_dir: Mapping[str, tuple[AccessRule, ...]],
    from_file_system: tuple[Reader, ...],
) -> tuple[Reader, ...]:
    """Readers of ``rel_path``: the strongest rule's ``read:`` list (else the file system's)
    plus the denials of that rule and of every stronger deny-only rule."""
    denies: set[Reader] = set()
    allows: tuple[Reader, ...] | None = None
    for rule in _matching(rel_path, rules_by_dir):
        denies.update(rule.denies)
        if rule.allows is not None:
            allows = rule.allows
            break
    if allows is None:
        return tuple(sorted(set(from_file_system) | denies))
    return tuple(sorted(set(allows) | denies))


def _matching(
    rel_path: str, rules_by_dir: Mapping[str, tuple[AccessRule, ...]]
) -> Iterator[AccessRule]:
    """Rules matching ``rel_path``, strongest first: nearest folder, then last line."""
    path = PurePosixPath(rel_path)
    for folder in path.parents:
        rules = rules_by_dir.get("" if str(folder) == "." else str(folder))
        if rules:
            below = path.relative_to(folder).as_posix()
            yield from (rule for rule in reversed(rules) if rule.spec.match_file(below))
