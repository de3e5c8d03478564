"""Publication: the type's pre-publication steps (as data), what still stands before publishing,
publishing, deciding not to publish, withdrawing the report, delays, and a corrected final version
(checked again at once, see `checks`)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from casework.auth.models import User
from casework.core import audit
from casework.core.display import plural
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.core.workdays import working_calendar
from casework.documents.storage import store_upload
from casework.reviews.drafts.services import REPORT_TYPES
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.learning.services import offer_on_register
from casework.reviews.lifecycle import Move, check_move, check_version, finish, move_to, on_timeline
from casework.reviews.models import (
    AnonymisationCheck,
    DraftVersion,
    Publication,
    PublicationDelay,
    Resolution,
    Review,
)
from casework.reviews.notices.services import missing_notice_before, record_report_sent
from casework.reviews.publication.checks import (
    final_at_publication,
    final_version,
    latest_check,
    require_manager,
    run_anonymisation_check,
    stale_reasons,
)
from casework.reviews.records.processes import process_of_review
from casework.reviews.referral.changes import plain
from casework.reviews.stages import ReviewStage

STEP_LABELS = {
    "sent_to_panel": "The full report was sent to the Panel and the Secretary of State",
    "home_office_approval": "The Home Office Quality Assurance Panel approved the report (see Notices)",
}
PUBLIC_FOR = relativedelta(months=12)


def publication_of(review: Review) -> Publication:
    publication = review.publication
    if publication is None:
        publication = Publication(review=review)  # through the relationship, so the clocks see it
        db.session.add(publication)
    return publication


# --- steps before publication ---------------------------------------------------------------


def save_publication_details(
    review: Review,
    *,
    sent_to_panel_on: date | None,
    public_summary: str,
    learning: str,
    public_recommendations: str,
    by: User,
) -> Publication:
    require_manager(review, by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("Publication details are recorded at the publication stage")
    not_future(sent_to_panel_on, "sent_to_panel_on", "The date sent to the Panel")
    _not_before_sign_off(sent_to_panel_on, review, "sent_to_panel_on", "The date sent to the Panel")
    publication = publication_of(review)
    publication.sent_to_panel_on = sent_to_panel_on
    # The Home Office approval is recorded through its quality assurance loop (notices.services).
    publication.public_summary = public_summary.strip()
    publication.learning = learning.strip()
    publication.public_recommendations = public_recommendations.strip()
    audit.record("publication_details_saved", "Publication details saved", subject=review, review=review)
    # The same sending as the notice owed before publication: the notices register records it.
    record_report_sent(review, sent_to_panel_on, by)
    return publication


def signed_off_on(review: Review) -> date | None:
    draft = final_version(review)
    return draft.final_signed_off_on if draft else None


def _not_before_sign_off(value: date | None, review: Review, field_name: str, what: str) -> None:
    """Nothing that follows the final report can be dated before the partners signed it off."""
    signed_off = signed_off_on(review)
    if signed_off:
        message = f"{what} cannot be before the partners signed the report off ({signed_off:%d %B %Y})"
        not_before(value, signed_off, field_name, message)


def earliest_publication(review: Review) -> date | None:
    rules = review.review_type.publication_rules or {}
    days = rules.get("notice_working_days")
    publication = review.publication
    if not days or publication is None or publication.sent_to_panel_on is None:
        return None
    return working_calendar().add_working_days(publication.sent_to_panel_on, int(days))


def missing_for_publication(
    review: Review,
    *,
    reread: bool = False,
    final: tuple[DraftVersion | None, AnonymisationCheck | None] | None = None,
) -> list[str]:
    """Everything still standing between this review and publication, in words. ``reread``
    fingerprints the final version's stored file again rather than trusting the upload's.
    ``final``: the final version and its latest check, if already read."""
    missing = []
    draft = final[0] if final else final_version(review)
    if draft is None:
        missing.append("Mark a version final")
    else:
        check = final[1] if final else latest_check(draft)
        stale = stale_reasons(review, check, reread=reread, final=draft) if check else []
        if check is None:
            missing.append("Run the anonymisation check on the final version")
        elif stale:
            missing.append("Run the anonymisation check again: " + " ".join(stale))
        elif check.open_findings:
            missing.append(f"Resolve the {plural(len(check.open_findings), 'anonymisation finding')}")
        elif not check.passed:
            missing.append("Confirm the final version was checked by hand (it could not all be read as text)")
    publication = review.publication
    for step in (review.review_type.publication_rules or {}).get("steps", []):
        done = publication is not None and (
            publication.sent_to_panel_on if step == "sent_to_panel" else publication.home_office_approved_on
        )
        if not done:
            missing.append(f"Record the date: {STEP_LABELS.get(step, step).lower()}")
    for field, words in (
        ("public_summary", "the public summary"),
        ("learning", "the learning"),
        ("public_recommendations", "the recommendations to show"),
    ):
        if publication is None or not getattr(publication, field):
            missing.append(f"Write {words}")
    return missing


def publish_review(review: Review, published_on: date | None, by: User, version: int | None) -> Publication:
    check_version(review, version)
    require_manager(review, by)
    check_move(review, Move.PUBLISH)
    # The check must hold for the file and the identifiers as they are in this transaction, both
    # fingerprinted again here. An identifier save racing this one bumps the review's version, so
    # one of the two fails at commit rather than both succeeding.
    missing = missing_for_publication(review, reread=True)
    if missing:
        raise DomainError("Before publishing: " + "; ".join(item.rstrip(".") for item in missing) + ".")
    required(published_on, "published_on", "Enter the publication date")
    assert published_on is not None
    not_future(published_on, "published_on", "The publication date")
    _not_before_sign_off(published_on, review, "published_on", "The publication date")
    approved = publication_of(review).home_office_approved_on
    if approved:
        message = f"The report cannot be published before the Home Office approved it ({approved:%d %B %Y})"
        not_before(published_on, approved, "published_on", message)
    earliest = earliest_publication(review)
    if earliest and published_on < earliest:
        raise DomainError(
            f"The report cannot be published before {earliest:%d %B %Y}: the Panel and the "
            "Secretary of State must have it for the notice period first",
            field="published_on",
        )
    draft = final_version(review)
    publication = publication_of(review)
    publication.published_on, publication.published_version_id, publication.published_by_id = (
        published_on,
        draft.id if draft else None,
        by.id,
    )
    review.published_on = published_on
    move_to(review, Move.PUBLISH, {"published_on": published_on.isoformat()})
    offer_on_register(review, by)  # a briefing approved before publication goes public with it
    finish(review)
    return publication


def decide_not_to_publish(
    review: Review,
    reason: str,
    improvements: str,
    by: User,
    version: int | None,
    *,
    decided_on: date | None,
) -> None:
    check_version(review, version)
    require_manager(review, by)
    check_move(review, Move.PUBLISH)
    required(decided_on, "decided_on", "Enter the date the partners decided not to publish")
    not_future(decided_on, "decided_on", "The date of the decision")
    _not_before_sign_off(decided_on, review, "decided_on", "The decision not to publish")
    required(reason, "reason", "Explain why the report will not be published")
    required(improvements, "improvements", "Write the information about the improvements to be made")
    # The improvement information goes to the Panel, the Secretary of State and Ofsted before it
    # is published, as the full report would.
    notice = missing_notice_before(review, decided_on)
    if notice:
        raise DomainError(notice, field="decided_on")
    publication = publication_of(review)
    publication.not_published_on = decided_on
    publication.not_published_reason, publication.improvement_information = (
        reason.strip(),
        improvements.strip(),
    )
    move_to(review, Move.PUBLISH, {"published": False})
    finish(review)


def withdraw_publication(review: Review, reason: str, by: User) -> None:
    require_manager(review, by)
    publication = db.session.get(Publication, review.id)
    if publication is None or publication.published_on is None or publication.withdrawn_on is not None:
        raise DomainError("This review's report is not published")
    required(reason, "reason", "Give the reason for withdrawing the report")
    today = uk_today()
    early = today < publication.published_on + PUBLIC_FOR
    publication.withdrawn_on, publication.withdrawal_reason, publication.withdrawn_by_id = (
        today,
        reason.strip(),
        by.id,
    )
    on_timeline(
        review,
        "publication_withdrawn",
        "Published report withdrawn" + (" before its 12 months" if early else "") + f": {reason.strip()}",
    )


def record_delay(
    review: Review,
    reason: str,
    expected_until: date | None,
    by: User,
    process_id: int | None = None,
) -> PublicationDelay:
    """``process_id``: the parallel process on the review's register holding publication up, if any."""
    require_manager(review, by)
    if review.is_ended or review.stage in (ReviewStage.ACTION_PLANNING,):
        raise DomainError("Delays are recorded before publication")
    required(reason, "reason", "Give the reason for the delay, for example awaiting a criminal trial")
    not_before(
        expected_until, uk_today(), "expected_until", "The expected end of the delay must be in the future"
    )
    process = process_of_review(review, process_id)
    delay = PublicationDelay(
        review_id=review.id,
        reason=reason.strip(),
        expected_until=expected_until,
        recorded_by_id=by.id,
        process=process,
    )
    db.session.add(delay)
    # Like a pause, the timeline names the kind of process; its description stays on the register.
    cause = {"process": process.kind.value} if process else {}
    audit.record(
        "publication_delayed",
        f"Publication delayed: {reason.strip()}",
        subject=review,
        review=review,
        details={"expected_until": plain(expected_until), **cause},
    )
    finish(review)  # the reasons for the delay are now owed to the Panel and Secretary of State
    return delay


