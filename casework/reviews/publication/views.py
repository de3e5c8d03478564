"""The publication page: anonymisation check, pre-publication steps, publishing or not, delays.
One GET for the page and one POST route per change; a refused change shows the page again with
its form's errors (400)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.form_keys import OneTimeForm
from casework.core.forms import commit_once, flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
from casework.reviews import bp
from casework.reviews.models import (
    AnonymisationCheck,
    AnonymisationFinding,
    ConfidentialRecord,
    PublicationDelay,
    Review,
)
from casework.reviews.pages import page_of_forms, part_of, review_url
from casework.reviews.publication import checks, publishing
from casework.reviews.publication import forms as f
from casework.reviews.records.processes import processes_of
from casework.reviews.referral.identifiers import record_identifier_view


def _here(review: Review) -> str:
    return url_for("reviews.review_publication", review_id=review.id)


def _forms(review: Review, earliest: date | None) -> dict[str, FlaskForm]:
    """The page's forms as first drawn."""
    return {
        "details_form": f.PublicationDetailsForm(formdata=None, obj=review.publication),
        "publish_form": f.PublishForm(
            formdata=None, version=review.version, published_on=max(uk_today(), earliest or uk_today())
        ),
        "not_form": f.NotPublishForm(formdata=None, version=review.version),
        "delay_form": f.DelayForm(formdata=None).offer(processes_of(review)),
        "corrected_form": f.CorrectedVersionForm(formdata=None),
    }


def _publication_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    """The page, with a refused form shown again (400) where one is given. The final version and
    its latest check are read once and handed to what judges them."""
    draft = checks.final_version(review)
    check = checks.latest_check(draft) if draft else None
    at_publication = review.stage == "publication"
    earliest = publishing.earliest_publication(review)
    delays = db.session.execute(
        db.select(PublicationDelay)
        .where(PublicationDelay.review_id == review.id)
        .options(joinedload(PublicationDelay.process))
        .order_by(PublicationDelay.id)
    ).scalars()
    page = page_of_forms(
        "reviews/publication.html",
        _forms(review, earliest),
        refused,
        review=review,
        publication=review.publication,
        draft=draft,
        check=check,
        stale=checks.stale_reasons(review, check, final=draft) if check and at_publication else [],
        missing=publishing.missing_for_publication(review, final=(draft, check)) if at_publication else [],
        earliest=earliest,
        steps=(review.review_type.publication_rules or {}).get("steps", []),
        step_labels=publishing.STEP_LABELS,
        delays=delays.all(),
        note_form=f.NoteForm(formdata=None),
    )
    if check and check.findings and request.method == "GET":
        # The findings quote the report around each identifier: showing them is an access to
        # identifiers. Recorded when the page is opened (once drawn, so the commit expires
        # nothing it still reads); a refused change drawing it again writes nothing.
        commit_once(lambda: record_identifier_view(review, current_person()))
    return page


# What the page reads of the review, with it (the clocks and forms read its publication).
PAGE_OPTIONS = (
    joinedload(Review.review_type),
    joinedload(Review.publication),
    joinedload(Review.confidential).selectinload(ConfidentialRecord.people),
)


# The page; its forms are each posted to their own route: sent, or the page again with the form's
# errors.
PUBLICATION_PAGE = FormsPage(_publication_page, _here)
PUBLICATION_PAGE.route(
    bp, "/<int:review_id>/publication", "review_publication", loads(Review, options=PAGE_OPTIONS)
)


@bp.route("/<int:review_id>/publication/details", methods=["POST"])
@loads(Review, may="manage")
@PUBLICATION_PAGE.posts("details_form", f.PublicationDetailsForm, "Publication details saved.")
def review_publication_details(review: Review, form: f.PublicationDetailsForm) -> None:
    publishing.save_publication_details(review, **form.values(), by=current_person())


