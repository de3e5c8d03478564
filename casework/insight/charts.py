"""The board's charts as drawings ready for SVG: every bar, cell, line and label placed here, in
Python, and written here as SVG elements, so the page needs no script and its template only frames
the drawing (its title, description and patterns).

Each chart has its table (the same numbers, for anyone who does not read the picture, and the
CSV download), a summary in words (the SVG's description) and a note on how it was counted.
Series are told apart by pattern and by label as well as by colour; numbers are printed on the
chart, on a white chip where they sit on a coloured shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from markupsafe import Markup, escape

from casework.actions.rag import Rag
from casework.core.display import format_date
from casework.insight import figures

WIDTH = 800  # the drawing's width in its own units; it scales to the page
FONT = 14
CHAR = 0.58 * FONT  # a character's width, near enough, for fitting labels
INK = "#0b0c0c"
RULE = "#b1b4b6"
SECONDARY = "#484949"


@dataclass(frozen=True)
class Series:
    """One kind of shape in a chart: its name in the legend, colour and pattern."""

    label: str
    fill: str
    pattern: str  # solid, stripes, dots, cross, lines, checks


PALETTE = (
    ("#1d70b8", "solid"),
    ("#f47738", "stripes"),
    ("#00703c", "dots"),
    ("#4c2c92", "cross"),
    ("#505a5f", "lines"),
    ("#d53880", "checks"),
    ("#28a197", "stripes"),
    ("#003078", "dots"),
    ("#b58840", "cross"),
    ("#6f72af", "lines"),
    ("#d4351c", "checks"),
    ("#85994b", "solid"),
)
RAG_SERIES = {
    Rag.RED: ("#d4351c", "solid"),
    Rag.AMBER: ("#f47738", "stripes"),
    Rag.GREEN: ("#00703c", "dots"),
    Rag.AWAITING: ("#1d70b8", "cross"),
    Rag.VERIFIED: ("#505a5f", "lines"),
}
# The heat map's shades, lightest first, and the text that reads on each.
SHADES = (
    ("#ffffff", INK),
    ("#d2e2f1", INK),
    ("#8eb8dc", INK),
    ("#5694ca", INK),
    ("#1d70b8", "#ffffff"),
    ("#003078", "#ffffff"),
)


def series(labels: Sequence[str]) -> list[Series]:
    return [Series(label, *PALETTE[index % len(PALETTE)]) for index, label in enumerate(labels)]


# --- shapes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int | None = None  # index into the drawing's series; None: ``fill``
    fill: str = "#ffffff"
    stroke: str = "#ffffff"
    tip: str = ""  # the shape's own title, shown on hover

    def svg(self, fill: str) -> str:
        title = f"<title>{escape(self.tip)}</title>" if self.tip else ""
        return (
            f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}" '
            f'fill="{escape(fill)}" stroke="{escape(self.stroke)}">{title}</rect>'
        )


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle, end
    size: int = FONT
    bold: bool = False
    fill: str = INK
    chip: bool = False  # on a white rectangle, to read on any colour

    @property
    def chip_box(self) -> tuple[float, float, float, float]:
        width = len(self.text) * 0.6 * self.size + 6
        left = {"start": self.x - 3, "middle": self.x - width / 2, "end": self.x - width + 3}[self.anchor]
        return (
            round(left, 1),
            round(self.y - self.size * 0.85, 1),
            round(width, 1),
            round(self.size * 1.15, 1),
        )

    def svg(self) -> str:
        chip = ""
        if self.chip:
            x, y, width, height = self.chip_box
            chip = f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="2" fill="#ffffff"/>'
        anchor = f' text-anchor="{escape(self.anchor)}"' if self.anchor != "start" else ""
        bold = ' font-weight="bold"' if self.bold else ""
        return (
            f'{chip}<text x="{self.x}" y="{self.y}"{anchor} font-size="{self.size}"{bold} '
            f'fill="{escape(self.fill)}">{escape(self.text)}</text>'
        )


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = RULE
    width: float = 1
    dashed: bool = False

    def svg(self) -> str:
        dashes = ' stroke-dasharray="4 3"' if self.dashed else ""
        return (
            f'<line x1="{self.x1}" y1="{self.y1}" x2="{self.x2}" y2="{self.y2}" '
            f'stroke="{escape(self.stroke)}" stroke-width="{self.width}"{dashes}/>'
        )


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float = 4
    fill: str = "#1d70b8"
    tip: str = ""

    def svg(self) -> str:
        title = f"<title>{escape(self.tip)}</title>" if self.tip else ""
        return f'<circle cx="{self.x}" cy="{self.y}" r="{self.r}" fill="{escape(self.fill)}">{title}</circle>'


@dataclass
class Drawing:
    height: float
    series: list[Series] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    path: list[tuple[float, float]] = field(default_factory=list)  # a line chart's line
    dots: list[Dot] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    width: float = WIDTH

    @property
    def points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.path)

    def patterns(self) -> list[tuple[int, Series]]:
        """The series drawn with a pattern, by index (solid ones need none)."""
        return [(index, one) for index, one in enumerate(self.series) if one.pattern != "solid"]

    def _fill(self, rect: Rect, key: str) -> str:
        if rect.series is None:
            return rect.fill
        one = self.series[rect.series]
        return one.fill if one.pattern == "solid" else f"url(#{key}-pattern-{rect.series})"

    def shapes(self, key: str) -> Markup:
        """Every line, bar, cell, dot and label as SVG elements, in drawing order (``key`` names
        the chart's patterns). Written here rather than in the template: a heat map gains a
        column of cells every year, and a template's loop costs many times this per shape."""
        parts = [line.svg() for line in self.lines]
        parts += [rect.svg(self._fill(rect, key)) for rect in self.rects]
        if self.path:
            parts.append(f'<polyline points="{self.points}" fill="none" stroke="#1d70b8" stroke-width="3"/>')
        parts += [dot.svg() for dot in self.dots]
        parts += [text.svg() for text in self.texts]
        return Markup("\n".join(parts))  # noqa: S704 - every value in it is escaped above


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str | int]]  # the first cell of each row names it

    @cached_property
    def numeric_columns(self) -> frozenset[int]:
        """The columns whose every cell is a number (aligned right). Worked out once per table: the
        template asks for each cell, and a table grows with the years both ways."""
        return frozenset(
            column
            for column in range(1, len(self.headings))
            if all(isinstance(row[column], int) or _looks_numeric(row[column]) for row in self.rows)
        )

    def numeric(self, column: int) -> bool:
        return column in self.numeric_columns

    def body_rows(self) -> Markup:
        """The table's rows as HTML, each named by its first cell, numbers aligned right. Written
        here for the reason the drawing's shapes are: the table gains a row or a column a year."""
        numeric = self.numeric_columns
        cell_class = [
            "govuk-table__cell govuk-table__cell--numeric" if column in numeric else "govuk-table__cell"
            for column in range(len(self.headings))
        ]
        rows = []
        for row in self.rows:
            cells = [f'<th scope="row" class="govuk-table__header">{escape(row[0])}</th>']
            cells += [
                f'<td class="{cell_class[column]}">{escape(row[column])}</td>'
                for column in range(1, len(row))
            ]
            rows.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
        return Markup("\n".join(rows))  # noqa: S704 - every cell is escaped above


