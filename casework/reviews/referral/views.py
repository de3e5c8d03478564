"""Screens of the first steps: a new referral and its details, the identifying details, the rapid
review, the decision, commissioning, pauses and extensions."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth.access import current_person, loads, roles
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import VersionedForm, commit_once, page_with_form, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.clock import deadlines_for
from casework.reviews.models import ConfidentialRecord, PersonKind, Review, ReviewType
from casework.reviews.pages import review_url
from casework.reviews.records.processes import processes_of
from casework.reviews.referral import forms as f
from casework.reviews.referral.commissioning import commission_review, default_target_completion
from casework.reviews.referral.decision import (
    DecisionDetails,
    can_be_challenged,
    decision_outcomes,
    open_challenge,
    reconsider_decision,
    record_decision,
    record_panel_challenge,
)
from casework.reviews.referral.identifiers import record_identifier_view, save_identifiers
from casework.reviews.referral.pausing import extend_deadline, pause_review, resume_review
from casework.reviews.referral.rapid_review import save_rapid_review
from casework.reviews.referral.referral import create_referral, update_referral


def _agency_choices(review: Review | None = None) -> list[Agency]:
    """Active agencies, plus those this review already names (even if deactivated since)."""
    return agencies_for_new_work(keeping=[i.agency for i in review.involvements] if review else [])


def _ids(agencies: list[Agency]) -> list[str]:
    return [str(agency.id) for agency in agencies]


def _step(
    review: Review,
    form: VersionedForm,
    change: Callable[[], object],
    success: str,
    template: str,
    then: str | None = None,
    **context: object,
) -> ResponseReturnValue:
    """A step's form page: drawn with the review's version; once saved, back to the review (or
    ``then``); refused, drawn again with the form's errors (400)."""
    if request.method == "GET":
        form.version.data = review.version
    done = submit(form, change, success, then or review_url(review))
    return done or page_with_form(template, form, review=review, **context)


# --- referral ---------------------------------------------------------------------------


@bp.route("/new")
@roles(Role.BOARD_MANAGER)
def review_new() -> ResponseReturnValue:
    types = db.session.execute(
        db.select(ReviewType)
        .where(ReviewType.active.is_(True))
        .order_by(ReviewType.id)
        .options(selectinload(ReviewType.clocks))
    )
    return render_template("reviews/new.html", types=types.scalars().all())


