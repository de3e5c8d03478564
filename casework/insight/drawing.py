"""Drawings ready for SVG: the shapes (rectangles, text, lines, dots), a drawing that writes them
as SVG elements in Python (the page needs no script, and its template only frames the drawing),
the table that goes with every chart, and the palette. Series are told apart by pattern and by
label as well as by colour; numbers are printed on a white chip where they sit on a coloured
shape."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup, escape

from casework.actions.rag import Rag

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


def _element(name: str, attributes: dict[str, object], content: str | None = None) -> str:
    """An SVG element, its attributes in the order given and escaped (None leaves one out); with no
    content it closes itself. Numbers are written as they are: escaping them would cost a call per
    attribute and change nothing."""
    written = "".join(
        [
            f' {key}="{escape(value) if isinstance(value, str) else value}"'
            for key, value in attributes.items()
            if value is not None
        ]
    )
    return f"<{name}{written}/>" if content is None else f"<{name}{written}>{content}</{name}>"


def _title(tip: str) -> str:
    """A shape's own title, shown on hover (none: empty)."""
    return f"<title>{escape(tip)}</title>" if tip else ""


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
        attributes = {"x": self.x, "y": self.y, "width": self.width, "height": self.height}
        return _element("rect", {**attributes, "fill": fill, "stroke": self.stroke}, _title(self.tip))


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
            chip = _element(
                "rect", {"x": x, "y": y, "width": width, "height": height, "rx": 2, "fill": "#ffffff"}
            )
        attributes = {
            "x": self.x,
            "y": self.y,
            "text-anchor": self.anchor if self.anchor != "start" else None,
            "font-size": self.size,
            "font-weight": "bold" if self.bold else None,
            "fill": self.fill,
        }
        return chip + _element("text", attributes, escape(self.text))


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
        ends = {"x1": self.x1, "y1": self.y1, "x2": self.x2, "y2": self.y2}
        dashes = "4 3" if self.dashed else None
        return _element(
            "line", {**ends, "stroke": self.stroke, "stroke-width": self.width, "stroke-dasharray": dashes}
        )


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float = 4
    fill: str = "#1d70b8"
    tip: str = ""

    def svg(self) -> str:
        return _element(
            "circle", {"cx": self.x, "cy": self.y, "r": self.r, "fill": self.fill}, _title(self.tip)
        )


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


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def percent(share: float | None) -> str:
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


def legend(drawing: Drawing, top: float, left: float = 0) -> float:
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


def fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