def _looks_numeric(value: str | int) -> bool:
    text = str(value).rstrip("%")
    return text in ("", "n/a") or text.replace(".", "", 1).isdigit()


@dataclass(frozen=True)
class Chart:
    key: str  # its CSV's name: /insight/<key>.csv
    title: str
    summary: str  # the picture in words: the SVG's description
    note: str  # how it was counted
    drawing: Drawing
    table: Table
    empty: bool = False


# --- helpers -------------------------------------------------------------------------------------


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round values from 0 to at least ``top`` for an axis: steps of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1) if top >= 1 else step
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _legend(drawing: Drawing, top: float, left: float = 0) -> float:
    """The series as swatches with their labels, wrapped over lines; returns the y below them."""
    x, y = left, top
    for index, one in enumerate(drawing.series):
        width = 24 + len(one.label) * CHAR + 20
        if x > left and x + width > WIDTH:
            x, y = left, y + 24
        drawing.rects.append(Rect(x, y, 16, 16, series=index, stroke=INK))
        drawing.texts.append(Text(x + 22, y + 13, one.label))
        x += width
    return y + 32


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- horizontal stacked bars ---------------------------------------------------------------------


def stacked_rows(labels: list[str], segments: list[list[int]], kinds: list[Series], unit: str) -> Drawing:
    """One bar per row, its segments side by side, each with its number where it fits, the total
    after the bar."""
    drawing = Drawing(height=0, series=kinds)
    top = _legend(drawing, 4)
    label_width = min(max((len(label) for label in labels), default=0) * CHAR + 12, WIDTH * 0.42)
    left, right = label_width, WIDTH - 50
    largest = max((sum(row) for row in segments), default=0) or 1
    scale = (right - left) / largest
    bar, gap = 26, 12
    for row, (label, values) in enumerate(zip(labels, segments, strict=True)):
        y = top + row * (bar + gap)
        drawing.texts.append(Text(left - 8, y + bar / 2 + 5, _fit(label, label_width - 12), anchor="end"))
        x = left
        for index, value in enumerate(values):
            if not value:
                continue
            width = value * scale
            tip = f"{label}, {kinds[index].label}: {_plural(value, unit)}"
            drawing.rects.append(Rect(round(x, 1), y, round(width, 1), bar, series=index, tip=tip))
            if width >= len(str(value)) * 0.6 * FONT + 8:
                drawing.texts.append(
                    Text(round(x + width / 2, 1), y + bar / 2 + 5, str(value), anchor="middle", chip=True)
                )
            x += width
        drawing.texts.append(Text(round(x + 6, 1), y + bar / 2 + 5, str(sum(values)), bold=True))
    bottom = top + len(labels) * (bar + gap)
    drawing.lines.append(Line(left, top - 6, left, bottom - gap + 6, stroke=INK))
    drawing.height = bottom + 4
    return drawing


