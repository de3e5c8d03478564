"""The demo's statutory notices: a published CSPR whose notices were sent (one with the Panel's
reference), a looked-after child's death notified, the DHR decision not to review notified, and a
DHR in the Home Office quality assurance loop with the Panel's feedback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.demo.reviews import (
    demo_commission,
    demo_decision,
    demo_lead_reviewer,
    demo_referred,
    demo_review_type,
)
from casework.reviews.drafts import services as drafts
from casework.reviews.models import QualityStep, Review, ReviewNotice
from casework.reviews.notices import services as notices
from casework.reviews.referral.rapid_review import refer_for_decision

Report = Callable[..., FileStorage]

DHR_PSEUDONYM = "Person Q"


def _notice(review: Review, key: str) -> ReviewNotice:
    return next(n for n in review.notices if n.requirement.key == key)


def _sent(review: Review, key: str, on: date, manager: User, reference: str = "", reason: str = "") -> None:
    notice = _notice(review, key)
    if notice.sent_on is None and notice.applies:
        notices.record_sent(notice, sent_on=on, reference=reference, reason=reason, version=None, by=manager)


def send_cspr_notices(review: Review, manager: User) -> None:
    """A CSPR's notices at referral, sent on time: the Panel's notification with its reference."""
    aware = review.referral.la_became_aware_on or review.referral.became_aware_on
    on = working_calendar().add_working_days(aware, 3)
    _sent(review, "serious_incident", on, manager, reference=f"CSINS-{review.id:05d}")
    _sent(review, "partners_report", on, manager)
    if review.referral.looked_after_child_died:
        _sent(review, "looked_after_death", on, manager, reference=f"DFE-LAC-{review.id:04d}")


def send_report_notice(review: Review, on: date, manager: User) -> None:
    _sent(review, "final_report", on, manager, reference=f"CSPRP-REP-{review.id:04d}")


def record_not_published_reasons(review: Review, manager: User) -> None:
    notice = _notice(review, "not_published_reasons")
    if notice.sent_on is not None or not notice.applies:
        return
    decided = review.publication.not_published_on if review.publication else None
    on = decided or uk_today()
    notices.record_sent(
        notice,
        sent_on=on,
        reference="",
        reason="Publishing could identify the surviving sibling locally.",
        version=None,
        by=manager,
    )
    received = min(uk_today(), on + timedelta(days=2))
    notices.record_comments(
        notice,
        comments="The Panel accepts the reasons and asks to see the improvement plan in six months.",
        received_on=received,
        version=None,
        by=manager,
    )
    notices.record_response(
        notice,
        response="The partners will send the plan's six-month review to the Panel.",
        responded_on=min(uk_today(), received + timedelta(days=1)),
        version=None,
        by=manager,
    )


def load_demo_notices(manager: User, lead: User, agency: dict[str, Agency], report: Report) -> list[str]:
    added = []
    reviews = {(r.review_type.code, r.pseudonym): r for r in db.session.execute(db.select(Review)).scalars()}
    # The DHR decision not to hold a review, notified to the Home Office.
    person_j = reviews.get(("DHR", "Person J"))
    if person_j is not None:
        decided = person_j.decision.decided_on if person_j.decision else uk_today()
        _sent(person_j, "decision", decided + timedelta(days=5), manager, reference="HO-DHR-NR-118")
    if ("DHR", DHR_PSEUDONYM) not in reviews:
        review = _dhr_in_quality_assurance(manager, lead, agency, report)
        added.append(f"review {review.reference} ({DHR_PSEUDONYM}, in Home Office quality assurance)")
    return added


def _dhr_in_quality_assurance(manager: User, lead: User, agency: dict[str, Agency], report: Report) -> Review:
    aware = uk_today() - timedelta(days=300)
    dhr, story = demo_review_type("DHR"), "A woman died at home; her former partner was charged."
    review = demo_referred(
        dhr, DHR_PSEUDONYM, story, aware, agency["Northshire Police"], manager, days_before=2
    )
    refer_for_decision(review, review.version)
    demo_decision(review, manager, aware + timedelta(days=21))
    _sent(review, "decision", aware + timedelta(days=23), manager, reference="HO-DHR-2026-0412")
    demo_commission(review, manager, agency.__getitem__, aware + timedelta(days=35))
    demo_lead_reviewer(review, lead, manager)
    drafts.upload_draft(
        review,
        report("person-q-overview.docx", "The overview report of the review of Person Q's death."),
        "Overview report",
        lead,
        None,
    )
    calendar = working_calendar()
    signed_off = calendar.add_working_days(uk_today(), -40)
    drafts.mark_final(review, signed_off, manager, None)
    submitted = calendar.add_working_days(signed_off, 3)
    notices.record_home_office_step(review, QualityStep.SUBMITTED, submitted, "Sent to the Panel.", manager)
    notices.record_home_office_step(
        review,
        QualityStep.FEEDBACK,
        calendar.add_working_days(submitted, 20),
        "The Panel asks for more on the family's experience of the specialist advocacy offered, and for "
        "the action plan to name an owner for each action.",
        manager,
    )
    return review  # the loop waits for the resubmission
