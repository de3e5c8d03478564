"""Draft reports: versions uploaded by the lead reviewer, factual accuracy checks answered by each
agency in scope, the reviewer's responses, sharing with the family, and the final version."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import FileStorage

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit
from casework.core.display import plural
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.core.timeutil import uk_today, utcnow
from casework.documents.storage import store_upload
from casework.notifications.events.reviews import accuracy_check_shared
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import (
    Move,
    check_move,
    check_open,
    check_version,
    finish,
    move_to,
    on_timeline,
)
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyCheck,
    AccuracyComment,
    CommentResponse,
    DraftVersion,
    Review,
)
from casework.reviews.stages import ReviewStage

REPORT_TYPES = {"pdf", "docx", "odt"}
DRAFTING_STAGES = (ReviewStage.CONTRIBUTIONS, ReviewStage.DRAFTING)


def versions_of(review: Review) -> list[DraftVersion]:
    return all_rows(DraftVersion, DraftVersion.review_id == review.id, order_by=(DraftVersion.number,))


def upload_draft(
    review: Review, upload: FileStorage | None, summary: str, by: User, version: int | None
) -> DraftVersion:
    check_version(review, version)
    check_open(review)
    if not review.can_draft(by):
        raise DomainError("Only the review's lead reviewer can upload drafts")
    if review.stage not in DRAFTING_STAGES:
        raise DomainError("Drafts are uploaded during agency contributions and drafting")
    if upload is None or not upload.filename:
        raise DomainError("Choose the draft report (PDF, Word or OpenDocument)", field="file")
    required(summary, "summary", "Summarise what changed in this version")
    document = store_upload(upload, uploaded_by=by, review=review, allowed=REPORT_TYPES)
    existing = versions_of(review)
    draft = DraftVersion(
        review_id=review.id,
        number=len(existing) + 1,
        document=document,
        summary=summary.strip(),
        uploaded_by_id=by.id,
    )
    db.session.add(draft)
    on_timeline(
        review,
        "draft_uploaded",
        f"Draft version {draft.number} uploaded",
        details={"version": draft.number, "summary": "(text)"},
    )
    if review.stage == ReviewStage.CONTRIBUTIONS:
        check_move(review, Move.START_DRAFTING)
        move_to(review, Move.START_DRAFTING)
        finish(review)
    return draft


def share_for_accuracy(
    draft: DraftVersion, agencies: list[Agency], due_on: date | None, by: User
) -> AccuracyCheck:
    review = draft.review
    check_open(review)
    if not review.can_manage(by):
        raise DomainError("Only a board manager can share a draft with the agencies")
    if draft.accuracy_check is not None:
        raise DomainError("This version has already been shared for a factual accuracy check")
    if draft.is_final:
        raise DomainError("This version is final; share a new version instead")
    if not agencies:
        raise DomainError("Select the agencies to check the draft", field="agencies")
    in_scope = {a.id for a in review.agencies_where("in_scope")}
    outside = [a.name for a in agencies if a.id not in in_scope]
    if outside:
        raise DomainError(f"Only agencies in scope check the draft: {', '.join(outside)}", field="agencies")
    required(due_on, "due_on", "Enter the date answers are due")
    assert due_on is not None
    if due_on <= uk_today():
        raise DomainError("The due date must be in the future", field="due_on")
    check = AccuracyCheck(version=draft, due_on=due_on, shared_by_id=by.id)
    check.answers = [AccuracyAnswer(agency=agency) for agency in agencies]
    db.session.add(check)
    on_timeline(
        review,
        "draft_shared_for_accuracy",
        f"Version {draft.number} shared for factual accuracy with {', '.join(a.name for a in agencies)}",
        details={"due_on": due_on.isoformat()},
    )
    db.session.flush()  # each answer's id, for its agency's link
    accuracy_check_shared(check, by)
    return check


def _check_answerer(answer: AccuracyAnswer, by: User) -> None:
    if not answer.can_answer(by):
        raise DomainError("Only the agency asked can answer for it")
    check_open(answer.check.version.review)
    if answer.signed_off:
        raise DomainError("Your agency has already signed off its answer")


def add_accuracy_comment(answer: AccuracyAnswer, reference: str, comment: str, by: User) -> AccuracyComment:
    _check_answerer(answer, by)
    required(reference, "reference", "Enter the page or section the comment is about")
    required(comment, "comment", "Enter the comment")
    item = AccuracyComment(reference=reference.strip(), comment=comment.strip(), created_by_id=by.id)
    answer.comments.append(item)
    db.session.flush()
    return item


def sign_off_answer(answer: AccuracyAnswer, no_inaccuracies: bool, by: User) -> None:
    _check_answerer(answer, by)
    if no_inaccuracies and answer.comments:
        raise DomainError(
            "Your agency has made comments; sign off the comments instead", field="no_inaccuracies"
        )
    if not no_inaccuracies and not answer.comments:
        raise DomainError(
            "Add your comments, or confirm there are no factual inaccuracies", field="no_inaccuracies"
        )
    answer.no_inaccuracies = no_inaccuracies
    answer.signed_off_by_id, answer.signed_off_at = by.id, utcnow()
    db.session.flush()
    review = answer.check.version.review
    audit.record(
        "accuracy_signed_off",
        f"{answer.agency.name} signed off its factual accuracy answer on version "
        f"{answer.check.version.number}"
        + (
            ": no factual inaccuracies"
            if no_inaccuracies
            else f" with {plural(len(answer.comments), 'comment')}"
        ),
        subject=review,
        review=review,
    )


def respond_to_comment(
    item: AccuracyComment, response: CommentResponse | None, reason: str, by: User
) -> None:
    review = item.answer.check.version.review
    check_open(review)
    if not review.can_draft(by):
        raise DomainError("Only the lead reviewer answers factual accuracy comments")
    required(response, "response", "Say whether the comment is accepted")
    if response == CommentResponse.NOT_ACCEPTED and not reason.strip():
        raise DomainError("Give the reason the comment is not accepted", field="reason")
    item.response, item.response_reason = response, reason.strip()
    item.responded_by_id, item.responded_at = by.id, utcnow()
    db.session.flush()


def record_family_sharing(
    draft: DraftVersion, shared_on: date | None, how: str, response: str, by: User
) -> None:
    review = draft.review
    check_open(review)
    if not review.can_manage(by):
        raise DomainError("Only a board manager records sharing with the family")
    required(shared_on, "shared_on", "Enter the date the draft was shared with the family")
    required(how, "how", "Say how it was shared, for example at a meeting with the reviewer")
    not_future(shared_on, "shared_on", "The date shared with the family")
    draft.family_shared_on, draft.family_shared_how, draft.family_response = (
        shared_on,
        how.strip(),
        response.strip(),
    )
    on_timeline(
        review,
        "draft_shared_with_family",
        f"Version {draft.number} shared with the family",
    )


def mark_final(review: Review, signed_off_on: date | None, by: User, version: int | None) -> DraftVersion:
    """The latest version becomes the final report, signed off by the partners."""
    check_version(review, version)
    if not review.can_manage(by):
        raise DomainError("Only a board manager marks a version final")
    check_move(review, Move.FINALISE)
    versions = versions_of(review)
    if not versions:
        raise DomainError("There is no draft to mark final yet")
    draft = versions[-1]
    required(signed_off_on, "signed_off_on", "Enter the date the partners signed the report off")
    not_future(signed_off_on, "signed_off_on", "The sign-off date")
    # Sign-off is often recorded after the fact, so it may precede the upload; never the commissioning.
    commissioned = review.terms.commissioned_on if review.terms else None
    if commissioned:
        not_before(
            signed_off_on,
            commissioned,
            "signed_off_on",
            f"The sign-off cannot be before the review was commissioned ({commissioned:%d %B %Y})",
        )
    draft.final_signed_off_on = signed_off_on
    review.completed_on = signed_off_on  # the review's completion, read by its clocks
    db.session.flush()
    move_to(review, Move.FINALISE, {"version": draft.number})
    finish(review)
    return draft