def _fit(text: str, width: float) -> str:
    most = max(int(width / CHAR), 4)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


# --- vertical bars: stacked per column, or grouped ------------------------------------------------

PLOT_TOP, PLOT_HEIGHT, AXIS_LEFT = 0, 240, 44


def _value_axis(
    drawing: Drawing, top: float, ticks: list[float], label: Callable[[float], str] = _fmt
) -> float:
    """Gridlines and their values; returns the scale (units per value)."""
    scale = PLOT_HEIGHT / ticks[-1]
    for tick in ticks:
        y = round(top + PLOT_HEIGHT - tick * scale, 1)
        drawing.lines.append(Line(AXIS_LEFT, y, WIDTH, y, stroke=INK if tick == 0 else RULE))
        drawing.texts.append(Text(AXIS_LEFT - 6, y + 5, label(tick), anchor="end", fill=SECONDARY, size=12))
    return scale


def stacked_columns(labels: list[str], segments: list[list[int]], kinds: list[Series], unit: str) -> Drawing:
    drawing = Drawing(height=0, series=kinds)
    top = _legend(drawing, 4) + 16
    totals = [sum(values) for values in segments]
    scale = _value_axis(drawing, top, nice_ticks(max(totals, default=0) or 1))
    slot = (WIDTH - AXIS_LEFT) / max(len(labels), 1)
    width = min(slot * 0.6, 90)
    base = top + PLOT_HEIGHT
    for column, (label, values) in enumerate(zip(labels, segments, strict=True)):
        x = AXIS_LEFT + column * slot + (slot - width) / 2
        y = base
        for index, value in enumerate(values):
            if not value:
                continue
            height = value * scale
            y -= height
            tip = f"{label}, {kinds[index].label}: {_plural(value, unit)}"
            drawing.rects.append(
                Rect(round(x, 1), round(y, 1), round(width, 1), round(height, 1), series=index, tip=tip)
            )
            if height >= FONT + 4:
                drawing.texts.append(
                    Text(
                        round(x + width / 2, 1),
                        round(y + height / 2 + 5, 1),
                        str(value),
                        anchor="middle",
                        chip=True,
                    )
                )
        drawing.texts.append(
            Text(round(x + width / 2, 1), round(y - 6, 1), str(totals[column]), anchor="middle", bold=True)
        )
        drawing.texts.append(Text(round(x + width / 2, 1), base + 20, label, anchor="middle"))
    drawing.height = base + 30
    return drawing


