"""``report.html``: one self-contained page (tables plus charts embedded as base64 PNG)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from eval.plots import delta_chart, metric_chart
from eval.report import delta_rows, home_rows, summary_rows, worst_rows

TEMPLATES = Path(__file__).with_name("templates")


def _data_uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()


def to_html(report: dict[str, Any]) -> str:
    """Render the report page."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    template = environment.get_template("report.html")
    return template.render(
        report=report,
        summary=summary_rows(report),
        deltas=delta_rows(report) if len(report["configs"]) > 1 else None,
        homes=home_rows(report),
        worst=worst_rows(report),
        metric_chart=_data_uri(metric_chart(report)),
        delta_chart=_data_uri(delta_chart(report)),
    )
