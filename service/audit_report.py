"""Render an audit (its JSON shape) as Markdown, CSV or the HTML of the audit page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "web" / "templates"
CSV_COLUMNS = (
    "section", "owner", "doc_id", "title", "review_state", "harm", "uses", "last_edited",
    "last_reviewed", "detail",
)  # fmt: skip


def _state(item: dict[str, Any]) -> str:
    return str(item["review_state"]).replace("_", " ")


def audit_markdown(data: dict[str, Any]) -> str:
    """The audit as a Markdown report."""
    lines = [f"# Wegwijs audit, {data['generated_at'][:10]}", "", "## Review queues", ""]
    for queue in data["queues"]:
        lines += [f"### {queue['owner']} ({', '.join(queue['people'])})", ""]
        lines += [
            "| Document | State | Last edited | Used | Only source | Harm |",
            "|---|---|---|---|---|---|",
        ]
        for item in queue["items"]:
            lines.append(
                f"| {item['title']} (`{item['doc_id']}`) | {_state(item)} | "
                f"{item['last_edited'][:10]} | {item['uses']} | "
                f"{'yes' if item['only_source'] else ''} | {item['harm']} |"
            )
        lines.append("")
    lines += ["## Orphans", ""]
    lines += [
        f"- `{item['doc_id']}` (last edited {item['last_edited'][:10]}, harm {item['harm']}); "
        f"suggested owners: {', '.join(item['suggested_owners']) or 'none'}"
        for item in data["orphans"]
    ] or ["None."]
    lines += ["", "## Superseded copies", ""]
    lines += [
        f"- `{copy['doc_id']}`: newer version `{copy['superseded_by']}` ({copy['reason']})"
        for copy in data["superseded"]
    ] or ["None."]
    lines += ["", "## Depends on one person", ""]
    lines += [
        f"- {entry['kind']} **{entry['name']}**: only {entry['single_person']}; "
        f"suggested second owners: {', '.join(entry['suggested']) or 'none'}"
        for entry in data["bus_factor"]
        if entry["single_person"]
    ] or ["None."]
    return "\n".join(lines) + "\n"


def audit_csv(data: dict[str, Any]) -> str:
    """The audit as CSV, one row per queued document, orphan, copy and single-person area."""
    rows: list[dict[str, Any]] = []
    for queue in data["queues"]:
        rows += [_item_row("queue", queue["owner"], item) for item in queue["items"]]
    rows += [
        _item_row("orphan", "", item) | {"detail": ", ".join(item["suggested_owners"])}
        for item in data["orphans"]
    ]
    rows += [
        {"section": "superseded", "doc_id": c["doc_id"], "title": c["title"],
         "owner": ", ".join(c["owners"]), "detail": f"newer version: {c['superseded_by']}"}
        for c in data["superseded"]
    ]  # fmt: skip
    rows += [
        {"section": f"single_person_{e['kind']}", "owner": e["single_person"], "title": e["name"],
         "detail": "suggested: " + ", ".join(e["suggested"])}
        for e in data["bus_factor"] if e["single_person"]
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _item_row(section: str, owner: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"section": section, "owner": owner, **item, "detail": item["outdated_reason"] or ""}


def audit_html(data: dict[str, Any], owner: str | None = None) -> str:
    """The audit page's HTML, as the server renders it."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    return environment.get_template("audit.html").render(audit=data, owner=owner)


FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "md": audit_markdown,
    "csv": audit_csv,
    "html": audit_html,
}