def grouped_columns(
    labels: list[str], groups: list[list[float | None]], marks: list[list[str]], kinds: list[Series]
) -> Drawing:
    """Shares (0 to 1) side by side per column label; ``marks`` are printed above each bar."""
    drawing = Drawing(height=0, series=kinds)
    top = _legend(drawing, 4) + 16
    scale = _value_axis(drawing, top, [0, 0.25, 0.5, 0.75, 1.0], _percent)
    slot = (WIDTH - AXIS_LEFT) / max(len(labels), 1)
    inner = slot * 0.8
    width = min(inner / max(len(kinds), 1), 60)
    base = top + PLOT_HEIGHT
    for column, (label, shares) in enumerate(zip(labels, groups, strict=True)):
        start = AXIS_LEFT + column * slot + (slot - width * len(kinds)) / 2
        for index, share in enumerate(shares):
            x = start + index * width
            centre = round(x + width / 2, 1)
            if share is None:
                drawing.texts.append(Text(centre, base - 6, "none", anchor="middle", size=11, fill=SECONDARY))
                continue
            height = share * scale
            tip = f"{label}, {kinds[index].label}: {marks[column][index]}"
            drawing.rects.append(
                Rect(
                    round(x + 2, 1),
                    round(base - height, 1),
                    round(width - 4, 1),
                    round(height, 1),
                    series=index,
                    tip=tip,
                )
            )
            drawing.texts.append(
                Text(centre, round(base - height - 6, 1), _percent(share), anchor="middle", size=11)
            )
        drawing.texts.append(
            Text(round(AXIS_LEFT + column * slot + slot / 2, 1), base + 20, label, anchor="middle")
        )
    drawing.height = base + 30
    return drawing


# --- a line over time ----------------------------------------------------------------------------


def line_over_time(labels: list[str], values: list[int], every: int, tips: list[str]) -> Drawing:
    drawing = Drawing(height=0)
    top = 24
    scale = _value_axis(drawing, top, nice_ticks(max(values, default=0) or 1))
    step = (WIDTH - AXIS_LEFT - 50) / max(len(values) - 1, 1)
    base = top + PLOT_HEIGHT
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = round(AXIS_LEFT + 15 + index * step, 1)
        y = round(base - value * scale, 1)
        drawing.path.append((x, y))
        drawing.dots.append(Dot(x, y, tip=tips[index]))
        drawing.texts.append(Text(x, round(y - 9, 1), str(value), anchor="middle", size=12, bold=True))
        if index % every == (len(values) - 1) % every:
            drawing.lines.append(Line(x, base, x, base + 5, stroke=INK))
            drawing.texts.append(Text(x, base + 20, label, anchor="middle", size=12))
    drawing.height = base + 30
    return drawing


# --- heat map ------------------------------------------------------------------------------------


def shade(count: int, largest: int) -> tuple[str, str]:
    """The cell's colour and its text's, darker for more: 0 is white, the largest the darkest."""
    if count <= 0 or largest <= 0:
        return SHADES[0]
    level = 1 + min(len(SHADES) - 2, math.floor((count - 1) * (len(SHADES) - 1) / largest))
    return SHADES[level]


def heat_map(rows: list[str], columns: list[str], counts: list[list[int]]) -> Drawing:
    drawing = Drawing(height=0)
    label_width = min(max((len(row) for row in rows), default=0) * CHAR + 12, WIDTH * 0.45)
    cell_width = min((WIDTH - label_width) / max(len(columns), 1), 110)
    cell_height = 30
    top = 26
    largest = max((max(row, default=0) for row in counts), default=0)
    for index, column in enumerate(columns):
        drawing.texts.append(
            Text(
                round(label_width + index * cell_width + cell_width / 2, 1),
                18,
                column,
                anchor="middle",
                bold=True,
            )
        )
    for row_index, (label, values) in enumerate(zip(rows, counts, strict=True)):
        y = top + row_index * cell_height
        drawing.texts.append(
            Text(label_width - 8, y + cell_height / 2 + 5, _fit(label, label_width - 12), anchor="end")
        )
        for index, count in enumerate(values):
            fill, ink = shade(count, largest)
            x = round(label_width + index * cell_width, 1)
            tip = f"{label}, {columns[index]}: {_plural(count, 'review')}"
            drawing.rects.append(
                Rect(x, y, round(cell_width, 1), cell_height, fill=fill, stroke=RULE, tip=tip)
            )
            drawing.texts.append(
                Text(
                    round(x + cell_width / 2, 1),
                    y + cell_height / 2 + 5,
                    str(count),
                    anchor="middle",
                    fill=ink,
                    bold=count > 0,
                )
            )
    drawing.height = top + len(rows) * cell_height + 6
    return drawing


