"""The benchmark's figures as Markdown: pages side by side at each scale, throughput, the daily
reminder pass and the full export."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

NUMBER = re.compile(r"[0-9][0-9,.]*")


@dataclass(frozen=True)
class PageFigures:
    name: str
    path: str
    queries: dict[str, int]  # by scale
    median_ms: dict[str, float]  # by scale
    runs: int  # requests timed at each scale, interleaved


@dataclass(frozen=True)
class Throughput:
    name: str
    path: str
    per_second: dict[str, float]  # by scale
    median_ms: dict[str, float]


@dataclass(frozen=True)
class DailyPass:
    scale: str
    seconds: float
    statements: dict[str, int]  # by kind of statement
    items: int
    reminders: int
    digests: int


@dataclass(frozen=True)
class ExportFigures:
    scale: str
    actions: int
    seconds: float
    peak_mb: float
    floor_seconds: float
    floor_peak_mb: float
    bytes: int


@dataclass
class Report:
    scales: list[str]
    sizes: dict[str, dict[str, int]]  # scale -> what it holds
    pages: list[PageFigures] = field(default_factory=list)
    throughput: list[Throughput] = field(default_factory=list)
    daily: list[DailyPass] = field(default_factory=list)
    export: ExportFigures | None = None
    notes: list[str] = field(default_factory=list)


def table(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, numbers aligned right."""
    cells = [[_cell(value) for value in row] for row in rows]
    right = [bool(rows) and all(_numeric(row[i]) for row in rows) for i in range(len(headings))]
    rule = ["---:" if r else "---" for r in right]
    lines = [headings, rule, *cells]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) or bool(NUMBER.fullmatch(str(value)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def ratio(small: float, large: float) -> float:
    return large / small if small else 0.0


def sizes_table(report: Report) -> str:
    kinds = list(next(iter(report.sizes.values()), {}))
    rows = [[kind, *(report.sizes[scale][kind] for scale in report.scales)] for kind in kinds]
    return table(["", *report.scales], rows)


def pages_table(report: Report) -> str:
    small, large = report.scales[0], report.scales[-1]
    headings = ["page", *(f"queries {s}" for s in report.scales), *(f"ms {s}" for s in report.scales)]
    headings += [f"ratio {large}/{small}", "runs"]
    rows = [
        [
            f"{page.name} (`{page.path}`)",
            *(page.queries[s] for s in report.scales),
            *(page.median_ms[s] for s in report.scales),
            f"{ratio(page.median_ms[small], page.median_ms[large]):.2f}",
            page.runs,
        ]
        for page in report.pages
    ]
    return table(headings, rows)


def throughput_table(report: Report) -> str:
    headings = ["page", *(f"req/s {s}" for s in report.scales), *(f"ms {s}" for s in report.scales)]
    rows = [
        [
            f"{t.name} (`{t.path}`)",
            *(t.per_second[s] for s in report.scales),
            *(t.median_ms[s] for s in report.scales),
        ]
        for t in report.throughput
    ]
    return table(headings, rows)


def daily_table(report: Report) -> str:
    kinds = sorted({kind for run in report.daily for kind in run.statements})
    headings = ["scale", "seconds", "items", "reminders", "digests", *(f"{k} statements" for k in kinds)]
    rows = [
        [
            run.scale,
            run.seconds,
            run.items,
            run.reminders,
            run.digests,
            *(run.statements.get(k, 0) for k in kinds),
        ]
        for run in report.daily
    ]
    return table(headings, rows)


def export_table(export: ExportFigures) -> str:
    rows = [
        ["tracker CSV export (the page's code)", export.seconds, export.peak_mb],
        ["floor: one SQL query written with csv", export.floor_seconds, export.floor_peak_mb],
    ]
    return table([f"every action at {export.scale} ({export.actions:,})", "seconds", "peak MB"], rows)


def render(report: Report) -> str:
    """The whole report as Markdown."""
    parts = ["### What each scale holds", sizes_table(report)]
    parts += ["### Pages: SQL statements and median time of interleaved requests", pages_table(report)]
    if report.throughput:
        parts += ["### Throughput under gunicorn (2 workers)", throughput_table(report)]
    if report.daily:
        parts += ["### The daily reminder pass", daily_table(report)]
    if report.export is not None:
        parts += ["### Full export", export_table(report.export)]
    if report.notes:
        parts += ["\n".join(f"- {note}" for note in report.notes)]
    return "\n\n".join(parts) + "\n"
