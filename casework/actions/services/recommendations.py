"""Themes, findings and recommendations: recording them, keeping the learning of a review not
held locally, confirming the recommendations before actions are planned."""

from __future__ import annotations

import re
from typing import TypeVar

from sqlalchemy.orm import selectinload

from casework.actions import resemblance
from casework.actions.models import (
    Finding,
    Recommendation,
    Theme,
)
from casework.actions.services.checks import plan_open
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.core.timeutil import utcnow
from casework.reviews.models import Review, ReviewType
from casework.reviews.stages import DECISION_ENDINGS


def add_theme(name: str, by: User, review_types: list[ReviewType]) -> Theme:
    """A new theme for these types; a name already in use gains the types it lacks."""
    if not by.can_track_actions():
        raise DomainError("Only a board manager can add themes")
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter the theme", field="name")
    if not review_types:
        raise DomainError("Select the types of review it applies to", field="review_types")
    existing = {t.name.casefold(): t for t in db.session.execute(db.select(Theme)).scalars()}
    theme = existing.get(name.casefold())
    if theme is not None:
        missing = [t for t in review_types if t not in theme.review_types]
        if not missing:
            raise DomainError("That theme already exists for these types of review", field="name")
        theme.review_types.extend(missing)
    else:
        theme = Theme(name=name[:120], review_types=list(review_types))
        db.session.add(theme)
    codes = [t.code for t in review_types]
    audit.record("theme_added", f"Theme added: {theme.name}", subject=theme, details={"types": codes})
    return theme


def _next_number(model: type[Finding] | type[Recommendation], review: Review) -> int:
    highest = db.session.execute(
        db.select(db.func.max(model.number)).where(model.review_id == review.id)
    ).scalar()
    return (highest or 0) + 1


P = TypeVar("P", Finding, Recommendation)


def _added(review: Review, record: P, action: str, summary: str) -> P:
    """A new finding or recommendation, with its audit event (``summary`` may name its number)."""
    db.session.add(record)
    audit.record(
        action, summary, subject=review, review=review, details={"themes": [t.name for t in record.themes]}
    )
    return record


def _written(review: Review, by: User, noun: str, text: str) -> str:
    """The text of a finding or recommendation, once the plan is open to ``by`` and it says something."""
    plan_open(review)
    if not review.can_write_recommendations(by):
        raise DomainError(f"Only the board manager or the review's reviewer can record {noun}s")
    if not text.strip():
        raise DomainError(f"Enter the {noun}", field="text")
    return text.strip()


def add_finding(review: Review, text: str, themes: list[Theme], by: User) -> Finding:
    finding = Finding(
        review_id=review.id,
        number=_next_number(Finding, review),
        text=_written(review, by, "finding", text),
        themes=themes,
        created_by_id=by.id,
    )
    return _added(review, finding, "finding_added", f"Finding {finding.number} recorded")


def add_recommendation(
    review: Review, text: str, to_partnership: bool, agencies: list[Agency], themes: list[Theme], by: User
) -> Recommendation:
    text = _written(review, by, "recommendation", text)
    if not to_partnership and not agencies:
        raise DomainError("Say who the recommendation is addressed to", field="agencies")
    recommendation = Recommendation(
        review_id=review.id,
        number=_next_number(Recommendation, review),
        text=text,
        to_partnership=to_partnership,
        agencies=agencies,
        themes=themes,
        created_by_id=by.id,
    )
    summary = f"Recommendation {recommendation.number} recorded for {recommendation.addressed_to}"
    return _added(review, recommendation, "recommendation_added", summary)


def learning_lines(review: Review) -> list[str]:
    """The rapid review's learning and immediate safety actions, one item a line (bullets and
    numbers dropped): the starting point of the recommendations kept from a no-review decision."""
    rapid = review.rapid_review
    if rapid is None:
        return []
    lines = f"{rapid.learning_identified}\n{rapid.immediate_safety_actions}".splitlines()
    items = (line.strip().lstrip("-*•").strip() for line in lines)
    return [re.sub(r"^\d+[.)]\s*", "", item) for item in items if item]


def keep_learning(review: Review, texts: list[str], by: User) -> list[Recommendation]:
    """Recommendations to the partnership from what a review ended without a local review
    learned (the rapid review's learning, the Panel's national recommendations), so they get
    actions with owners like any other plan's."""
    if review.stage not in DECISION_ENDINGS:
        raise DomainError(
            "This is for a review ended by a decision not to hold a local review: "
            "add this review's recommendations on its action plan"
        )
    if not review.can_plan_actions(by):
        raise DomainError("Only a board manager can turn the learning into recommendations")
    texts = [" ".join(text.split()) for text in texts if text.strip()]
    if not texts:
        raise DomainError("Enter at least one recommendation, one a line", field="recommendations")
    if any(len(text) > 10000 for text in texts):
        raise DomainError("Each recommendation must be 10,000 characters or fewer", field="recommendations")
    first = _next_number(Recommendation, review)
    added = [
        Recommendation(
            review_id=review.id, number=first + i, text=text, to_partnership=True, created_by_id=by.id
        )
        for i, text in enumerate(texts)
    ]
    db.session.add_all(added)
    audit.record(
        "learning_kept",
        f"{len(added)} recommendations recorded from the learning of {review.reference}",
        subject=review,
        review=review,
        details={"count": len(added), "from": review.stage.value},
    )
    return added


def confirm_recommendations(review: Review, by: User, differences: dict[int, str] | None = None) -> int:
    """The report is final: its recommendations are confirmed and no longer change. One that
    closely resembles an earlier review's recommendation is confirmed only with the answer to
    "what is different this time?" (``differences``, by recommendation id), kept on it."""
    plan_open(review)
    if not review.can_plan_actions(by):
        raise DomainError("Only a board manager can confirm the recommendations")
    pending = [r for r in _recommendations(review) if r.confirmed_at is None]
    if not pending:
        raise DomainError("There are no unconfirmed recommendations")
    answers = {key: (value or "").replace("\x00", "").strip() for key, value in (differences or {}).items()}
    repeats = resemblance.close_earlier(pending)
    unanswered = [r for r in pending if r.id in repeats and not answers.get(r.id)]
    if unanswered:
        first = unanswered[0]
        raise DomainError(
            f"Recommendation {first.number} closely resembles {repeats[first.id].label} "
            f"({repeats[first.id].year}): say what is different this time before confirming"
        )
    if any(len(answers.get(r.id, "")) > 5000 for r in pending if r.id in repeats):
        raise DomainError('Each answer to "what is different this time?" must be 5,000 characters or fewer')
    for recommendation in pending:
        recommendation.confirmed_at = utcnow()
        earlier = repeats.get(recommendation.id)
        if earlier is not None:
            recommendation.resembles_id = earlier.id
            recommendation.difference_from_earlier = answers[recommendation.id]
            audit.record(
                "recommendation_repeated",
                f"Recommendation {recommendation.number} resembles {earlier.label}: "
                f"{recommendation.difference_from_earlier}",
                subject=recommendation,
                review=review,
                details={"resembles": earlier.id, "score": earlier.score},
            )
    audit.record(
        "recommendations_confirmed",
        f"{len(pending)} recommendations confirmed as final",
        subject=review,
        review=review,
    )
    return len(pending)


def _recommendations(review: Review) -> list[Recommendation]:
    return all_rows(
        Recommendation,
        Recommendation.review_id == review.id,
        order_by=(Recommendation.number,),
        load=(selectinload(Recommendation.themes),),
    )