# --- the charts ----------------------------------------------------------------------------------


def stages_chart(counts: figures.StageCounts) -> Chart:
    kinds = series([kind.code for kind in counts.types])
    labels = [row.stage.label for row in counts.rows]
    segments = [[row.by_type[kind.id] for kind in counts.types] for row in counts.rows]
    total = sum(row.total for row in counts.rows)
    busiest = max(counts.rows, key=lambda row: row.total, default=None)
    summary = (
        f"{_plural(total, 'review')}: "
        + "; ".join(f"{row.stage.label} {row.total}" for row in counts.rows)
        + (f". The most are at {busiest.stage.label.lower()}." if busiest else ".")
        if total
        else "No reviews yet."
    )
    table = Table(
        ["Stage", *(f"{kind.code}" for kind in counts.types), "Total"],
        [
            [row.stage.label, *(row.by_type[kind.id] for kind in counts.types), row.total]
            for row in counts.rows
        ],
    )
    return Chart(
        "stages",
        "Reviews by stage and type",
        summary,
        "Every review at the stage it is at today, by type: "
        + ", ".join(f"{kind.code} is a {kind.name}" for kind in counts.types)
        + ".",
        stacked_rows(labels, segments, kinds, "review"),
        table,
        empty=not total,
    )


def rapid_reviews_chart(years: list[figures.RapidYear]) -> Chart:
    outcomes = list(figures.RapidOutcome)
    kinds = series([outcome.label for outcome in outcomes])
    labels = [year.year.label for year in years]
    segments = [[year.by_outcome[outcome] for outcome in outcomes] for year in years]
    total = sum(year.total for year in years)
    local = figures.RapidOutcome.LOCAL_REVIEW
    became = sum(year.by_outcome[local] for year in years)
    summary = (
        f"{_plural(total, 'rapid review')} since {years[0].year.label}; {became} became a local review. "
        + "; ".join(
            f"{year.year.label}: {year.total} held, {year.by_outcome[local]} became a local review"
            for year in years
        )
        + "."
        if total
        else "No rapid reviews yet."
    )
    table = Table(
        [
            "Reporting year",
            *(outcome.label for outcome in outcomes),
            "Total",
            "Share that became a local review",
        ],
        [
            [
                year.year.label,
                *(year.by_outcome[outcome] for outcome in outcomes),
                year.total,
                _percent(
                    year.by_outcome[figures.RapidOutcome.LOCAL_REVIEW] / year.total if year.total else None
                ),
            ]
            for year in years
        ],
    )
    return Chart(
        "rapid-reviews",
        "Rapid reviews and what they became",
        summary,
        "Each rapid review in the reporting year (April to March) it was sent to the Panel, or held if "
        "not sent yet, with the partners' decision that followed (after any reconsideration).",
        stacked_columns(labels, segments, kinds, "rapid review"),
        table,
        empty=not total,
    )


def timeliness_chart(found: figures.Timeliness) -> Chart:
    kinds = series([step.label for step in found.steps])
    labels = [year.label for year in found.years]
    groups: list[list[float | None]] = []
    marks: list[list[str]] = []
    for year in found.years:
        cells = [found.cell(step, year) for step in found.steps]
        groups.append([cell.share for cell in cells])
        marks.append([f"{cell.within} of {cell.measured} within time" for cell in cells])
    rows: list[list[str | int]] = []
    for step in found.steps:
        for year in found.years:
            cell = found.cell(step, year)
            if not cell.measured:
                continue
            rows.append(
                [
                    step.label,
                    year.label,
                    cell.measured,
                    cell.within,
                    _percent(cell.share),
                    cell.within_agreed,
                    "n/a" if cell.median_days_late is None else _fmt(cell.median_days_late),
                ]
            )
    table = Table(
        [
            "Step",
            "Reporting year",
            "Measured",
            "Within time",
            "Share within time",
            "Within the agreed date",
            "Median days late (of the late ones)",
        ],
        rows,
    )
    parts = []
    for step in found.steps:
        measured = sum(found.cell(step, year).measured for year in found.years)
        within = sum(found.cell(step, year).within for year in found.years)
        parts.append(f"{step.label}: {within} of {measured} within time")
    summary = "; ".join(parts) + "." if parts else "No step has been measured yet."
    return Chart(
        "timeliness",
        "Timeliness of the statutory steps",
        summary,
        "A step is counted in the reporting year its time ran out, once it was taken or once it is "
        "overdue. Within time means taken on or before the date the rule sets: an agreed extension or "
        "a pause does not make a step on time (the table also counts those within the agreed date). "
        "Days late are calendar days past the rule's date, to the day the step was taken or to today.",
        grouped_columns(labels, groups, marks, kinds),
        table,
        empty=not rows,
    )


