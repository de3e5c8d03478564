"""Recording statutory notices: sent (with the recipient's reference), the recipients' comments,
the partners' response; and the Home Office quality assurance loop. Each function checks its
guard, changes and flushes, and writes the change on the review's timeline; the request commits
once. A refused step raises DomainError and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from casework.auth.models import User
from casework.core.errors import DomainError, check_version
from casework.core.extensions import db
from casework.core.workdays import working_calendar
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import check_open, finish, on_timeline
from casework.reviews.models import (
    HomeOfficeStep,
    NoticeCondition,
    NoticeRequirement,
    NoticeTiming,
    Publication,
    QualityStep,
    Review,
    ReviewNotice,
)
from casework.reviews.notices.rules import applies, requirements_for
from casework.reviews.publication.checks import final_version
from casework.reviews.stages import ReviewStage

# Notices that exist to give reasons: sending one records the reasons given.
REASONED = (NoticeCondition.PUBLICATION_DELAYED, NoticeCondition.NOT_PUBLISHED)


def _publication_of(review: Review) -> Publication:
    publication = review.publication
    if publication is None:
        publication = Publication(review=review)
        db.session.add(publication)
    return publication


def _require_manager(review: Review, by: User) -> None:
    if not review.can_manage(by):
        raise DomainError("Only a board manager can do this")


def _checked_change(notice: ReviewNotice, version: int | None, by: User) -> Review:
    """The notice's review, once the change is known to be on the version shown and by a manager."""
    check_version(notice, version, "this notice")
    _require_manager(notice.review, by)
    return notice.review


@dataclass(frozen=True)
class _Answer:
    """A step answering the notice's earlier one (the recipients' comments answer the sending,
    the partners' response the comments): the notice's attributes for its text and date, which
    are also the form's fields, and the words of its checks and of the timeline."""

    text: str  # the attribute (and form field) of its words; its date is ``<text>_on``
    day_field: str  # the form's field for its date
    earlier: str  # the attribute of the earlier step's date
    not_yet: str  # refused while the earlier step is not recorded
    missing_text: str
    missing_day: str
    named_day: str
    too_early: str  # followed by the earlier step's date
    event: str
    told: str  # on the timeline, before the notice's label


COMMENTS = _Answer(
    "comments",
    "received_on",
    "sent_on",
    "Record the notice as sent before its comments",
    "Enter the comments received",
    "Enter the date the comments were received",
    "The date the comments were received",
    "The comments cannot be received before the notice was sent",
    "notice_comments_received",
    "Comments received on",
)
RESPONSE = _Answer(
    "response",
    "responded_on",
    "comments_on",
    "Record the comments received before the partners' response",
    "Enter the partners' response",
    "Enter the date of the response",
    "The date of the response",
    "The response cannot be before the comments were received",
    "notice_response_recorded",
    "Partners' response recorded on",
)


def _record_answer(
    notice: ReviewNotice, answer: _Answer, text: str, on: date | None, version: int | None, by: User
) -> ReviewNotice:
    """Record the answer once its earlier step is, dated neither in the future nor before it."""
    review = _checked_change(notice, version, by)
    earlier = getattr(notice, answer.earlier)
    if earlier is None:
        raise DomainError(answer.not_yet)
    required(text, answer.text, answer.missing_text)
    required(on, answer.day_field, answer.missing_day)
    not_future(on, answer.day_field, answer.named_day)
    not_before(on, earlier, answer.day_field, f"{answer.too_early} ({earlier:%d %B %Y})")
    setattr(notice, answer.text, text.strip())
    setattr(notice, f"{answer.text}_on", on)
    on_timeline(
        review,
        answer.event,
        f"{answer.told}: {notice.requirement.label.lower()}",
        details={"notice": notice.requirement.key},
    )
    return notice


def notices_of(review: Review) -> list[ReviewNotice]:
    """The review's notices in their type's order, with what the page shows: one query."""
    return list(
        db.session.execute(
            db.select(ReviewNotice)
            .join(ReviewNotice.requirement)
            .where(ReviewNotice.review_id == review.id)
            .options(joinedload(ReviewNotice.requirement), joinedload(ReviewNotice.sent_by))
            .order_by(NoticeRequirement.position, NoticeRequirement.id)
        ).scalars()
    )


