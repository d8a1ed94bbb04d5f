"""OWNERS files: gitignore-style patterns that name the owners of documents below them.

Format (one rule per line, ``#`` starts a comment)::

    # PATTERN        OWNER[, OWNER...]                 [ATTRIBUTES]
    *                Team HR                           [review=1y area="HR"]
    verlof/*.docx    Anna de Vries, Piet Jansen        [review=6m]
    oud/             Anna de Vries                     [outdated="archive, do not use"]

The pattern is the first whitespace-separated token, matched like ``.gitignore`` relative to
the folder holding the OWNERS file; the rest of the line is a comma-separated owner list. In
one file the last matching rule wins; the nearest OWNERS file up the tree with a matching
rule wins over files further up. Owners are people or teams (see ``ingest.teams``).

A rule may end with attributes in square brackets, ``key=value`` pairs separated by spaces
(quote values with spaces); all are optional and lines without them stay valid:

- ``review``: how often the documents must be reviewed: ``90d``, ``6w``, ``6m``, ``2y``.
- ``area``: the knowledge area the documents belong to (default: their top-level folder).
- ``outdated``: mark the documents outdated; bare ``outdated`` or ``outdated="reason"``.

Attributes are inherited: a document takes each attribute from the nearest matching rule that
sets it, so ``review`` set on ``*`` at the share root applies wherever no closer rule says."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from ingest.errors import OwnersFileError
from ingest.models import Owner

OWNERS_FILE = "OWNERS"
DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}
_DURATION = re.compile(r"^(\d+)\s*([dwmy])$")
_ATTRIBUTES = re.compile(r"\[([^\[\]]*)\]\s*$")


@dataclass(frozen=True)
class RuleAttributes:
    """The optional ``[review=… area=… outdated=…]`` part of a rule (None: not set)."""

    review_days: int | None = None
    area: str | None = None
    outdated: str | None = None


@dataclass(frozen=True)
class OwnersRule:
    """One line of an OWNERS file."""

    pattern: str
    owners: tuple[str, ...]
    spec: pathspec.PathSpec[Any]
    attributes: RuleAttributes = RuleAttributes()


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
        rest, attributes = _split_attributes(rest, f"{source}:{number}")
        owners = tuple(name.strip() for name in rest.split(",") if name.strip())
        if not owners:
            raise OwnersFileError(
                f"{source}:{number}: '{raw.strip()}' names no owner; write 'PATTERN OWNER[, OWNER]'"
            )
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        rules.append(OwnersRule(pattern, owners, spec, attributes))
    return tuple(rules)


def parse_duration(text: str) -> int:
    """Days in a review interval such as ``90d``, ``6w``, ``6m`` or ``2y``.

    Raises:
        ValueError: the text is not a number followed by d, w, m or y.
    """
    found = _DURATION.match(text.strip().lower())
    if found is None or int(found[1]) == 0:
        units = ", ".join(f"{unit}" for unit in DAYS_PER_UNIT)
        raise ValueError(f"'{text}' is not an interval; write a number and one of {units}: 6m")
    return int(found[1]) * DAYS_PER_UNIT[found[2]]


def _split_attributes(rest: str, where: str) -> tuple[str, RuleAttributes]:
    """Split ``OWNERS [key=value ...]`` into the owner list and its attributes."""
    found = _ATTRIBUTES.search(rest)
    if found is None:
        return rest, RuleAttributes()
    values: dict[str, str] = {}
    try:
        for item in shlex.split(found[1]):
            key, sign, value = item.partition("=")
            values[key.strip().lower()] = value.strip() if sign else ""
        attributes = RuleAttributes(
            review_days=parse_duration(values["review"]) if "review" in values else None,
            area=values.get("area") or None,
            outdated=(values["outdated"] or "outdated") if "outdated" in values else None,
        )
    except ValueError as exc:
        raise OwnersFileError(f"{where}: {exc}") from exc
    unknown = sorted(set(values) - {"review", "area", "outdated"})
    if unknown:
        raise OwnersFileError(
            f"{where}: unknown attribute '{unknown[0]}'; use review=6m, area=\"Name\" or outdated"
        )
    return rest[: found.start()], attributes


def matching_rules(
    rel_path: str, rules_by_dir: Mapping[str, tuple[OwnersRule, ...]]
) -> Iterator[OwnersRule]:
    """Rules that match a file at ``rel_path`` (POSIX, relative to its root), strongest first.

    ``rules_by_dir`` maps a folder (``""`` for the root) to the rules of its OWNERS file.
    """
    path = PurePosixPath(rel_path)
    for folder in path.parents:
        key = "" if str(folder) == "." else str(folder)
        rules = rules_by_dir.get(key)
        if not rules:
            continue
        below = path.relative_to(folder).as_posix()
        yield from (rule for rule in reversed(rules) if rule.spec.match_file(below))


def resolve_owners(
    rel_path: str, rules_by_dir: Mapping[str, tuple[OwnersRule, ...]]
) -> tuple[str, ...]:
    """Return the owners for a file at ``rel_path`` (POSIX, relative to its root)."""
    return next((rule.owners for rule in matching_rules(rel_path, rules_by_dir)), ())


def resolve_attributes(
    rel_path: str, rules_by_dir: Mapping[str, tuple[OwnersRule, ...]]
) -> RuleAttributes:
    """Each attribute from the strongest matching rule that sets it."""
    review_days: int | None = None
    area: str | None = None
    outdated: str | None = None
    for rule in matching_rules(rel_path, rules_by_dir):
        review_days = review_days or rule.attributes.review_days
        area = area or rule.attributes.area
        outdated = outdated or rule.attributes.outdated
    return RuleAttributes(review_days, area, outdated)


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
