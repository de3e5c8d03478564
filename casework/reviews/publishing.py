"""Before and at publication: the anonymisation check of the final version, the type's
pre-publication steps (as data), publishing, deciding not to publish, delays and withdrawal."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from casework import audit
from casework.auth.models import Role, User
from casework.documents.storage import stored_path
from casework.errors import DomainError
from casework.extensions import db
from casework.reviews.drafts import versions_of
from casework.reviews.guards import check_move, check_version, not_before, not_future, required
from casework.reviews.models import (
    AnonymisationCheck,
    AnonymisationFinding,
    DraftVersion,
    Publication,
    PublicationDelay,
    Resolution,
    Review,
)
from casework.reviews.services import finish, move_to
from casework.reviews.stages import Move, ReviewStage
from casework.timeutil import uk_today, utcnow
from casework.workdays import working_calendar

STEP_LABELS = {
    "sent_to_panel": "The full report was sent to the Panel and the Secretary of State",
    "home_office_approval": "The Home Office Quality Assurance Panel approved the report",
}
PUBLIC_FOR = relativedelta(months=12)


def _manager(by: User) -> None:
    if by.role != Role.BOARD_MANAGER:
        raise DomainError("Only a board manager can do this")


def publication_of(review: Review) -> Publication:
    publication = review.publication
    if publication is None:
        publication = Publication(review=review)  # through the relationship, so the clocks see it
        db.session.add(publication)
    return publication


def final_version(review: Review) -> DraftVersion | None:
    return next((v for v in reversed(versions_of(review)) if v.is_final), None)


def latest_check(draft: DraftVersion) -> AnonymisationCheck | None:
    return (
        db.session.execute(
            db.select(AnonymisationCheck)
            .where(AnonymisationCheck.version_id == draft.id)
            .order_by(AnonymisationCheck.id.desc())
        )
        .scalars()
        .first()
    )


# --- the anonymisation check ------------------------------------------------------------


def run_anonymisation_check(review: Review, by: User) -> AnonymisationCheck:
    from casework.reviews.anonymisation import extract_text, find_identifiers, identifiers_from

    _manager(by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("The check runs on the final version, at the publication stage")
    draft = final_version(review)
    if draft is None:
        raise DomainError("Mark a version final before checking it")
    record = review.confidential
    people = record.people if record else []
    identifiers = identifiers_from(people, record.address if record else "")
    text = extract_text(stored_path(draft.document).read_bytes(), draft.document.detected_type)
    # Scanned pages among text pages cannot be read either: the whole check then needs a look by eye.
    readable = text.extractable and not text.unchecked_pages
    check = AnonymisationCheck(version_id=draft.id, ran_by_id=by.id, extractable=readable)
    check.findings = [
        AnonymisationFinding(kind=f.kind, label=f.label, location=f.location, context=f.context)
        for f in (find_identifiers(text, identifiers) if text.extractable else [])
    ]
    db.session.add(check)
    db.session.flush()
    audit.record(
        "anonymisation_checked",
        f"Anonymisation check of version {draft.number}: "
        + (f"{len(check.findings)} finding(s)" if text.extractable else "no text could be extracted")
        + (f"; pages to check by eye: {', '.join(text.unchecked_pages)}" if text.unchecked_pages else ""),
        subject=review,
        review=review,
    )
    return check


def resolve_finding(finding: AnonymisationFinding, note: str, by: User) -> None:
    """Record why a finding is not identifying (for example a common word)."""
    _manager(by)
    if finding.resolution is not None:
        raise DomainError("This finding is already resolved")
    required(note, "note", "Say why this is not identifying, for example it is a common word here")
    finding.resolution, finding.resolution_note = Resolution.NOT_IDENTIFYING, note.strip()
    finding.resolved_by_id, finding.resolved_at = by.id, utcnow()
    db.session.flush()
    review = finding.check.version.review
    audit.record(
        "anonymisation_finding_resolved",
        f"Finding '{finding.label}' recorded as not identifying",
        subject=review,
        review=review,
        details={"reason": note.strip()},
    )


def confirm_checked_by_hand(check: AnonymisationCheck, note: str, by: User) -> None:
    _manager(by)
    if check.extractable:
        raise DomainError("This document's text was checked automatically")
    required(note, "note", "Say how the document was checked by hand and by whom")
    check.manual_check_by_id, check.manual_check_at, check.manual_check_note = by.id, utcnow(), note.strip()
    db.session.flush()
    review = check.version.review
    audit.record(
        "anonymisation_checked_by_hand",
        "Final version confirmed as checked by hand",
        subject=review,
        review=review,
        details={"note": note.strip()},
    )


# --- steps before publication ---------------------------------------------------------------


def save_publication_details(
    review: Review,
    *,
    sent_to_panel_on: date | None,
    home_office_approved_on: date | None,
    public_summary: str,
    learning: str,
    public_recommendations: str,
    by: User,
) -> Publication:
    _manager(by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("Publication details are recorded at the publication stage")
    not_future(sent_to_panel_on, "sent_to_panel_on", "The date sent to the Panel")
    not_future(home_office_approved_on, "home_office_approved_on", "The Home Office approval date")
    _not_before_sign_off(sent_to_panel_on, review, "sent_to_panel_on", "The date sent to the Panel")
    _not_before_sign_off(
        home_office_approved_on, review, "home_office_approved_on", "The Home Office approval date"
    )
    publication = publication_of(review)
    publication.sent_to_panel_on = sent_to_panel_on
    publication.home_office_approved_on = home_office_approved_on
    publication.public_summary = public_summary.strip()
    publication.learning = learning.strip()
    publication.public_recommendations = public_recommendations.strip()
    db.session.flush()
    audit.record("publication_details_saved", "Publication details saved", subject=review, review=review)
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
    publication = db.session.get(Publication, review.id)
    if not days or publication is None or publication.sent_to_panel_on is None:
        return None
    return working_calendar().add_working_days(publication.sent_to_panel_on, int(days))


def missing_for_publication(review: Review) -> list[str]:
    """Everything still standing between this review and publication, in words."""
    missing = []
    draft = final_version(review)
    if draft is None:
        missing.append("Mark a version final")
    else:
        check = latest_check(draft)
        if check is None:
            missing.append("Run the anonymisation check on the final version")
        elif check.open_findings:
            missing.append(f"Resolve the {len(check.open_findings)} anonymisation finding(s)")
        elif not check.passed:
            missing.append("Confirm the final version was checked by hand (no text could be extracted)")
    publication = db.session.get(Publication, review.id)
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
    _manager(by)
    check_move(review, Move.PUBLISH)
    missing = missing_for_publication(review)
    if missing:
        raise DomainError("Before publishing: " + "; ".join(missing) + ".")
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
    _manager(by)
    check_move(review, Move.PUBLISH)
    required(decided_on, "decided_on", "Enter the date the partners decided not to publish")
    not_future(decided_on, "decided_on", "The date of the decision")
    _not_before_sign_off(decided_on, review, "decided_on", "The decision not to publish")
    required(reason, "reason", "Explain why the report will not be published")
    required(improvements, "improvements", "Write the information about the improvements to be made")
    publication = publication_of(review)
    publication.not_published_on = decided_on
    publication.not_published_reason, publication.improvement_information = (
        reason.strip(),
        improvements.strip(),
    )
    move_to(review, Move.PUBLISH, {"published": False})
    finish(review)


def withdraw_publication(review: Review, reason: str, by: User) -> None:
    _manager(by)
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
    db.session.flush()
    audit.record(
        "publication_withdrawn",
        "Published report withdrawn" + (" before its 12 months" if early else "") + f": {reason.strip()}",
        subject=review,
        review=review,
    )


def record_delay(review: Review, reason: str, expected_until: date | None, by: User) -> PublicationDelay:
    _manager(by)
    if review.is_ended or review.stage in (ReviewStage.ACTION_PLANNING,):
        raise DomainError("Delays are recorded before publication")
    required(reason, "reason", "Give the reason for the delay, for example awaiting a criminal trial")
    not_before(
        expected_until, uk_today(), "expected_until", "The expected end of the delay must be in the future"
    )
    delay = PublicationDelay(
        review_id=review.id, reason=reason.strip(), expected_until=expected_until, recorded_by_id=by.id
    )
    db.session.add(delay)
    db.session.flush()
    audit.record(
        "publication_delayed", f"Publication delayed: {reason.strip()}", subject=review, review=review
    )
    return delay


def upload_corrected_version(review: Review, upload: object, summary: str, by: User) -> AnonymisationCheck:
    """A corrected final version: it replaces the final one, resolves the findings it corrects,
    and is checked again at once."""
    from casework.documents.storage import store_upload
    from casework.reviews.drafts import REPORT_TYPES

    _manager(by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("Corrected versions are uploaded at the publication stage")
    previous = final_version(review)
    if previous is None:
        raise DomainError("There is no final version to correct")
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
    db.session.flush()
    audit.record(
        "corrected_version_uploaded",
        f"Corrected final version {corrected.number} uploaded",
        subject=review,
        review=review,
    )
    return run_anonymisation_check(review, by)