def record_sent(
    notice: ReviewNotice,
    *,
    sent_on: date | None,
    reference: str,
    reason: str,
    version: int | None,
    by: User,
) -> ReviewNotice:
    review = _checked_change(notice, version, by)
    if not notice.applies and notice.sent_on is None:
        raise DomainError(f"This review does not owe this notice: {notice.requirement.label.lower()}")
    required(sent_on, "sent_on", "Enter the date the notice was sent")
    assert sent_on is not None
    not_future(sent_on, "sent_on", "The date sent")
    referral = review.referral
    aware = min(d for d in (referral.became_aware_on, referral.la_became_aware_on) if d)
    not_before(
        sent_on, aware, "sent_on", f"The date sent cannot be before the case became known ({aware:%d %B %Y})"
    )
    requirement = notice.requirement
    if requirement.condition in REASONED:
        required(reason, "reason", "Give the reasons explained to the recipients")
    if notice.comments_on and sent_on > notice.comments_on:
        raise DomainError("The date sent cannot be after the comments were received", field="sent_on")
    first = notice.sent_by_id is None  # a sending only the referral's date had stood for counts as new
    notice.sent_on, notice.reference, notice.sent_by_id = sent_on, reference.strip(), by.id
    notice.reason = reason.strip()
    if requirement.timing == NoticeTiming.BEFORE_PUBLICATION:
        # The full report to the Panel and the Secretary of State: the date the publication
        # notice period counts from (publishing.earliest_publication).
        publication = _publication_of(review)
        if publication.sent_to_panel_on is None or publication.sent_to_panel_on != sent_on:
            publication.sent_to_panel_on = sent_on
    if requirement.met_by_event == "panel_notified" and referral.panel_notified_on is None:
        # The notification is the one the notification clock waits for.
        referral.panel_notified_on = max(sent_on, referral.became_aware_on)
    to = ", ".join(requirement.recipients)
    on_timeline(
        review,
        "notice_sent" if first else "notice_corrected",
        f"{requirement.label} sent to {to} on {sent_on:%d %B %Y}"
        + (f" (reference {notice.reference})" if notice.reference else ""),
        details={"notice": requirement.key, "sent_on": sent_on.isoformat(), "reference": notice.reference},
    )
    finish(review)  # the clocks, and the notices the sending meets
    return notice


def record_comments(
    notice: ReviewNotice, *, comments: str, received_on: date | None, version: int | None, by: User
) -> ReviewNotice:
    return _record_answer(notice, COMMENTS, comments, received_on, version, by)


def record_response(
    notice: ReviewNotice, *, response: str, responded_on: date | None, version: int | None, by: User
) -> ReviewNotice:
    return _record_answer(notice, RESPONSE, response, responded_on, version, by)


# --- before publication ------------------------------------------------------------------------


def notice_before_publication(review: Review) -> ReviewNotice | None:
    """The notice the review's type requires before publication (the full report to the Panel and
    the Secretary of State), with its requirement: one query; None when the type requires none."""
    return db.session.execute(
        db.select(ReviewNotice)
        .join(ReviewNotice.requirement)
        .where(
            ReviewNotice.review_id == review.id,
            NoticeRequirement.timing == NoticeTiming.BEFORE_PUBLICATION,
        )
        .options(joinedload(ReviewNotice.requirement))
        .order_by(NoticeRequirement.position, NoticeRequirement.id)
        .limit(1)
    ).scalar_one_or_none()


def record_report_sent(review: Review, sent_on: date | None, by: User) -> None:
    """The publication page's date the full report was sent is the sending of the notice before
    publication: recorded on the notices register (as if recorded there) when it is not yet, and
    refused when it differs from what the register already records (corrected there, with its
    reference)."""
    notice = notice_before_publication(review)
    if notice is None or (not notice.applies and notice.sent_on is None):
        return  # nothing owed before publication
    if notice.sent_on is not None:
        if sent_on != notice.sent_on:
            raise DomainError(
                f"The notices record the final report as sent on {notice.sent_on:%d %B %Y}: "
                "enter that date, or correct the notice on the review's notices page",
                field="sent_to_panel_on",
            )
        return
    if sent_on is None:
        return
    try:
        record_sent(notice, sent_on=sent_on, reference="", reason="", version=None, by=by)
    except DomainError as refused:  # shown next to the publication page's own field
        raise DomainError(refused.message, field="sent_to_panel_on") from refused


