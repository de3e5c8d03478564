"""The 7-minute briefing: drafted from what the review holds, edited and approved by a board
manager (approval freezes it until reopened), and offered on the public register as a Word
document once the review is published.

A draft never carries identifying details: it is built only from what is public or anonymised
(the type, the reference and pseudonym, the public summary and learning, the findings,
recommendations and themes), and anything in them that matches the names, dates of birth or
address recorded on the review is taken out. Approval refuses a text that still names them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from flask import current_app
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from casework.actions.models import Finding, Recommendation
from casework.auth.models import User
from casework.core.errors import DomainError, check_version
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.core.timeutil import uk_today, utcnow
from casework.documents.storage import store_upload
from casework.reviews.learning.export import DOCX_MEDIA_TYPE, BriefingText, briefing_docx
from casework.reviews.learning.models import SECTIONS, BriefingStatus, LearningBriefing
from casework.reviews.lifecycle import on_timeline
from casework.reviews.models import Publication, Review
from casework.reviews.publication.anonymisation.results import ExtractedText, Identifier, TextPart
from casework.reviews.publication.anonymisation.search import find_identifiers
from casework.reviews.publication.checks import identifiers_of, require_manager

SECTION_NAMES = tuple(name for name, _heading in SECTIONS)
REMOVED = "[removed]"
TITLE_LENGTH = 200


def briefing_of(review: Review) -> LearningBriefing | None:
    return db.session.get(LearningBriefing, review.id)


def partnership_of(review: Review) -> str:
    """Who carried the review out: adult reviews are the Safeguarding Adults Board's."""
    config = current_app.config
    return config["PARTNERSHIP_NAMES"].get(review.review_type.code, config["PARTNERSHIP_NAME"])


def briefing_text(briefing: LearningBriefing) -> BriefingText:
    review = briefing.review
    return BriefingText.of(briefing, type_name=review.type_name, partnership=partnership_of(review))


def _still_draft(briefing: LearningBriefing) -> None:
    if briefing.is_approved:
        raise DomainError("The briefing is approved and cannot be changed. Reopen it to change it.")


# --- drafting from the review ------------------------------------------------------------------


def _numbered(items: Iterable[str]) -> str:
    return "\n".join(
        f"{number}. {text.strip()}" for number, text in enumerate(items, start=1) if text.strip()
    )


def drafted_sections(review: Review) -> dict[str, str]:
    """The six sections as the review's own public or anonymised records fill them."""
    publication = db.session.get(Publication, review.id)
    findings = all_rows(
        Finding,
        Finding.review_id == review.id,
        order_by=(Finding.number,),
        load=(selectinload(Finding.themes),),
    )
    recommendations = all_rows(
        Recommendation,
        Recommendation.review_id == review.id,
        order_by=(Recommendation.number,),
        load=(selectinload(Recommendation.themes), selectinload(Recommendation.agencies)),
    )
    themes = sorted(
        {theme.name for record in [*findings, *recommendations] for theme in record.themes}, key=str.lower
    )
    summary = publication.public_summary if publication else ""
    learning = publication.learning if publication else ""
    background = (
        f"This briefing shares the learning of the {review.type_name} about {review.pseudonym} "
        f"({review.reference}), carried out by {partnership_of(review)}."
    )
    why = (
        "Reviews look at how services worked, on their own and together, when a child or adult died "
        "or was seriously harmed and abuse or neglect was known or suspected. What they find is "
        "rarely about one practitioner: it is about how the system helps people do their best work."
    )
    if themes:
        why += (
            f"\nThe review's learning concerns: {', '.join(themes)}. Themes like these recur across reviews."
        )
    think = learning or "What in this review's findings could happen in your service?"
    questions = [
        "What would you have done if you had held the information each agency held?",
        "Who would you have shared your concern with, and how?",
        *(f"How does your team recognise and act on {theme.lower()}?" for theme in themes[:3]),
        "What gets in the way of the practice this review asks for, and who can you tell?",
    ]
    return {
        "background": "\n".join(filter(None, [background, summary])),
        "why_it_matters": why,
        "what_was_found": _numbered(finding.text for finding in findings)
        or "The review's findings are not recorded yet.",
        "what_to_think_about": think,
        "questions": "\n".join(questions),
        "what_to_do_now": "\n".join(
            f"{number}. {recommendation.text.strip()} ({recommendation.addressed_to or 'The partnership'})"
            for number, recommendation in enumerate(recommendations, start=1)
        )
        or "Read the review and talk about its learning with your team.",
    }


def _without_identifiers(text: str, identifiers: list[Identifier]) -> str:
    """``text`` with every recorded identifier in it replaced; a line in which one is still found
    (written in a way the replacement missed) is left out altogether."""
    if not identifiers:
        return text
    kept = []
    for line in text.split("\n"):
        for found in _found_in(line, identifiers):
            words = r"\s+".join(re.escape(word) for word in found.split())
            line = re.sub(rf"(?<!\w){words}(?!\w)", REMOVED, line, flags=re.IGNORECASE)
        if not _found_in(line, identifiers):
            kept.append(line)
    return "\n".join(kept)