@bp.route("/new/<code>", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def review_new_referral(code: str) -> ResponseReturnValue:
    review_type = db.session.execute(
        db.select(ReviewType)
        .where(ReviewType.code == code, ReviewType.active.is_(True))
        .options(selectinload(ReviewType.clocks))
    ).scalar_one_or_none() or abort(404)
    form = f.ReferralForm()
    form.known_agencies.choices = f.agency_choices(_agency_choices())
    done = submit(
        form,
        lambda: create_referral(review_type, form.details(), current_person()),
        lambda review: f"{review.reference} created for {review.pseudonym}.",
        review_url,
    )
    return done or page_with_form("reviews/referral.html", form, review_type=review_type, review=None)


@bp.route("/<int:review_id>/referral", methods=["GET", "POST"])
@loads(Review, may="manage", options=[joinedload(Review.review_type).selectinload(ReviewType.clocks)])
def review_referral(review: Review) -> ResponseReturnValue:
    referral = review.referral
    form = f.ReferralForm(obj=referral if request.method == "GET" else None)
    form.known_agencies.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.pseudonym.data = review.pseudonym
        form.known_agencies.data = _ids(review.agencies_where("known_at_referral"))
        form.linked_references.data = ", ".join(r.reference for r in review.linked_reviews)
    save = lambda: update_referral(review, form.details(), form.version.data)  # noqa: E731
    return _step(
        review, form, save, "Referral details saved.", "reviews/referral.html", review_type=review.review_type
    )


# --- identifying details ----------------------------------------------------------------


# Identifiers have their own rule: an agency lead with an open request may read them without
# being able to open the review itself.
@bp.route("/<int:review_id>/identifying-details")
@loads(Review, may="see_identifiers")
def review_identifiers(review: Review) -> ResponseReturnValue:
    commit_once(lambda: record_identifier_view(review, current_person()))
    # Loaded after the commit (which expired them): who leads the review (the page asks
    # can("view", review)), and the people the page lists.
    db.session.refresh(review, ["assignments"])
    record = db.session.execute(
        db.select(ConfidentialRecord)
        .where(ConfidentialRecord.review_id == review.id)
        .options(selectinload(ConfidentialRecord.people))
    ).scalar_one_or_none()
    return render_template(
        "reviews/identifiers.html",
        review=review,
        record=record,
        kinds=PersonKind,
        subjects=review.review_type.subject_plural,  # "Children", or "Adults" on a SAR
    )


@bp.route("/<int:review_id>/identifying-details/edit", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_identifiers_edit(review: Review) -> ResponseReturnValue:
    form = f.IdentifiersForm()
    if request.method == "GET":
        commit_once(lambda: record_identifier_view(review, current_person()))
        record = review.confidential
        if record:
            form.address.data = record.address
            for entries, kind in ((form.children, PersonKind.CHILD), (form.carers, PersonKind.PARENT_CARER)):
                for entry, person in zip(entries, record.people_of(kind), strict=False):
                    entry.form.process(None, obj=person)

    save = lambda: save_identifiers(  # noqa: E731
        review,
        form.children_details(),
        form.carers_details(),
        form.address.data or "",
        form.version.data,
        by=current_person(),
    )
    shown = url_for("reviews.review_identifiers", review_id=review.id)
    review_type = review.review_type  # loaded now: a refused save's rollback expires the review
    return _step(
        review,
        form,
        save,
        "Identifying details saved.",
        "reviews/identifiers_edit.html",
        shown,
        subject=review_type.subject_noun,
        siblings=review_type.code == "CSPR",
    )


# --- rapid review, decision, commissioning ----------------------------------------------


@bp.route("/<int:review_id>/rapid-review", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_rapid_review(review: Review) -> ResponseReturnValue:
    rapid = review.rapid_review
    form = f.RapidReviewForm(obj=rapid if request.method == "GET" else None)
    form.contributing_agencies.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.contributing_agencies.data = _ids(review.agencies_where("contributed_to_rapid_review"))
        if rapid:
            form.recommendation.data = rapid.recommendation.value if rapid.recommendation else None
            form.panel_response.data = rapid.panel_response.value if rapid.panel_response else None

    save = lambda: save_rapid_review(review, form.details(), form.version.data)  # noqa: E731
    return _step(review, form, save, "Rapid review saved.", "reviews/rapid_review.html")


DECISION_OPTIONS = [
    joinedload(Review.rapid_review),
    joinedload(Review.referral),
    joinedload(Review.decision),
    selectinload(Review.decision_challenges),
]


def _decision_step(
    review: Review,
    form_class: type[f.DecisionForm],
    decide: Callable[[Review, DecisionDetails, int | None, User], object],
    success: str,
    template: str,
    **context: object,
) -> ResponseReturnValue:
    """A page recording the partners' decision (first, or reconsidered after a challenge): the
    outcomes and criteria the review's type gives, recorded by ``decide``."""
    form = form_class()
    form.set_review(review, decision_outcomes(review.review_type))
    save = lambda: decide(review, form.details(), form.version.data, current_person())  # noqa: E731
    return _step(review, form, save, success, template, **context)


@bp.route("/<int:review_id>/decision", methods=["GET", "POST"])
@loads(Review, may="manage", options=DECISION_OPTIONS)
def review_decision(review: Review) -> ResponseReturnValue:
    return _decision_step(
        review, f.DecisionForm, record_decision, "Decision recorded.", "reviews/decision.html"
    )


@bp.route("/<int:review_id>/decision/challenge", methods=["GET", "POST"])
@loads(Review, may="manage", options=DECISION_OPTIONS)
def review_decision_challenge(review: Review) -> ResponseReturnValue:
    form = f.ChallengeForm()
    save = lambda: record_panel_challenge(  # noqa: E731
        review, form.challenged_on.data, form.reasons.data or "", form.version.data, current_person()
    )
    done = "The Panel's challenge is recorded. Record the partners' reconsidered decision next."
    return _step(
        review, form, save, done, "reviews/decision_challenge.html", may_challenge=can_be_challenged(review)
    )


@bp.route("/<int:review_id>/decision/reconsider", methods=["GET", "POST"])
@loads(Review, may="manage", options=DECISION_OPTIONS)
def review_decision_reconsider(review: Review) -> ResponseReturnValue:
    return _decision_step(
        review,
        f.ReconsiderForm,
        reconsider_decision,
        "Reconsidered decision recorded. The earlier decision stays on record.",
        "reviews/decision_reconsider.html",
        challenge=open_challenge(review),
    )


@bp.route("/<int:review_id>/commissioning", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_commissioning(review: Review) -> ResponseReturnValue:
    form = f.CommissionForm()
    form.agencies_in_scope.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.target_completion_on.data = default_target_completion(review)
        known = review.agencies_where("known_at_referral") + review.agencies_where(
            "contributed_to_rapid_review"
        )
        form.agencies_in_scope.data = sorted(set(_ids(known)))

    save = lambda: commission_review(review, form.details(), form.version.data, current_person())  # noqa: E731
    done = "The review has been commissioned. It now waits for a reviewer."
    return _step(review, form, save, done, "reviews/commissioning.html")


# --- pauses and extensions --------------------------------------------------------------


@bp.route("/<int:review_id>/pause", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_pause(review: Review) -> ResponseReturnValue:
    form = f.PauseForm().offer(processes_of(review))
    if request.method == "GET":
        form.started_on.data = uk_today()
    pause = lambda: pause_review(review, **form.values(), version=form.version.data, by=current_person())  # noqa: E731
    done = "The review is paused. Its open deadlines stop until it resumes."
    return _step(review, form, pause, done, "reviews/pause.html")


@bp.route("/<int:review_id>/resume", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_resume(review: Review) -> ResponseReturnValue:
    if review.open_pause is None:  # an old link or a second tab: the page has nothing to show
        flash("This review is not paused", "error")
        return redirect(review_url(review))
    form = f.ResumeForm()
    if request.method == "GET":
        form.ended_on.data = uk_today()
    resume = lambda: resume_review(review, form.ended_on.data, form.version.data)  # noqa: E731
    done = "The review has resumed. Its open deadlines have moved by the length of the pause."
    return _step(review, form, resume, done, "reviews/resume.html")


@bp.route("/<int:review_id>/deadlines/<clock_key>/extend", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_extend(review: Review, clock_key: str) -> ResponseReturnValue:
    deadline = next((d for d in deadlines_for(review) if d.clock.key == clock_key), None)
    if deadline is None:  # an old link, or a type whose clocks changed: nothing to extend
        flash("This review has no such deadline", "error")
        return redirect(review_url(review))
    if not deadline.due_on or deadline.met_on:  # the same refusal as the service, before drawing the page
        flash(f"'{deadline.clock.label}' is not running, so it cannot be extended", "error")
        return redirect(review_url(review))
    form = f.ExtendForm()
    extend = lambda: extend_deadline(  # noqa: E731
        review, clock_key, **form.values(), version=form.version.data, by=current_person()
    )
    done = "Deadline extended. The original due date stays on record."
    return _step(review, form, extend, done, "reviews/extend.html", deadline=deadline)
