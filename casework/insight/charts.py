"""The board's charts: each figure of the insight page drawn as one of the kinds of chart in
plots.py, on a drawing ready for SVG (drawing.py).

Each chart has its table (the same numbers, for anyone who does not read the picture, and the
CSV download), a summary in words (the SVG's description) and a note on how it was counted.
Series are told apart by pattern and by label as well as by colour; numbers are printed on the
chart, on a white chip where they sit on a coloured shape.
"""

from __future__ import annotations

from datetime import date

from casework.actions.rag import Rag
from casework.core.display import format_date
from casework.insight import figures, overdue
from casework.insight.drawing import RAG_SERIES, Chart, Series, Table, fmt, percent, plural, series
from casework.insight.plots import grouped_columns, heat_map, line_over_time, stacked_columns, stacked_rows

# --- the charts ----------------------------------------------------------------------------------


def stages_chart(counts: figures.StageCounts) -> Chart:
    kinds = series([kind.code for kind in counts.types])
    labels = [row.stage.label for row in counts.rows]
    segments = [[row.by_type[kind.id] for kind in counts.types] for row in counts.rows]
    total = sum(row.total for row in counts.rows)
    busiest = max(counts.rows, key=lambda row: row.total, default=None)
    summary = (
        f"{plural(total, 'review')}: "
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
        f"{plural(total, 'rapid review')} since {years[0].year.label}; {became} became a local review. "
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
                percent(
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
                    percent(cell.share),
                    cell.within_agreed,
                    "n/a" if cell.median_days_late is None else fmt(cell.median_days_late),
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
        f"{plural(total, 'action')}, {red} red. "
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


def overdue_chart(points: list[overdue.OverduePoint], today: date) -> Chart:
    labels = [_month(point.day, today) for point in points]
    values = [point.count for point in points]
    tips = [f"{format_date(point.day)}: {plural(point.count, 'action')} overdue" for point in points]
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
        f"{plural(len(found.rows), 'theme')} across {plural(len(found.years), 'reporting year')}. "
        + (
            "Recurring in more than one year: " + ", ".join(row.name for row in recurring) + ". "
            if recurring
            else "No theme recurs across years yet. "
        )
        + f"The most frequent: {found.rows[0].name}, in {plural(found.rows[0].reviews, 'review')}."
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
