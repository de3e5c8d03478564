"""What an agency has finished or handed over: kept apart from what it owes, newest first, the
latest few of each kind (one query each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import Select

from casework.actions.models import Action, Recommendation
from casework.actions.rag import DONE
from casework.agencies.contributions import AWAITING_AGENCY, ContributionRequest
from casework.auth.models import User
from casework.core.extensions import db
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, DraftVersion, Review

LIMIT = 20  # of each kind: the page is about what is owed; the full lists are a click away


@dataclass(frozen=True)
class FinishedItem:
    kind: str
    reference: str
    pseudonym: str
    what: str
    link: str
    due_on: date
    state: str


def _latest(query: Select[tuple[object, ...]]) -> list[object]:
    return list(db.session.execute(query.limit(LIMIT)).all())


def agency_finished(user: User) -> list[FinishedItem]:
    agency, review = user.agency_id, (Review.reference, Review.pseudonym)
    requests = _latest(
        db.select(
            *review,
            ContributionRequest.id,
            ContributionRequest.kind,
            ContributionRequest.due_on,
            ContributionRequest.status,
        )
        .join(Review, ContributionRequest.review_id == Review.id)
        .where(ContributionRequest.agency_id == agency, ContributionRequest.status.not_in(AWAITING_AGENCY))
        .order_by(ContributionRequest.due_on.desc(), ContributionRequest.id.desc())
    )
    answers = _latest(
        db.select(*review, AccuracyAnswer.id, DraftVersion.number, AccuracyCheck.due_on)
        .join(AccuracyCheck, AccuracyAnswer.check_id == AccuracyCheck.id)
        .join(DraftVersion, AccuracyCheck.version_id == DraftVersion.id)
        .join(Review, DraftVersion.review_id == Review.id)
        .where(AccuracyAnswer.agency_id == agency, AccuracyAnswer.signed_off_at.is_not(None))
        .order_by(AccuracyCheck.due_on.desc(), AccuracyAnswer.id.desc())
    )
    actions = _latest(
        db.select(*review, Action.id, Recommendation.number, Action.deadline, Action.status)
        .join(Review, Action.review_id == Review.id)
        .join(Recommendation, Action.recommendation_id == Recommendation.id)
        .where(Action.agency_id == agency, Action.status.in_(DONE))
        .order_by(Action.deadline.desc(), Action.id.desc())
    )
    items = [
        *(
            FinishedItem(
                "Contribution request",
                r.reference,
                r.pseudonym,
                r.kind.label,
                url_for("agencies.request_detail", request_id=r.id),
                r.due_on,
                r.status.label,
            )
            for r in requests
        ),
        *(
            FinishedItem(
                "Factual accuracy check",
                r.reference,
                r.pseudonym,
                f"Draft version {r.number}",
                url_for("reviews.accuracy_answer", answer_id=r.id),
                r.due_on,
                "Signed off",
            )
            for r in answers
        ),
        *(
            FinishedItem(
                "Action",
                r.reference,
                r.pseudonym,
                f"Action on recommendation {r.number}",
                url_for("actions.action_detail", action_id=r.id),
                r.deadline,
                r.status.label,
            )
            for r in actions
        ),
    ]
    return sorted(items, key=lambda item: item.due_on, reverse=True)
