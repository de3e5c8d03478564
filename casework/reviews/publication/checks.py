"""The anonymisation check of the final version before publication: running it against the
identifiers recorded now, carrying decisions on its findings over to the next check, telling when
a check no longer holds, and the board manager's decisions on its findings."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import joinedload, selectinload

from casework.auth.models import User
from casework.core import audit
from casework.core.display import format_datetime, plural
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.rows import carried
from casework.core.timeutil import utcnow
from casework.documents.checks import DocumentUnreadable, check_document
from casework.documents.isolation import run_isolated
from casework.documents.storage import read_document
from casework.reviews.guards import required
from casework.reviews.models import AnonymisationCheck, AnonymisationFinding, DraftVersion, Resolution, Review
from casework.reviews.publication.anonymisation.extraction import extract_text
from casework.reviews.publication.anonymisation.folding import fold, folded_key
from casework.reviews.publication.anonymisation.identifiers import identifiers_fingerprint, identifiers_from
from casework.reviews.publication.anonymisation.possible import POSSIBLE_KINDS
from casework.reviews.publication.anonymisation.results import (
    ExtractedText,
    ExtractionError,
    Identifier,
    IdentifierMatch,
)
from casework.reviews.publication.anonymisation.search import check_text
from casework.reviews.stages import ReviewStage


def require_manager(review: Review, by: User) -> None:
    """The review's own rule (the routes declare it too): a refusal for any other caller."""
    if not review.can_manage(by):
        raise DomainError("Only a board manager can do this")


def final_version(review: Review) -> DraftVersion | None:
    """The latest version signed off as final, with its file: one row, however many versions."""
    return (
        db.session.execute(
            db.select(DraftVersion)
            .where(DraftVersion.review_id == review.id, DraftVersion.final_signed_off_on.is_not(None))
            .order_by(DraftVersion.number.desc())
            .limit(1)
            .options(joinedload(DraftVersion.document))
        )
        .scalars()
        .first()
    )


def final_at_publication(review: Review, by: User, *, elsewhere: str, no_final: str) -> DraftVersion:
    """The final version, for a board manager working on the review at the publication stage;
    ``elsewhere`` and ``no_final`` say why not."""
    require_manager(review, by)
    if review.stage != ReviewStage.PUBLICATION:
        raise DomainError(elsewhere)
    draft = final_version(review)
    if draft is None:
        raise DomainError(no_final)
    return draft


def latest_check(draft: DraftVersion) -> AnonymisationCheck | None:
    return (
        db.session.execute(
            db.select(AnonymisationCheck)
            .where(AnonymisationCheck.version_id == draft.id)
            .order_by(AnonymisationCheck.id.desc())
            .limit(1)
            .options(selectinload(AnonymisationCheck.findings))
        )
        .scalars()
        .first()
    )


def identifiers_of(review: Review) -> list[Identifier]:
    record = review.confidential
    return identifiers_from(record.people if record else [], record.address if record else "")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _read_document(draft: DraftVersion) -> bytes:
    try:
        return read_document(draft.document)
    except (OSError, ValueError) as error:
        raise DomainError(
            f"The file of version {draft.number} cannot be read from storage. Upload a corrected version."
        ) from error


def run_anonymisation_check(review: Review, by: User, because: str = "") -> AnonymisationCheck:
    """Check the final version against the identifiers recorded now, and for possible
    identifiers nobody recorded. Decisions on findings of the previous check that still apply
    carry over; those that no longer apply are kept on this check, marked so."""
    draft = final_at_publication(
        review,
        by,
        elsewhere="The check runs on the final version, at the publication stage",
        no_final="Mark a version final before checking it",
    )
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
        outcome = plural(len(check.open_findings), "open finding")
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
                **carried(decided, _FOUND),
                no_longer_applies=(
                    "The words are no longer found in the final version"
                    if decided.identifier_sha256 in searched
                    else "The identifying detail it matched is no longer recorded"
                ),
            )
            _carry(decided, lapsed)
            findings.append(lapsed)
    return findings


# What was found, and where: a decision kept as "no longer applies" still says what it was about.
_FOUND = ("kind", "label", "location", "context", "identifier_sha256", "match_sha256")


def _carry(decided: AnonymisationFinding, to: AnonymisationFinding) -> None:
    to.resolution, to.resolution_note = decided.resolution, decided.resolution_note
    to.resolved_by_id, to.resolved_at = decided.resolved_by_id, decided.resolved_at


def stale_reasons(
    review: Review, check: AnonymisationCheck, *, reread: bool = False, final: DraftVersion | None = None
) -> list[str]:
    """Why a check no longer holds for the final version and the identifiers recorded now; empty
    when it holds. ``reread`` fingerprints the stored file again instead of trusting the
    fingerprint taken at upload (publishing does). ``final``: the final version, if already read."""
    draft = final or final_version(review)
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
    if by is None or not review.can_manage(by) or review.stage != ReviewStage.PUBLICATION:
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
    require_manager(finding.check.version.review, by)
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
    require_manager(check.version.review, by)
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
