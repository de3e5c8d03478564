"""Demo publication delay: Child D's publication waits for the inquest on its register, and the
delay names it (so the delay notice's reasons start from it). Added once."""

from __future__ import annotations

from datetime import timedelta

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo.records import demo_inquest
from casework.reviews.models import ProcessStatus, PublicationDelay, Review
from casework.reviews.publication import publishing
from casework.reviews.stages import ReviewStage


def load_demo_delays(manager: User) -> list[str]:
    review = db.session.execute(db.select(Review).where(Review.pseudonym == "Child D")).scalar_one_or_none()
    if review is None or review.stage not in (ReviewStage.DRAFTING, ReviewStage.PUBLICATION):
        return []
    delayed = db.select(PublicationDelay.id).where(PublicationDelay.review_id == review.id)
    if db.session.execute(delayed).first() is not None:
        return []
    today = uk_today()
    inquest = demo_inquest(
        review,
        "Inquest into the baby's death, Northshire Coroner's Court",
        ProcessStatus.UNDER_WAY,
        manager,
        started_on=today - timedelta(days=60),
        expected_end_on=today + timedelta(days=150),
    )
    publishing.record_delay(
        review,
        "The coroner asked that the report is not published before the inquest concludes.",
        today + timedelta(days=180),
        manager,
        process_id=inquest.id,
    )
    return [f"publication delay of {review.reference}"]
