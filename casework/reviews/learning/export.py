"""The briefing as a Word document: its title, the partnership, then the six sections in reading
order, each a heading with its text. Short enough to print on a page or two and read aloud in a
team meeting."""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
from docx.shared import Pt

from casework.reviews.learning.models import SECTIONS, LearningBriefing

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class BriefingText:
    """What a briefing shows, whichever record it was read from (the public register reads only
    these columns)."""

    title: str
    reference: str
    type_name: str
    partnership: str
    sections: list[tuple[str, str]]  # (heading, text) in reading order

    @classmethod
    def of(cls, briefing: LearningBriefing, *, type_name: str, partnership: str) -> BriefingText:
        return cls(
            briefing.title,
            briefing.review.reference,
            type_name,
            partnership,
            [(heading, text) for _name, heading, text in briefing.sections],
        )


def paragraphs(text: str) -> list[str]:
    """A section's paragraphs: its lines, without the blank ones."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def briefing_docx(briefing: BriefingText) -> bytes:
    document = docx.Document()
    properties = document.core_properties
    # The partnership is the author: no person's name goes into a file that may be published.
    properties.title, properties.author, properties.last_modified_by = (
        briefing.title,
        briefing.partnership,
        briefing.partnership,
    )
    properties.subject = f"7-minute briefing, {briefing.type_name} {briefing.reference}"
    style = document.styles["Normal"]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    document.add_heading(briefing.title, level=0)
    document.add_paragraph(
        f"{briefing.partnership}. 7-minute briefing: {briefing.type_name} {briefing.reference}."
    )
    for number, (heading, text) in enumerate(briefing.sections, start=1):
        document.add_heading(f"{number}. {heading}", level=1)
        for paragraph in paragraphs(text) or ["Not written yet."]:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def section_headings() -> list[str]:
    """The headings the document gives the sections, in order."""
    return [f"{number}. {heading}" for number, (_name, heading) in enumerate(SECTIONS, start=1)]
