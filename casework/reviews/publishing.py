"""Before and at publication: the anonymisation check of the final version, the type's
pre-publication steps (as data), publishing, deciding not to publish, delays and withdrawal."""

from __future__ import annotations

import hashlib
from datetime import date

from dateutil.relativedelta import relativedelta

from casework.auth.models import Role, User
from casework.core import audit
from casework.core.display import format_datetime
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.core.workdays import working_calendar
from casework.documents.checks import DocumentUnreadable, check_document
from casework.documents.isolation import run_isolated
from casework.documents.storage import stored_path
from casework.reviews.anonymisation import (
    POSSIBLE_KINDS,
    ExtractedText,
    ExtractionError,
    Identifier,
    IdentifierMatch,
    check_text,
    extract_text,
    fold,
    folded_key,
    identifiers_fingerprint,
    identifiers_from,
)
from casework.reviews.drafts import versions_of
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import Move, check_move, check_version, finish, move_to
from casework.reviews.models import (
    AnonymisationCheck,
    AnonymisationFinding,
    DraftVersion,
    Publication,
    PublicationDelay,
    Resolution,
    Review,
)
from casework.reviews.stages import ReviewStage

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


def identifiers_of(review: Review) -> list[Identifier]:
    record = review.confidential
    return identifiers_from(record.people if record else [], record.address if record else "")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _read_document(draft: DraftVersion) -> bytes:
    try:
        return stored_path(draft.document).read_bytes()
    except (OSError, ValueError) as error:
        raise DomainError(
            f"The file of version {draft.number} cannot be read from storage. Upload a corrected version."
        ) from error


