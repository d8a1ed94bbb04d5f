"""What one benchmark section produced (tables, notes, key figures), saved as JSON per section.

Each section's result is written to ``<work-dir>/results/<section>.json`` as soon as it is
measured, so a report can combine sections measured in separate, shorter runs (``--only``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Table:
    """A table of formatted cells with its caption."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Check:
    """One 'done when' target of issue 8 against what was measured."""

    goal: str
    limit: str
    measured: str
    verdict: str


def check(goal: str, value: float, limit: float, at_most: bool, digits: int = 1) -> Check:
    """Compare ``value`` with ``limit`` (an upper bound when ``at_most``, else a lower bound)."""
    met = value <= limit if at_most else value >= limit
    bound = f"{'≤' if at_most else '≥'} {limit:g}"
    return Check(goal, bound, f"{value:,.{digits}f}", "met" if met else "missed")


@dataclass(frozen=True)
class Measured:
    """What a section function returns; the suite adds timing and load around it."""

    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    figures: dict[str, float] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionResult:
    """The outcome of one benchmark section.

    Attributes:
        key: Section name, one of ``suite.SECTIONS``.
        title: Heading in the report.
        started_at: UTC time the section started.
        seconds: How long the section took.
        load_before: ``uptime`` when it started.
        load_after: ``uptime`` when it ended.
        tables: Formatted results.
        notes: Sentences printed under the tables (how it was measured, caveats).
        figures: Named raw numbers (for the report's analysis).
        checks: The issue's targets this section can judge.
        findings: Where the time goes, for the report's closing section.
    """

    key: str
    title: str
    started_at: str
    seconds: float
    load_before: str
    load_after: str
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    figures: dict[str, float] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    findings: tuple[str, ...] = ()


def results_dir(work_dir: Path) -> Path:
    """Where section results are kept."""
    return work_dir / "results"


def save_result(work_dir: Path, result: SectionResult) -> Path:
    """Write one section's result as JSON and return the path."""
    folder = results_dir(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.key}.json"
    path.write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    return path


def _table(data: dict[str, Any]) -> Table:
    rows = tuple(tuple(str(cell) for cell in row) for row in data["rows"])
    return Table(str(data["caption"]), tuple(data["header"]), rows)


def load_result(path: Path) -> SectionResult:
    """Read a section result written by ``save_result``."""
    data = json.loads(path.read_text())
    data["tables"] = tuple(_table(table) for table in data["tables"])
    data["notes"] = tuple(data.get("notes", ()))
    data["checks"] = tuple(Check(**item) for item in data.get("checks", ()))
    data["findings"] = tuple(data.get("findings", ()))
    return SectionResult(**data)


def load_results(work_dir: Path, keys: tuple[str, ...]) -> list[SectionResult]:
    """Saved results of the given sections, in that order (missing ones are left out)."""
    folder = results_dir(work_dir)
    return [
        load_result(folder / f"{key}.json") for key in keys if (folder / f"{key}.json").exists()
    ]