def upload_corrected_version(review: Review, upload: object, summary: str, by: User) -> AnonymisationCheck:
    """A corrected final version: it replaces the final one, resolves the findings it corrects,
    and is checked again at once."""
    previous = final_at_publication(
        review,
        by,
        elsewhere="Corrected versions are uploaded at the publication stage",
        no_final="There is no final version to correct",
    )
    if upload is None or not getattr(upload, "filename", ""):
        raise DomainError("Choose the corrected report", field="file")
    required(summary, "summary", "Say what was corrected")
    document = store_upload(upload, uploaded_by=by, review=review, allowed=REPORT_TYPES)  # type: ignore[arg-type]
    corrected = DraftVersion(
        review_id=review.id,
        number=previous.number + 1,
        document=document,
        summary=summary.strip(),
        uploaded_by_id=by.id,
        final_signed_off_on=previous.final_signed_off_on,
    )
    db.session.add(corrected)
    check = latest_check(previous)
    for finding in check.open_findings if check else []:
        finding.resolution, finding.resolution_note = (
            Resolution.CORRECTED,
            f"Corrected in version {corrected.number}",
        )
        finding.resolved_by_id, finding.resolved_at = by.id, utcnow()
    on_timeline(
        review,
        "corrected_version_uploaded",
        f"Corrected final version {corrected.number} uploaded",
    )
    return run_anonymisation_check(review, by, because=f"Corrected version {corrected.number} was uploaded.")