@bp.route("/<int:review_id>/publication/publish", methods=["POST"])
@loads(Review, may="manage")
@PUBLICATION_PAGE.posts("publish_form", f.PublishForm, "The report is published.", then=review_url)
def review_publish(review: Review, form: f.PublishForm) -> None:
    publishing.publish_review(review, form.published_on.data, current_person(), form.version.data)


CORRECTED = "Corrected version uploaded and checked again."
NOT_PUBLISHED = "The decision not to publish is recorded; the improvement information will be published."


@bp.route("/<int:review_id>/publication/not-published", methods=["POST"])
@loads(Review, may="manage")
@PUBLICATION_PAGE.posts("not_form", f.NotPublishForm, NOT_PUBLISHED, then=review_url)
def review_not_published(review: Review, form: f.NotPublishForm) -> None:
    publishing.decide_not_to_publish(
        review,
        form.reason.data or "",
        form.improvements.data or "",
        current_person(),
        form.version.data,
        decided_on=form.decided_on.data,
    )


def _delay_form(review: Review) -> f.DelayForm:
    return f.DelayForm().offer(processes_of(review))  # the parallel processes a delay may name


@bp.route("/<int:review_id>/publication/delays", methods=["POST"])
@loads(Review, may="manage")
@PUBLICATION_PAGE.posts("delay_form", _delay_form, "Delay recorded.")
def review_publication_delay(review: Review, form: f.DelayForm) -> None:
    publishing.record_delay(review, **form.values(), by=current_person())


@bp.route("/<int:review_id>/publication/corrected", methods=["POST"])
@loads(Review, may="manage")
@PUBLICATION_PAGE.posts("corrected_form", f.CorrectedVersionForm, CORRECTED)
def review_publication_corrected(review: Review, form: f.CorrectedVersionForm) -> None:
    publishing.upload_corrected_version(review, form.file.data, form.summary.data or "", current_person())


# --- the anonymisation check and withdrawal: buttons that come back to the page -------------


def _noted(review: Review, change: Callable[[str], Any], success: str, then: str) -> ResponseReturnValue:
    """A note form posted from the page, which redirects back with any refusal at its top."""
    form = f.NoteForm()
    if submit(form, lambda: change(form.note.data or ""), success, then) is None:
        flash_form_errors(form)
    return redirect(then)


@bp.route("/<int:review_id>/publication/check", methods=["POST"])
@loads(Review, may="manage")
def review_anonymisation_check(review: Review) -> ResponseReturnValue:
    done = submit(
        OneTimeForm(),
        lambda: checks.run_anonymisation_check(review, current_person()),
        lambda check: (
            "Check complete: "
            + ("nothing to resolve." if check.passed else "see the findings and what is still to do.")
        ),
        _here(review) + "#anonymisation",
    )
    return done or redirect(_here(review))


@bp.route("/<int:review_id>/publication/findings/<int:finding_id>", methods=["POST"])
@loads(Review, may="manage")
def review_finding_resolve(review: Review, finding_id: int) -> ResponseReturnValue:
    finding = part_of(review, AnonymisationFinding, finding_id)
    resolve = lambda note: checks.resolve_finding(finding, note, current_person())  # noqa: E731
    done = "Finding recorded as not identifying."
    return _noted(review, resolve, done, _here(review) + "#anonymisation")


@bp.route("/<int:review_id>/publication/checks/<int:check_id>/by-hand", methods=["POST"])
@loads(Review, may="manage")
def review_checked_by_hand(review: Review, check_id: int) -> ResponseReturnValue:
    check = part_of(review, AnonymisationCheck, check_id)
    confirm = lambda note: checks.confirm_checked_by_hand(check, note, current_person())  # noqa: E731
    return _noted(review, confirm, "Recorded as checked by hand.", _here(review) + "#anonymisation")


@bp.route("/<int:review_id>/publication/withdraw", methods=["POST"])
@loads(Review, may="manage")
def review_publication_withdraw(review: Review) -> ResponseReturnValue:
    withdraw = lambda note: publishing.withdraw_publication(review, note, current_person())  # noqa: E731
    done = "The report is withdrawn from the public register."
    return _noted(review, withdraw, done, _here(review))
