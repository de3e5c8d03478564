"""The kinds of chart the board's charts are drawn as: horizontal stacked bars, vertical bars
(stacked per column, or grouped), a line over time and a heat map, each placed in Python on a
drawing (drawing.py)."""

from __future__ import annotations

import math
from collections.abc import Callable

from casework.insight.drawing import (
    CHAR,
    FONT,
    INK,
    RULE,
    SECONDARY,
    SHADES,
    WIDTH,
    Dot,
    Drawing,
    Line,
    Rect,
    Series,
    Text,
    fmt,
    legend,
    nice_ticks,
    percent,
    plural,
)

# --- horizontal stacked bars ---------------------------------------------------------------------


def stacked_rows(labels: list[str], segments: list[list[int]], kinds: list[Series], unit: str) -> Drawing:
    """One bar per row, its segments side by side, each with its number where it fits, the total
    after the bar."""
    drawing = Drawing(height=0, series=kinds)
    top = legend(drawing, 4)
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
            tip = f"{label}, {kinds[index].label}: {plural(value, unit)}"
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
    drawing: Drawing, top: float, ticks: list[float], label: Callable[[float], str] = fmt
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
    top = legend(drawing, 4) + 16
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
            tip = f"{label}, {kinds[index].label}: {plural(value, unit)}"
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
    top = legend(drawing, 4) + 16
    scale = _value_axis(drawing, top, [0, 0.25, 0.5, 0.75, 1.0], percent)
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
                Text(centre, round(base - height - 6, 1), percent(share), anchor="middle", size=11)
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
            tip = f"{label}, {columns[index]}: {plural(count, 'review')}"
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