def rag_chart(rows: list[figures.AgencyRag]) -> Chart:
    colours = list(Rag)
    kinds = [Series(colour.label, *RAG_SERIES[colour]) for colour in colours]
    labels = [row.name for row in rows]
    segments = [[row.by_rag[colour] for colour in colours] for row in rows]
    total = sum(row.total for row in rows)
    red = sum(row.by_rag[Rag.RED] for row in rows)
    summary = (
        f"{_plural(total, 'action')}, {red} red. "
        + "; ".join(f"{row.name}: {row.total}, {row.by_rag[Rag.RED]} red" for row in rows)
        + "."
        if total
        else "No actions yet."
    )
    table = Table(
        ["Owner", *(colour.label for colour in colours), "Total"],
        [[row.name, *(row.by_rag[colour] for colour in colours), row.total] for row in rows],
    )
    return Chart(
        "actions-by-rag",
        "Actions by RAG, per agency",
        summary,
        "Every action of every action plan by its RAG today, as the action tracker shows it; the "
        "partnership's own actions are a row of their own.",
        stacked_rows(labels, segments, kinds, "action"),
        table,
        empty=not total,
    )


def _month(day: date, today: date) -> str:
    return "Today" if day == today else f"{day:%b %Y}"


def overdue_chart(points: list[figures.OverduePoint], today: date) -> Chart:
    labels = [_month(point.day, today) for point in points]
    values = [point.count for point in points]
    tips = [f"{format_date(point.day)}: {_plural(point.count, 'action')} overdue" for point in points]
    peak = max(points, key=lambda point: point.count)
    summary = (
        f"Overdue actions at each month end from {format_date(points[0].day)}: {points[0].count}; "
        f"today {points[-1].count}. The most was {peak.count}, on {format_date(peak.day)}."
    )
    table = Table(
        ["Date", "Overdue actions"],
        [[format_date(point.day), point.count] for point in points],
    )
    return Chart(
        "overdue-actions",
        "Overdue actions over time",
        summary,
        "At the end of each month (and today): the actions that existed, were past their deadline and "
        "had not been reported completed by then. An action completed late counts as overdue until "
        "the day it was completed. Deadlines are the ones agreed now.",
        line_over_time(labels, values, 3, tips),
        table,
    )


def themes_chart(found: figures.ThemeRecurrence) -> Chart:
    columns = [year.label for year in found.years]
    counts = [[row.by_year[year.start.year] for year in found.years] for row in found.rows]
    recurring = [row for row in found.rows if sum(1 for n in row.by_year.values() if n) > 1]
    summary = (
        f"{_plural(len(found.rows), 'theme')} across {_plural(len(found.years), 'reporting year')}. "
        + (
            "Recurring in more than one year: " + ", ".join(row.name for row in recurring) + ". "
            if recurring
            else "No theme recurs across years yet. "
        )
        + f"The most frequent: {found.rows[0].name}, in {_plural(found.rows[0].reviews, 'review')}."
        if found.rows
        else "No findings or recommendations are tagged with themes yet."
    )
    table = Table(
        ["Theme", *columns, "Total"],
        [
            [row.name, *(row.by_year[year.start.year] for year in found.years), row.reviews]
            for row in found.rows
        ],
    )
    return Chart(
        "themes",
        "Theme recurrence",
        summary,
        "Each cell is the number of reviews with a finding or a recommendation on the theme, by the "
        "reporting year the review started (when the partnership became aware of the case). Darker "
        "cells are more reviews.",
        heat_map([row.name for row in found.rows], columns, counts),
        table,
        empty=not found.rows,
    )


# The charts by their CSV names, in the page's order.
CHART_KEYS = ("stages", "rapid-reviews", "timeliness", "actions-by-rag", "overdue-actions", "themes")