def _found_in(text: str, identifiers: list[Identifier]) -> list[str]:
    return [
        match.term for match in find_identifiers(ExtractedText([TextPart("text", text)], True), identifiers)
    ]


def draft_from_review(review: Review, by: User, version: int | None = None) -> LearningBriefing:
    """Start the briefing, or fill a draft again, from what the review holds now."""
    require_manager(review, by)
    briefing = briefing_of(review)
    if briefing is not None:
        check_version(briefing, version, "this briefing")
        _still_draft(briefing)
    identifiers = identifiers_of(review)
    sections = {
        name: _without_identifiers(text, identifiers) for name, text in drafted_sections(review).items()
    }
    if briefing is None:
        briefing = LearningBriefing(
            review_id=review.id,
            status=BriefingStatus.DRAFT,
            drafted_by_id=by.id,
            updated_by_id=by.id,
        )
        db.session.add(briefing)
    briefing.title = f"7-minute briefing: {review.pseudonym}"[:TITLE_LENGTH]
    for name, text in sections.items():
        setattr(briefing, name, text)
    briefing.drafted_by_id, briefing.drafted_at = by.id, utcnow()
    briefing.updated_by_id, briefing.updated_at = by.id, utcnow()
    on_timeline(review, "briefing_drafted", "7-minute briefing drafted from the review")
    return briefing


# --- editing, approving, reopening -------------------------------------------------------------


def save_briefing(briefing: LearningBriefing, values: dict[str, str], by: User, version: int | None) -> None:
    review = briefing.review
    require_manager(review, by)
    check_version(briefing, version, "this briefing")
    _still_draft(briefing)
    title = (values.get("title") or "").strip()
    if not title:
        raise DomainError("Enter the briefing's title", field="title")
    briefing.title = title
    for name, _heading in SECTIONS:
        setattr(briefing, name, (values.get(name) or "").strip())
    briefing.updated_by_id, briefing.updated_at = by.id, utcnow()
    on_timeline(review, "briefing_saved", "7-minute briefing saved")


def identifying_details_in(briefing: LearningBriefing) -> list[str]:
    """Where the briefing names what the review records as identifying: labels and sections only,
    never the values."""
    parts = [TextPart("the title", briefing.title)]
    parts += [TextPart(heading.lower(), text) for _name, heading, text in briefing.sections]
    found = find_identifiers(ExtractedText(parts, True), identifiers_of(briefing.review))
    return sorted({f"{match.label} (in {match.location})" for match in found})


def approve_briefing(briefing: LearningBriefing, by: User, version: int | None) -> None:
    review = briefing.review
    require_manager(review, by)
    check_version(briefing, version, "this briefing")
    _still_draft(briefing)
    missing = briefing.missing_sections
    if missing:
        raise DomainError("Write every section before approving: " + ", ".join(m.lower() for m in missing))
    identifying = identifying_details_in(briefing)
    if identifying:
        raise DomainError(
            "The briefing contains identifying details recorded on the review: "
            + "; ".join(identifying)
            + ". Take them out before approving."
        )
    briefing.status = BriefingStatus.APPROVED
    briefing.approved_by_id, briefing.approved_at = by.id, utcnow()
    on_timeline(review, "briefing_approved", "7-minute briefing approved")
    offer_on_register(review, by)


def reopen_briefing(briefing: LearningBriefing, by: User, version: int | None) -> None:
    """Back to a draft to change it; the public register stops offering it until it is approved
    again (an agency that has it keeps the copy it was sent)."""
    review = briefing.review
    require_manager(review, by)
    check_version(briefing, version, "this briefing")
    if not briefing.is_approved:
        raise DomainError("The briefing is a draft already")
    briefing.status = BriefingStatus.DRAFT
    briefing.approved_by_id, briefing.approved_at = None, None
    briefing.updated_by_id, briefing.updated_at = by.id, utcnow()
    publication = db.session.get(Publication, review.id)
    if publication is not None and publication.briefing_document_id is not None:
        publication.briefing_document_id = None
    on_timeline(review, "briefing_reopened", "7-minute briefing reopened for changes")


# --- the public register -------------------------------------------------------------------


def offer_on_register(review: Review, by: User) -> None:
    """Once the review is published and its briefing approved (whichever comes second), the
    approved briefing becomes the register's "Learning briefing" download: a Word document kept
    as it was approved."""
    briefing = briefing_of(review)
    publication = db.session.get(Publication, review.id)
    if (
        briefing is None
        or not briefing.is_approved
        or publication is None
        or publication.published_on is None
    ):
        return
    content = briefing_docx(briefing_text(briefing))
    upload = FileStorage(
        io.BytesIO(content),
        filename=f"{review.reference} 7-minute briefing.docx",
        content_type=DOCX_MEDIA_TYPE,
    )
    document = store_upload(upload, uploaded_by=by, review=review, allowed={"docx"})
    publication.briefing_document_id = document.id
    on_timeline(
        review,
        "briefing_offered",
        "7-minute briefing offered on the public register",
        details={"on": uk_today().isoformat()},
    )
