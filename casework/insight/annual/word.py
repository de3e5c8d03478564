"""The annual report pack as a Word document: a heading per section, the figures as tables, and
bar charts as pictures with their figures in words as alternative text."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime

import docx
from docx.document import Document
from docx.shared import Cm

from casework.core.display import format_datetime
from casework.insight.annual.charts import Chart, charts_for, draw_bars, impact_chart
from casework.insight.annual.sections import DEFINITIONS, AgencyActions, AnnualFigures, Section

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Characters XML 1.0 cannot hold: python-docx refuses them, so they are dropped.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(text: object) -> str:
    return _NOT_IN_XML.sub("", str(text))


def _table(document: Document, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_clean(heading)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _clean(value)
    document.add_paragraph()


def _chart(document: Document, chart: Chart) -> None:
    picture = document.add_picture(io.BytesIO(draw_bars(chart)), width=Cm(16))
    # The picture's description is what a screen reader says (Word's "alt text").
    properties = picture._inline.docPr
    properties.set("descr", _clean(chart.description))
    properties.set("title", _clean(chart.title))


def _section(document: Document, section: Section) -> None:
    document.add_heading(section.title, level=1)
    document.add_heading("Figures for the year", level=2)
    _table(document, ("Figure", "Number"), section.summary_rows())
    timeliness, themes, actions = charts_for(section)
    _chart(document, timeliness)

    document.add_heading("Decisions", level=2)
    _table(document, ("Outcome", "Decisions"), section.decision_rows())
    if section.is_adults:
        document.add_heading("Reviews arranged, by mandate", level=2)
        _table(document, ("Mandate", "Reviews"), section.mandate_rows())

    document.add_heading("Themes of the reviews concluded", level=2)
    if section.themes:
        _table(document, ("Theme", "Reviews"), section.themes)
        _chart(document, themes)
    else:
        document.add_paragraph("No themes recorded on the reviews concluded in the year.")

    document.add_heading("Actions by agency", level=2)
    if section.actions:
        lines = [*section.actions, section.action_totals]
        _table(
            document,
            AgencyActions.HEADINGS,
            [line.cells() for line in lines],
        )
        _chart(document, actions)
    else:
        document.add_paragraph("No actions in the year.")

    document.add_heading("Impact", level=2)
    _table(document, ("Figure", "Number"), section.impact_rows())
    _chart(document, impact_chart(section))

    if section.is_adults:
        _adults(document, section)
    else:
        document.add_heading("Recommendations not acted on, with the reason", level=2)
        _not_pursued(document, section)


def _not_pursued(document: Document, section: Section) -> None:
    if section.not_pursued:
        _table(
            document,
            ("Review", "Recommendation", "Text", "Reason", "Decided"),
            [
                (
                    f"{item.reference}: {item.name}",
                    item.recommendation,
                    item.text,
                    item.reason,
                    f"{item.decided_on:%d/%m/%Y}",
                )
                for item in section.not_pursued
            ],
        )
    else:
        document.add_paragraph("No decision not to pursue a recommendation was recorded in the year.")


def _adults(document: Document, section: Section) -> None:
    document.add_heading("Reviews concluded and their findings (Schedule 2, paragraph 4(1)(d))", level=2)
    if not section.concluded_reviews:
        document.add_paragraph("No review concluded in the year.")
    for review in section.concluded_reviews:
        document.add_heading(
            f"{review.reference}: {review.name}, concluded {review.concluded_on:%d %B %Y}", level=3
        )
        for text in review.findings or ("No findings recorded.",):
            document.add_paragraph(_clean(text), style="List Bullet")

    document.add_heading("What was done to implement the findings (paragraph 4(1)(f))", level=2)
    if section.done:
        _table(
            document,
            ("Review", "Recommendation", "Action", "Owner", "Completed", "Verified"),
            [
                (
                    done.reference,
                    done.recommendation,
                    done.description,
                    done.agency,
                    f"{done.completed_on:%d/%m/%Y}" if done.completed_on else "",
                    f"{done.verified_on:%d/%m/%Y}" if done.verified_on else "",
                )
                for done in section.done
            ],
        )
    else:
        document.add_paragraph("No action was completed or verified in the year.")

    document.add_heading("Findings not acted on, and why (paragraph 4(1)(g))", level=2)
    _not_pursued(document, section)
    document.add_heading("No action planned and no decision recorded", level=3)
    if section.not_acted_on:
        document.add_paragraph(
            "Confirmed, or their review concluded, by the end of the year with no action planned and "
            "no decision not to pursue them recorded: the board gives its reasons."
        )
        _table(
            document,
            ("Review", "Recommendation", "Text"),
            [(item.reference, item.recommendation, item.text) for item in section.not_acted_on],
        )
    else:
        document.add_paragraph("Every recommendation has an action planned or a decision recorded.")


def export_docx(figures: AnnualFigures, partnership: str, made_at: datetime) -> bytes:
    document = docx.Document()
    year = figures.year
    document.add_heading(f"Annual report pack {year.label}", level=0)
    document.add_paragraph(_clean(partnership))
    document.add_paragraph(
        f"Reporting year 1 April {year.start.year} to 31 March {year.end.year}. "
        f"Made {format_datetime(made_at)}."
    )
    if not figures.complete:
        document.add_paragraph("The year has not ended: the figures are for the year so far.")
    for section in figures.sections:
        _section(document, section)
    document.add_heading("How the figures are counted", level=1)
    _table(document, ("Figure", "How it is counted"), DEFINITIONS)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
