"""Screens of the first steps: a new referral and its details, the identifying details, the rapid
review, the decision, commissioning, pauses and extensions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import page_with_form, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.clock import deadlines_for
from casework.reviews.forms import chosen_agencies
from casework.reviews.loading import load_review, me, review_url
from casework.reviews.models import (
    ConfidentialRecord,
    DecisionOutcome,
    PanelResponse,
    PersonKind,
    RapidReviewRecommendation,
    Review,
    ReviewType,
)
from casework.reviews.permissions import can_manage, can_see_identifiers
from casework.reviews.referral import forms as f
from casework.reviews.referral.commissioning import TermsDetails, commission_review, default_target_completion
from casework.reviews.referral.decision import DecisionDetails, decision_outcomes, record_decision
from casework.reviews.referral.identifiers import PersonDetails, record_identifier_view, save_identifiers
from casework.reviews.referral.pausing import extend_deadline, pause_review, resume_review
from casework.reviews.referral.rapid_review import RapidReviewDetails, save_rapid_review
from casework.reviews.referral.referral import ReferralDetails, create_referral, update_referral

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


def _agency_choices(review: Review | None = None) -> list[Agency]:
    """Active agencies, plus those this review already names (even if deactivated since)."""
    return agencies_for_new_work(keeping=[i.agency for i in review.involvements] if review else [])


def _ids(agencies: list[Agency]) -> list[str]:
    return [str(agency.id) for agency in agencies]


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


def _referral_details(form: f.ReferralForm) -> ReferralDetails:
    return ReferralDetails(
        pseudonym=form.pseudonym.data or "",
        incident_on=form.incident_on.data,
        incident_description=form.incident_description.data or "",
        became_aware_on=form.became_aware_on.data,
        panel_notified_on=form.panel_notified_on.data,
        notifying_organisation=form.notifying_organisation.data or "",
        notifying_person=form.notifying_person.data or "",
        known_agencies=chosen_agencies(form.known_agencies.data),
        linked_references=(form.linked_references.data or "").split(","),
    )


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
        lambda: create_referral(review_type, _referral_details(form), me()),
        lambda review: f"{review.reference} created for {review.pseudonym}.",
        review_url,
    )
    return done or page_with_form("reviews/referral.html", form, review_type=review_type, review=None)


@bp.route("/<int:review_id>/referral", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_referral(review_id: int) -> ResponseReturnValue:
    review = load_review(
        review_id, manage=True, options=[joinedload(Review.review_type).selectinload(ReviewType.clocks)]
    )
    referral = review.referral
    form = f.ReferralForm(obj=referral if request.method == "GET" else None)
    form.known_agencies.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.pseudonym.data = review.pseudonym
        form.version.data = review.version
        form.known_agencies.data = _ids(review.agencies_where("known_at_referral"))
        form.linked_references.data = ", ".join(r.reference for r in review.linked_reviews)
    done = submit(
        form,
        lambda: update_referral(review, _referral_details(form), form.version.data),
        "Referral details saved.",
        review_url(review),
    )
    return done or page_with_form(
        "reviews/referral.html", form, review_type=review.review_type, review=review
    )


# --- identifying details ----------------------------------------------------------------


def _identifiers_allowed(review_id: int, *, manage: bool = False) -> Review:
    """Identifiers have their own rule: an agency lead with an open request may read them
    without being able to open the review itself."""
    review = db.session.get(Review, review_id)
    if review is None or not can_see_identifiers(me(), review):
        abort(404)
    if manage and not can_manage(me(), review):
        abort(403)
    return review


@bp.route("/<int:review_id>/identifying-details")
@roles(*CASE_ROLES)
def review_identifiers(review_id: int) -> ResponseReturnValue:
    review = _identifiers_allowed(review_id)
    record_identifier_view(review, me())
    db.session.commit()
    # Loaded after the commit (which expired it), with the people the page lists.
    record = db.session.execute(
        db.select(ConfidentialRecord)
        .where(ConfidentialRecord.review_id == review.id)
        .options(selectinload(ConfidentialRecord.people))
    ).scalar_one_or_none()
    return render_template("reviews/identifiers.html", review=review, record=record, kinds=PersonKind)


def _person(data: dict[str, object]) -> PersonDetails:
    return PersonDetails(
        **{key: value if value is not None or key == "date_of_birth" else "" for key, value in data.items()}
    )


@bp.route("/<int:review_id>/identifying-details/edit", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_identifiers_edit(review_id: int) -> ResponseReturnValue:
    review = _identifiers_allowed(review_id, manage=True)
    form = f.IdentifiersForm()
    if request.method == "GET":
        record_identifier_view(review, me())
        db.session.commit()
        form.version.data = review.version
        record = review.confidential
        if record:
            form.address.data = record.address
            for entries, kind in ((form.children, PersonKind.CHILD), (form.carers, PersonKind.PARENT_CARER)):
                for entry, person in zip(entries, record.people_of(kind), strict=False):
                    entry.form.process(None, obj=person)

    def save() -> None:
        save_identifiers(
            review,
            [_person(entry.data) for entry in form.children],
            [_person(entry.data) for entry in form.carers],
            form.address.data or "",
            form.version.data,
            by=me(),
        )

    done = submit(
        form, save, "Identifying details saved.", url_for("reviews.review_identifiers", review_id=review.id)
    )
    return done or page_with_form("reviews/identifiers_edit.html", form, review=review)


# --- rapid review, decision, commissioning ----------------------------------------------


def _enum_or_none(enum_class, value):  # type: ignore[no-untyped-def]
    # Blank (Optional() lets "  " through) is no answer; other values were checked against the choices.
    return enum_class(value) if (value or "").strip() else None


@bp.route("/<int:review_id>/rapid-review", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_rapid_review(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    rapid = review.rapid_review
    form = f.RapidReviewForm(obj=rapid if request.method == "GET" else None)
    form.contributing_agencies.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.version.data = review.version
        form.contributing_agencies.data = _ids(review.agencies_where("contributed_to_rapid_review"))
        if rapid:
            form.recommendation.data = rapid.recommendation.value if rapid.recommendation else None
            form.panel_response.data = rapid.panel_response.value if rapid.panel_response else None

    def save() -> None:
        details = RapidReviewDetails(
            meeting_on=form.meeting_on.data,
            facts_established=form.facts_established.data or "",
            immediate_safety_actions=form.immediate_safety_actions.data or "",
            learning_identified=form.learning_identified.data or "",
            recommendation=_enum_or_none(RapidReviewRecommendation, form.recommendation.data),
            sent_to_panel_on=form.sent_to_panel_on.data,
            panel_response=_enum_or_none(PanelResponse, form.panel_response.data),
            panel_responded_on=form.panel_responded_on.data,
            contributing_agencies=chosen_agencies(form.contributing_agencies.data),
        )
        save_rapid_review(review, details, form.version.data)

    done = submit(form, save, "Rapid review saved.", review_url(review))
    return done or page_with_form("reviews/rapid_review.html", form, review=review)


@bp.route("/<int:review_id>/decision", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_decision(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True, options=[joinedload(Review.rapid_review)])
    form = f.DecisionForm()
    form.set_type(review.review_type, decision_outcomes(review.review_type))
    if request.method == "GET":
        form.version.data = review.version

    def save() -> None:
        details = DecisionDetails(
            outcome=_enum_or_none(DecisionOutcome, form.outcome.data),
            criteria_met=form.criteria_met.data or [],
            regard_had_to=form.regard_had_to.data or [],
            rationale=form.rationale.data or "",
            decided_on=form.decided_on.data,
            decided_by=form.decided_by.data or "",
        )
        record_decision(review, details, form.version.data, me())

    done = submit(form, save, "Decision recorded.", review_url(review))
    return done or page_with_form("reviews/decision.html", form, review=review)


@bp.route("/<int:review_id>/commissioning", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_commissioning(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    form = f.CommissionForm()
    form.agencies_in_scope.choices = f.agency_choices(_agency_choices(review))
    if request.method == "GET":
        form.version.data = review.version
        form.target_completion_on.data = default_target_completion(review)
        known = review.agencies_where("known_at_referral") + review.agencies_where(
            "contributed_to_rapid_review"
        )
        form.agencies_in_scope.data = sorted(set(_ids(known)))

    def save() -> None:
        details = TermsDetails(
            scope_from=form.scope_from.data,
            scope_to=form.scope_to.data,
            key_lines_of_enquiry=form.key_lines_of_enquiry.data or "",
            method=form.method.data or "",
            family_involvement=form.family_involvement.data or "",
            target_completion_on=form.target_completion_on.data,
            commissioned_on=form.commissioned_on.data,
            agencies_in_scope=chosen_agencies(form.agencies_in_scope.data),
        )
        commission_review(review, details, form.version.data, me())

    done = submit(
        form, save, "The review has been commissioned. It now waits for a reviewer.", review_url(review)
    )
    return done or page_with_form("reviews/commissioning.html", form, review=review)


# --- pauses and extensions --------------------------------------------------------------


@bp.route("/<int:review_id>/pause", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_pause(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    form = f.PauseForm()
    if request.method == "GET":
        form.version.data = review.version
        form.started_on.data = uk_today()
    done = submit(
        form,
        lambda: pause_review(
            review,
            form.started_on.data,
            form.reason.data or "",
            form.agreed_by.data or "",
            form.version.data,
            me(),
        ),
        "The review is paused. Its open deadlines stop until it resumes.",
        review_url(review),
    )
    return done or page_with_form("reviews/pause.html", form, review=review)


@bp.route("/<int:review_id>/resume", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_resume(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    if review.open_pause is None:  # an old link or a second tab: the page has nothing to show
        flash("This review is not paused", "error")
        return redirect(review_url(review))
    form = f.ResumeForm()
    if request.method == "GET":
        form.version.data = review.version
        form.ended_on.data = uk_today()
    done = submit(
        form,
        lambda: resume_review(review, form.ended_on.data, form.version.data),
        "The review has resumed. Its open deadlines have moved by the length of the pause.",
        review_url(review),
    )
    return done or page_with_form("reviews/resume.html", form, review=review)


@bp.route("/<int:review_id>/deadlines/<clock_key>/extend", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_extend(review_id: int, clock_key: str) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    deadline = next((d for d in deadlines_for(review) if d.clock.key == clock_key), None) or abort(404)
    if not deadline.due_on or deadline.met_on:  # the same refusal as the service, before drawing the page
        flash(f"'{deadline.clock.label}' is not running, so it cannot be extended", "error")
        return redirect(review_url(review))
    form = f.ExtendForm()
    if request.method == "GET":
        form.version.data = review.version
    done = submit(
        form,
        lambda: extend_deadline(
            review,
            clock_key,
            form.new_due_on.data,
            form.reason.data or "",
            form.agreed_by.data or "",
            form.version.data,
            me(),
        ),
        "Deadline extended. The original due date stays on record.",
        review_url(review),
    )
    return done or page_with_form("reviews/extend.html", form, review=review, deadline=deadline)
