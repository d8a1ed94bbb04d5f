"""Render BENCHMARKS.md: machine, command, targets of issue 8, every section, and the gaps."""

from __future__ import annotations

from collections.abc import Sequence

from eval.bench.results import Check, SectionResult, Table

NOT_MEASURED = (
    "Parse rates of large real documents: section 7 parses the sample share's small generated "
    "files. Ingest at scale with real embeddings in the home: the "
    "10k/100k ingest measurement adds a batch of generated .txt documents to synthetic homes "
    "(random unit vectors, one topic per document), so governance clustering and copy "
    "detection see no real neighbours there.",
    "Re-scan of a 10,000-file tree: the benchmark uses 1,000 files to stay within minutes.",
    "Query latency over HTTP at 1M chunks: the 1M figures are for the vector search alone "
    "(no HTTP, no query embedding, no lexical arm, no hit loading).",
    "HNSW at 1M vectors: building it (M=32, efConstruction=200) takes tens of minutes on two "
    "cores, so HNSW is measured at a smaller prefix of the same vectors; IVF+SQ8 is at full size.",
    "Recall on real embeddings: the ANN recall figures here come from synthetic vectors; a "
    "published IVF+SQ8 generation measures its own nprobe on its own text "
    "(index/calibration.py).",
    "Peers at the 100k and 1M sizes: Qdrant's local mode needs minutes for 10,000 vectors on "
    "this machine, so the side-by-side section uses 10,000 vectors (Qdrant: one run).",
    "int8 ONNX query encoder: fp32 only (cosine ≥ 0.9999 to torch); int8 moved embeddings to "
    "cosine 0.93–0.96 in STACK.md's measurements and is not used without an nDCG@10 check.",
)


def markdown_table(table: Table) -> list[str]:
    """A GitHub-flavoured Markdown table with its caption above it."""
    lines = [f"**{table.caption}**", ""] if table.caption else []
    lines.append("| " + " | ".join(table.header) + " |")
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return [*lines, ""]


def _section(number: int, result: SectionResult) -> list[str]:
    lines = [
        f"## {number}. {result.title}",
        "",
        f"_Measured {result.started_at} in {result.seconds:.0f} s. Load before: "
        f"`{result.load_before}`; after: `{result.load_after}`._",
        "",
    ]
    for table in result.tables:
        lines += markdown_table(table)
    lines += [*result.notes, ""] if result.notes else []
    return lines


def _gaps(results: Sequence[SectionResult], checks: list[Check]) -> list[str]:
    lines = ["## What we did not measure, and where we lose", ""]
    lines += [f"- {finding}" for result in results for finding in result.findings]
    for item in checks:
        if item.verdict == "missed":
            lines.append(
                f"- **Missed:** {item.goal}: {item.measured} against a goal of {item.limit}."
            )
    lines += [f"- Not measured: {item}" for item in NOT_MEASURED]
    return [*lines, ""]


def _provenance(results: Sequence[SectionResult], measured: Sequence[str]) -> list[str]:
    earlier = [result.key for result in results if result.key not in measured]
    if not earlier:
        return []
    return [
        f"This run measured {', '.join(measured) or 'nothing'}; "
        f"{', '.join(earlier)} come from earlier runs (`--only`) kept in the work folder. "
        "Each section shows when it was measured and the load then.",
        "",
    ]


def render(
    results: Sequence[SectionResult],
    machine: dict[str, str],
    command: str,
    measured: Sequence[str],
) -> str:
    """The whole report as Markdown; ``measured`` names the sections this run measured."""
    checks = [item for result in results for item in result.checks]
    target_rows = tuple((c.goal, c.limit, c.measured, c.verdict) for c in checks)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (issue 8). Every timed figure is the median of the runs with "
        "the lowest and highest run in brackets; ratios are computed within each run. The "
        "machine is shared with other work, so the load is printed with every section.",
        "",
        *_provenance(results, measured),
        *markdown_table(Table("Machine", ("", ""), tuple(machine.items()))),
        *markdown_table(
            Table("Targets of issue 8", ("target", "goal", "measured", "verdict"), target_rows)
        ),
    ]
    for number, result in enumerate(results, 1):
        lines += _section(number, result)
    lines += _gaps(results, checks)
    return "\n".join(lines)