def run_anonymisation_check(review: Review, by: User, because: str = "") -> AnonymisationCheck:
    """Check the final version against the identifiers recorded now, and for possible
    identifiers nobody recorded. Decisions on findings of the previous check that still apply
    carry over; those that no longer apply are kept on this check, marked so."""
    _manager(by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError("The check runs on the final version, at the publication stage")
    draft = final_version(review)
    if draft is None:
        raise DomainError("Mark a version final before checking it")
    previous = _latest_check_of_review(review)
    identifiers = identifiers_of(review)
    data = _read_document(draft)
    kind = draft.document.detected_type
    text: ExtractedText | None = None
    unreadable = ""
    try:
        check_document(data, kind)
        text = run_isolated(extract_text, data, kind)
    except DocumentUnreadable as error:
        unreadable = str(error) or "the file is beyond the limits for reading documents"
    except ExtractionError as error:
        unreadable = error.message
    # Scanned pages among text pages cannot be read either: the whole check then needs a look by eye.
    readable = text is not None and text.extractable and not text.unchecked_pages
    check = AnonymisationCheck(
        version_id=draft.id,
        ran_by_id=by.id,
        extractable=readable,
        document_sha256=hashlib.sha256(data).hexdigest(),
        identifiers_sha256=identifiers_fingerprint(identifiers),
        ran_because=because,
        unreadable_reason=unreadable,
    )
    found = check_text(text, identifiers) if text is not None and text.extractable else []
    check.findings = _with_earlier_decisions(found, previous, identifiers)
    db.session.add(check)
    db.session.flush()
    if unreadable:
        outcome = "the document could not be read automatically"
    elif text is not None and not text.extractable:
        outcome = "no text could be extracted"
    else:
        outcome = f"{len(check.open_findings)} open finding(s)"
    unchecked = text.unchecked_pages if text is not None else []
    audit.record(
        "anonymisation_checked",
        f"Anonymisation check of version {draft.number}: {outcome}"
        + (f"; pages to check by eye: {', '.join(unchecked)}" if unchecked else "")
        + (f" ({because})" if because else ""),
        subject=review,
        review=review,
    )
    return check


def _latest_check_of_review(review: Review) -> AnonymisationCheck | None:
    return (
        db.session.execute(
            db.select(AnonymisationCheck)
            .join(DraftVersion, DraftVersion.id == AnonymisationCheck.version_id)
            .where(DraftVersion.review_id == review.id)
            .order_by(AnonymisationCheck.id.desc())
        )
        .scalars()
        .first()
    )


def _match_key(finding: IdentifierMatch) -> str:
    """The same words, found by the same search, with the same words around them."""
    context = " ".join(fold(finding.context).casefold().split())
    return _sha256("\x1f".join((finding.matched, finding.folded_term, context)))


def _with_earlier_decisions(
    found: list[IdentifierMatch], previous: AnonymisationCheck | None, identifiers: list[Identifier]
) -> list[AnonymisationFinding]:
    """The new findings, with the "not identifying" decisions of the previous check carried over
    to the same finding (the same words from the same search, with the same words around them:
    a decision about one sentence is not a decision about another), and the decisions that found
    nothing to carry over to kept as "no longer applies" with the reason.

    A "corrected" resolution is never carried: if the words are still there, they were not."""
    findings = [
        AnonymisationFinding(
            kind=f.kind,
            label=f.label,
            location=f.location[:100],
            context=f.context,
            identifier_sha256=_sha256(f.matched),
            match_sha256=_match_key(f),
        )
        for f in found
    ]
    earlier: dict[str, list[AnonymisationFinding]] = {}
    for decided in previous.findings if previous else []:
        if decided.resolution == Resolution.NOT_IDENTIFYING and decided.match_sha256:
            earlier.setdefault(decided.match_sha256, []).append(decided)
    for finding in findings:
        same = earlier.get(finding.match_sha256)
        if same:
            _carry(same.pop(0), finding)
    searched = {_sha256(f"{i.kind}:{folded_key(i.value)}") for i in identifiers}
    searched |= {_sha256(kind) for kind in POSSIBLE_KINDS}
    for left in earlier.values():
        for decided in left:
            lapsed = AnonymisationFinding(
                kind=decided.kind,
                label=decided.label,
                location=decided.location,
                context=decided.context,
                identifier_sha256=decided.identifier_sha256,
                match_sha256=decided.match_sha256,
                no_longer_applies=(
                    "The words are no longer found in the final version"
                    if decided.identifier_sha256 in searched
                    else "The identifying detail it matched is no longer recorded"
                ),
            )
            _carry(decided, lapsed)
            findings.append(lapsed)
    return findings


def _carry(decided: AnonymisationFinding, to: AnonymisationFinding) -> None:
    to.resolution, to.resolution_note = decided.resolution, decided.resolution_note
    to.resolved_by_id, to.resolved_at = decided.resolved_by_id, decided.resolved_at


def stale_reasons(review: Review, check: AnonymisationCheck, *, reread: bool = False) -> list[str]:
    """Why a check no longer holds for the final version and the identifiers recorded now; empty
    when it holds. ``reread`` fingerprints the stored file again instead of trusting the
    fingerprint taken at upload (publishing does)."""
    draft = final_version(review)
    if draft is None or check.version_id != draft.id:
        return ["A new final version was made after the last check."]
    if not check.document_sha256 or not check.identifiers_sha256:
        return ["This check was run before checks recorded what they were run against."]
    reasons = []
    document = hashlib.sha256(_read_document(draft)).hexdigest() if reread else draft.document.sha256
    if document != check.document_sha256:
        reasons.append("The final version's file is not the one that was checked.")
    if identifiers_fingerprint(identifiers_of(review)) != check.identifiers_sha256:
        record = review.confidential
        when = f" on {format_datetime(record.updated_at)}" if record and record.updated_at else ""
        reasons.append(f"The identifying details changed{when} after the last check.")
    return reasons


def recheck_after_identifiers_changed(review: Review, by: User | None) -> AnonymisationCheck | None:
    """Called where identifying details are saved: a check that ran against other identifiers no
    longer holds, so the final version is checked again in the same request."""
    if by is None or by.role != Role.BOARD_MANAGER or review.stage != ReviewStage.PUBLICATION:
        return None
    draft = final_version(review)
    check = latest_check(draft) if draft else None
    if check is None or check.identifiers_sha256 == identifiers_fingerprint(identifiers_of(review)):
        return None
    try:
        return run_anonymisation_check(
            review,
            by,
            because=f"The identifying details changed on {format_datetime(utcnow())} after the last check.",
        )
    except DomainError:
        # The file cannot be read back: the identifiers are still saved, and the old check,
        # whose fingerprint no longer matches, keeps publication blocked and says why.
        return None


def _holds(check: AnonymisationCheck) -> None:
    """Decisions are taken on a check that holds, never on one that ran against other details."""
    stale = stale_reasons(check.version.review, check)
    if stale:
        raise DomainError(f"{' '.join(stale)} Run the check again, then decide on its findings.")


def resolve_finding(finding: AnonymisationFinding, note: str, by: User) -> None:
    """Record why a finding is not identifying (for example a common word)."""
    _manager(by)
    if finding.resolution is not None or not finding.applies:
        raise DomainError("This finding is already resolved")
    latest = latest_check(finding.check.version)
    if latest is None or latest.id != finding.check_id:
        raise DomainError("This finding is from an earlier check; decide on the findings of the latest one")
    _holds(finding.check)
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
    if check.manual_check_at is not None:
        raise DomainError("This check is already confirmed as done by hand")
    latest = latest_check(check.version)
    if latest is None or latest.id != check.id:
        raise DomainError("This is an earlier check; confirm the latest one")
    _holds(check)
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


def missing_for_publication(review: Review, *, reread: bool = False) -> list[str]:
    """Everything still standing between this review and publication, in words. ``reread``
    fingerprints the final version's stored file again rather than trusting the upload's."""
    missing = []
    draft = final_version(review)
    if draft is None:
        missing.append("Mark a version final")
    else:
        check = latest_check(draft)
        stale = stale_reasons(review, check, reread=reread) if check else []
        if check is None:
            missing.append("Run the anonymisation check on the final version")
        elif stale:
            missing.append("Run the anonymisation check again: " + " ".join(stale))
        elif check.open_findings:
            missing.append(f"Resolve the {len(check.open_findings)} anonymisation finding(s)")
        elif not check.passed:
            missing.append("Confirm the final version was checked by hand (it could not all be read as text)")
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
    return run_anonymisation_check(review, by, because=f"Corrected version {corrected.number} was uploaded.")