def missing_notice_before(review: Review, published_on: date) -> str | None:
    """What is wrong with the notices owed before publication for a publication (or the
    improvement information instead) on ``published_on``, in words; None when nothing is. Read
    from the type's requirements, so a review whose notices were never computed owes them too."""
    calendar = working_calendar()
    sent = {notice.requirement_id: notice.sent_on for notice in review.notices}
    for requirement in requirements_for(review):
        if requirement.timing != NoticeTiming.BEFORE_PUBLICATION or not applies(review, requirement):
            continue
        days, sent_on = requirement.amount or 0, sent.get(requirement.id)
        to = ", ".join(requirement.recipients)
        if sent_on is None:
            return (
                f"Record the notice sent to {to} first: {requirement.label.lower()} must reach them "
                f"at least {days} working days before publication"
            )
        earliest = calendar.add_working_days(sent_on, days)
        if published_on < earliest:
            return (
                f"This cannot be published before {earliest:%d %B %Y}: it went to {to} on "
                f"{sent_on:%d %B %Y}, and they must have it {days} working days before"
            )
    return None


# --- the Home Office quality assurance loop ----------------------------------------------------

# What may follow each step: submitted, then feedback or approval; feedback, then a resubmission.
NEXT_STEPS: dict[QualityStep | None, tuple[QualityStep, ...]] = {
    None: (QualityStep.SUBMITTED,),
    QualityStep.SUBMITTED: (QualityStep.FEEDBACK, QualityStep.APPROVED),
    QualityStep.FEEDBACK: (QualityStep.RESUBMITTED,),
    QualityStep.RESUBMITTED: (QualityStep.FEEDBACK, QualityStep.APPROVED),
    QualityStep.APPROVED: (),
}


def has_quality_loop(review: Review) -> bool:
    return "home_office_approval" in (review.review_type.publication_rules or {}).get("steps", [])


def next_quality_steps(review: Review) -> tuple[QualityStep, ...]:
    last = review.home_office_steps[-1].step if review.home_office_steps else None
    return NEXT_STEPS[last]


def record_home_office_step(
    review: Review, step: QualityStep | None, taken_on: date | None, note: str, by: User
) -> HomeOfficeStep:
    _require_manager(review, by)
    check_open(review)
    if not has_quality_loop(review):
        raise DomainError(f"A {review.review_type.code} is not quality assured by the Home Office")
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("The report goes to the Home Office once the partners have signed it off")
    required(step, "step", "Select what happened")
    assert step is not None
    allowed = next_quality_steps(review)
    if step not in allowed:
        if not allowed:
            raise DomainError("The Home Office has already approved this report", field="step")
        raise DomainError(f"Next comes: {' or '.join(s.label.lower() for s in allowed)}", field="step")
    required(taken_on, "taken_on", "Enter the date")
    assert taken_on is not None
    not_future(taken_on, "taken_on", "The date")
    previous = review.home_office_steps[-1] if review.home_office_steps else None
    if previous:
        not_before(
            taken_on,
            previous.taken_on,
            "taken_on",
            f"The date cannot be before the last step ({previous.taken_on:%d %B %Y})",
        )
    signed_off = _signed_off_on(review)
    if signed_off:
        not_before(
            taken_on,
            signed_off,
            "taken_on",
            f"The date cannot be before the partners signed the report off ({signed_off:%d %B %Y})",
        )
    if step == QualityStep.FEEDBACK:
        required(note, "note", "Summarise the Panel's feedback")
    recorded = HomeOfficeStep(
        review_id=review.id, step=step, taken_on=taken_on, note=note.strip(), recorded_by_id=by.id
    )
    review.home_office_steps.append(recorded)
    if step == QualityStep.APPROVED:
        # The approval is what publishing is guarded by (publishing.publish_review).
        publication = _publication_of(review)
        publication.home_office_approved_on = taken_on
    on_timeline(
        review,
        "home_office_step_recorded",
        f"{step.label} on {taken_on:%d %B %Y}",
        details={"step": step.value, "on": taken_on.isoformat()},
    )
    finish(review)  # the completion and publication clocks read these dates
    return recorded


def _signed_off_on(review: Review) -> date | None:
    draft = final_version(review)
    return draft.final_signed_off_on if draft else None


def quality_loop_of(review: Review) -> list[HomeOfficeStep]:
    return list(
        db.session.execute(
            db.select(HomeOfficeStep)
            .where(HomeOfficeStep.review_id == review.id)
            .options(selectinload(HomeOfficeStep.recorded_by))
            .order_by(HomeOfficeStep.taken_on, HomeOfficeStep.id)
        ).scalars()
    )
