"""The report of one evaluation: ``report.json`` is the record, Markdown and tables render it."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from eval.configs import EvalConfig
from eval.experiment import HomeUse, Results
from eval.metrics import METRIC_LABELS, METRICS, PRIMARY_METRIC
from eval.runner import ConfigRun

SIGNIFICANCE = 0.05
Report = dict[str, Any]


def build_report(results: Results, command: str, worst: int = 10) -> Report:
    """The JSON-able record of an evaluation: configs, scores, tests, latencies, worst queries."""
    homes = {name: home for home in results.homes for name in home.configs}
    report: Report = {
        "dataset": results.query_set.name,
        "split": results.query_set.split,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "queries": len(results.query_set.queries),
        "metrics": list(METRICS),
        "stat_test": results.stat_test,
        "seconds": round(results.seconds, 1),
        "configs": [
            _config_record(results, config, run, homes[config.name])
            for config, run in zip(results.configs, results.runs, strict=True)
        ],
        "per_query": results.scores,
    }
    report["best"] = best_config(report)
    report["worst_queries"] = worst_queries(results, report["best"], worst)
    return report


def _config_record(
    results: Results, config: EvalConfig, run: ConfigRun, home: HomeUse
) -> dict[str, Any]:
    return {
        "name": config.name,
        "ranking": config.ranking,
        "model": config.build.model,
        "chunking": asdict(config.build.chunking),
        "search": asdict(config.search),
        "rrf_k": config.rrf_k,
        "home": str(home.home),
        "home_cached": home.cached,
        "ingest_seconds": round(home.ingest_seconds, 2),
        "chunks_ingested": home.chunks,
        "scores": {m: asdict(s) for m, s in results.summary[config.name].items()},
        "p_values": results.p_values.get(config.name),
        "latency_ms": _latency(np.asarray(run.latencies_ms, dtype=np.float64)),
    }


def _latency(values: np.ndarray) -> dict[str, float]:
    if values.size == 0:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    p50, p95 = np.percentile(values, [50, 95])
    return {
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "mean": round(float(values.mean()), 2),
    }


def best_config(report: Report) -> str:
    """The configuration with the highest mean nDCG@10 (the first one on a tie)."""
    scores = [
        (c["scores"][PRIMARY_METRIC]["mean"], -i, c["name"])
        for i, c in enumerate(report["configs"])
    ]
    return str(max(scores)[2])


def worst_queries(results: Results, best: str, count: int) -> list[dict[str, Any]]:
    """The ``count`` queries with the lowest nDCG@10 under ``best``, with every config's score."""
    by_query = results.scores[best][PRIMARY_METRIC]
    ranked = sorted(by_query, key=lambda query_id: (by_query[query_id], query_id))[:count]
    runs = {run.name: run.run for run in results.runs}
    rows = []
    for query_id in ranked:
        retrieved = list(runs[best].get(query_id, {}))[:3]
        rows.append(
            {
                "query_id": query_id,
                "query": results.query_set.queries[query_id],
                "relevant": sorted(
                    d for d, g in results.query_set.qrels[query_id].items() if g > 0
                ),
                "retrieved": retrieved,
                PRIMARY_METRIC: {
                    name: s[PRIMARY_METRIC][query_id] for name, s in results.scores.items()
                },
            }
        )
    return rows


def failing(report: Report, min_ndcg: float) -> list[tuple[str, float]]:
    """Configs whose mean nDCG@10 is below ``min_ndcg``, with their score."""
    return [
        (c["name"], c["scores"][PRIMARY_METRIC]["mean"])
        for c in report["configs"]
        if c["scores"][PRIMARY_METRIC]["mean"] < min_ndcg
    ]


def summary_rows(report: Report, intervals: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the main table: metric means (with 95% CI), latency p50/p95."""
    header = ["config", *(METRIC_LABELS[m] for m in report["metrics"]), "p50 ms", "p95 ms"]
    rows = []
    for config in report["configs"]:
        cells = [config["name"]]
        for metric in report["metrics"]:
            score = config["scores"][metric]
            cell = f"{score['mean']:.3f}{_mark((config['p_values'] or {}).get(metric))}"
            cells.append(f"{cell} ({score['low']:.3f}–{score['high']:.3f})" if intervals else cell)
        cells += [f"{config['latency_ms']['p50']:.1f}", f"{config['latency_ms']['p95']:.1f}"]
        rows.append(cells)
    return header, rows


def _mark(p_value: float | None) -> str:
    return "*" if p_value is not None and p_value < SIGNIFICANCE else ""


def delta_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """Each config's difference from the baseline (the first config), with its p-value."""
    header = ["config", *(f"Δ {METRIC_LABELS[m]}" for m in report["metrics"])]
    baseline = report["configs"][0]["scores"]
    rows = []
    for config in report["configs"][1:]:
        cells = [config["name"]]
        for metric in report["metrics"]:
            delta = config["scores"][metric]["mean"] - baseline[metric]["mean"]
            p_value = (config["p_values"] or {}).get(metric)
            shown = "n/a" if p_value is None else f"{p_value:.3g}"
            cells.append(f"{delta:+.3f} (p={shown})")
        rows.append(cells)
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(report: Report) -> str:
    """``report.md``: summary, deltas vs baseline, indexes used, worst queries."""
    baseline = report["configs"][0]["name"]
    parts = [
        f"# Retrieval evaluation: {report['dataset']} ({report['split']})",
        f"{report['queries']} queries, {len(report['configs'])} configs, "
        f"{report['created_at']}, {report['seconds']} s. Command: `{report['command']}`",
        "Means over queries with 95% bootstrap intervals; `*` = differs from the baseline "
        f"`{baseline}` at p < {SIGNIFICANCE} ({report['stat_test']} test). Latency is one "
        "search (top 10) per query.",
        markdown_table(*summary_rows(report)),
    ]
    if len(report["configs"]) > 1:
        parts += [
            f"## Difference from the baseline `{baseline}`",
            markdown_table(*delta_rows(report)),
        ]
    parts += ["## Indexes", markdown_table(*home_rows(report))]
    parts += [
        f"## Worst queries (lowest nDCG@10 of the best config, `{report['best']}`)",
        markdown_table(*worst_rows(report)),
    ]
    return "\n\n".join(parts) + "\n"


def home_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """Which index each config searched, and whether it came from the cache."""
    header = ["config", "model", "max_characters", "home", "from cache", "ingest s"]
    rows = [
        [
            c["name"],
            c["model"],
            str(c["chunking"]["max_characters"]),
            c["home"],
            "yes" if c["home_cached"] else "no",
            f"{c['ingest_seconds']:.1f}",
        ]
        for c in report["configs"]
    ]
    return header, rows


def worst_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The worst-queries table: query, relevant and retrieved documents, nDCG@10 per config."""
    names = [c["name"] for c in report["configs"]]
    header = ["query_id", "query", "relevant", "retrieved (best config)", *names]
    rows = [
        [
            row["query_id"],
            row["query"],
            "; ".join(row["relevant"]),
            "; ".join(row["retrieved"]),
            *(f"{row[PRIMARY_METRIC][name]:.3f}" for name in names),
        ]
        for row in report["worst_queries"]
    ]
    return header, rows


def write_json(report: Report, path: Path) -> None:
    """Write ``report.json``."""
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
