"""Review screens: thin views that load, check access, validate, call one service, redirect."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.actions.plan_views import plan_summary
from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import page_with_form, submit
from casework.core.request_guards import page_number
from casework.core.timeutil import uk_today
from casework.core.workdays import COUNTING_RULE, ClosureDay
from casework.reviews import bp, queries, services
from casework.reviews import forms as f
from casework.reviews.appointments import services as appointments
from casework.reviews.clock import deadlines_for
from casework.reviews.lifecycle import TRANSITIONS, Move, next_steps, take_move
from casework.reviews.loading import load_review, me, review_url
from casework.reviews.models import (
    ConfidentialRecord,
    Decision,
    DecisionOutcome,
    Involvement,
    PanelResponse,
    PersonKind,
    RapidReviewRecommendation,
    Review,
    ReviewerAssignment,
    ReviewType,
    TermsOfReference,
)
from casework.reviews.permissions import can_manage, can_see_identifiers
from casework.reviews.stages import ReviewStage

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


def _agency_choices(review: Review | None = None) -> list[Agency]:
    """Active agencies, plus those this review already names (even if deactivated since)."""
    return agencies_for_new_work(keeping=[i.agency for i in review.involvements] if review else [])


def _ids(agencies: list[Agency]) -> list[str]:
    return [str(agency.id) for agency in agencies]


# --- lists ------------------------------------------------------------------------------


@bp.route("/dashboard")
@roles(Role.BOARD_MANAGER)
def dashboard() -> ResponseReturnValue:
    user = me()
    return render_template(
        "reviews/dashboard.html",
        counts=queries.stage_counts(user),
        deadlines=queries.upcoming_deadlines(user),
        paused=queries.paused_reviews(user),
        stages=list(ReviewStage),
        today=uk_today(),
    )


@bp.route("/")
@roles(Role.BOARD_MANAGER, Role.REVIEWER)
def index() -> ResponseReturnValue:
    filters = queries.ReviewFilters(
        type_code=request.args.get("type", ""),
        stage=request.args.get("stage", "") if request.args.get("stage", "") in set(ReviewStage) else "",
        due=request.args.get("due", ""),
        search=request.args.get("q", ""),
    )
    page = db.paginate(
        queries.review_list(me(), filters),
        page=page_number(request.args.get("page")),
        per_page=queries.PAGE_SIZE,
        error_out=False,
    )
    types = db.session.execute(db.select(ReviewType).order_by(ReviewType.code)).scalars().all()
    return render_template(
        "reviews/index.html",
        page=page,
        filters=filters,
        types=types,
        stages=list(ReviewStage),
        next_deadline=queries.next_running_deadline,
        pending=appointments.pending_appointments(me()) if me().role == Role.REVIEWER else [],
        today=uk_today(),
    )


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


def _referral_details(form: f.ReferralForm) -> services.ReferralDetails:
    return services.ReferralDetails(
        pseudonym=form.pseudonym.data or "",
        incident_on=form.incident_on.data,
        incident_description=form.incident_description.data or "",
        became_aware_on=form.became_aware_on.data,
        panel_notified_on=form.panel_notified_on.data,
        notifying_organisation=form.notifying_organisation.data or "",
        notifying_person=form.notifying_person.data or "",
        known_agencies=f.chosen_agencies(form.known_agencies.data),
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
        lambda: services.create_referral(review_type, _referral_details(form), me()),
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
        lambda: services.update_referral(review, _referral_details(form), form.version.data),
        "Referral details saved.",
        review_url(review),
    )
    return done or page_with_form(
        "reviews/referral.html", form, review_type=review.review_type, review=review
    )


# --- the review page --------------------------------------------------------------------


# What the review page shows, loaded with the review (its template never queries).
DETAIL_OPTIONS = (
    joinedload(Review.review_type),
    joinedload(Review.referral),
    joinedload(Review.rapid_review),
    joinedload(Review.decision).joinedload(Decision.recorded_by),
    joinedload(Review.terms).joinedload(TermsOfReference.commissioned_by),
    selectinload(Review.involvements).joinedload(Involvement.agency),
    selectinload(Review.pauses),
    selectinload(Review.linked_reviews),
    selectinload(Review.assignments).joinedload(ReviewerAssignment.reviewer),
    selectinload(Review.contribution_requests),
)


@bp.route("/<int:review_id>")
@roles(*CASE_ROLES)
def review_detail(review_id: int) -> ResponseReturnValue:
    from casework.core.audit import AuditEvent

    review = load_review(review_id, options=DETAIL_OPTIONS)
    user = me()
    timeline = db.session.execute(
        db.select(AuditEvent)
        .where(AuditEvent.review_id == review.id, AuditEvent.action != "identifiers_viewed")
        .order_by(AuditEvent.id.desc())
        .options(joinedload(AuditEvent.actor))
    ).scalars()
    return render_template(
        "reviews/detail.html",
        review=review,
        deadlines=deadlines_for(review),
        next_steps=next_steps(review) if can_manage(user, review) else [],
        can_manage=can_manage(user, review),
        can_see_identifiers=can_see_identifiers(user, review),
        timeline=timeline.all(),
        move_form=f.MoveForm(version=review.version),
        rule=COUNTING_RULE,
        today=uk_today(),
        plan=plan_summary(review),
    )


@bp.route("/<int:review_id>/move/<move>", methods=["POST"])
@roles(*CASE_ROLES)
def review_move(review_id: int, move: str) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    try:
        transition = TRANSITIONS[Move(move)]
    except ValueError:
        abort(404)
    if not transition.simple:
        abort(404)
    form = f.MoveForm()
    taken = lambda: take_move(review, transition.move, form.version.data, me())  # noqa: E731
    if submit(form, taken, transition.done, review_url(review)) is None:
        for error in form.errors.get("version", []):
            flash(error, "error")
    return redirect(review_url(review))


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
    services.record_identifier_view(review, me())
    db.session.commit()
    # Loaded after the commit (which expired it), with the people the page lists.
    record = db.session.execute(
        db.select(ConfidentialRecord)
        .where(ConfidentialRecord.review_id == review.id)
        .options(selectinload(ConfidentialRecord.people))
    ).scalar_one_or_none()
    return render_template("reviews/identifiers.html", review=review, record=record, kinds=PersonKind)


def _person(data: dict[str, object]) -> services.PersonDetails:
    return services.PersonDetails(
        **{key: value if value is not None or key == "date_of_birth" else "" for key, value in data.items()}
    )


@bp.route("/<int:review_id>/identifying-details/edit", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_identifiers_edit(review_id: int) -> ResponseReturnValue:
    review = _identifiers_allowed(review_id, manage=True)
    form = f.IdentifiersForm()
    if request.method == "GET":
        services.record_identifier_view(review, me())
        db.session.commit()
        form.version.data = review.version
        record = review.confidential
        if record:
            form.address.data = record.address
            for entries, kind in ((form.children, PersonKind.CHILD), (form.carers, PersonKind.PARENT_CARER)):
                for entry, person in zip(entries, record.people_of(kind), strict=False):
                    entry.form.process(None, obj=person)

    def save() -> None:
        services.save_identifiers(
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
        details = services.RapidReviewDetails(
            meeting_on=form.meeting_on.data,
            facts_established=form.facts_established.data or "",
            immediate_safety_actions=form.immediate_safety_actions.data or "",
            learning_identified=form.learning_identified.data or "",
            recommendation=_enum_or_none(RapidReviewRecommendation, form.recommendation.data),
            sent_to_panel_on=form.sent_to_panel_on.data,
            panel_response=_enum_or_none(PanelResponse, form.panel_response.data),
            panel_responded_on=form.panel_responded_on.data,
            contributing_agencies=f.chosen_agencies(form.contributing_agencies.data),
        )
        services.save_rapid_review(review, details, form.version.data)

    done = submit(form, save, "Rapid review saved.", review_url(review))
    return done or page_with_form("reviews/rapid_review.html", form, review=review)


@bp.route("/<int:review_id>/decision", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_decision(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True, options=[joinedload(Review.rapid_review)])
    form = f.DecisionForm()
    form.set_type(review.review_type, services.decision_outcomes(review.review_type))
    if request.method == "GET":
        form.version.data = review.version

    def save() -> None:
        details = services.DecisionDetails(
            outcome=_enum_or_none(DecisionOutcome, form.outcome.data),
            criteria_met=form.criteria_met.data or [],
            regard_had_to=form.regard_had_to.data or [],
            rationale=form.rationale.data or "",
            decided_on=form.decided_on.data,
            decided_by=form.decided_by.data or "",
        )
        services.record_decision(review, details, form.version.data, me())

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
        form.target_completion_on.data = services.default_target_completion(review)
        known = review.agencies_where("known_at_referral") + review.agencies_where(
            "contributed_to_rapid_review"
        )
        form.agencies_in_scope.data = sorted(set(_ids(known)))

    def save() -> None:
        details = services.TermsDetails(
            scope_from=form.scope_from.data,
            scope_to=form.scope_to.data,
            key_lines_of_enquiry=form.key_lines_of_enquiry.data or "",
            method=form.method.data or "",
            family_involvement=form.family_involvement.data or "",
            target_completion_on=form.target_completion_on.data,
            commissioned_on=form.commissioned_on.data,
            agencies_in_scope=f.chosen_agencies(form.agencies_in_scope.data),
        )
        services.commission_review(review, details, form.version.data, me())

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
        lambda: services.pause_review(
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
        lambda: services.resume_review(review, form.ended_on.data, form.version.data),
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
        lambda: services.extend_deadline(
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


# --- working days and review types ------------------------------------------------------


@bp.route("/working-days", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def working_days() -> ResponseReturnValue:
    form = f.ClosureDayForm()
    done = submit(
        form,
        lambda: services.add_closure_day(form.day.data, form.description.data or ""),
        "Closure day added. Working-day deadlines that run over it move on by a day.",
        url_for("reviews.working_days"),
    )
    closures = db.session.execute(
        db.select(ClosureDay)
        .where(ClosureDay.day >= date(uk_today().year - 1, 1, 1))
        .order_by(ClosureDay.day)
    ).scalars()
    return done or page_with_form(
        "reviews/working_days.html", form, closures=closures.all(), rule=COUNTING_RULE
    )


@bp.route("/working-days/<day>/remove", methods=["POST"])
@roles(Role.BOARD_MANAGER)
def working_days_remove(day: str) -> ResponseReturnValue:
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    form = f.MoveForm()
    if submit(form, lambda: services.remove_closure_day(chosen), "Closure day removed.", "") is None:
        for message in form.errors.get("version", []):
            flash(message, "error")
    return redirect(url_for("reviews.working_days"))


@bp.route("/types")
@roles(Role.BOARD_MANAGER, Role.REVIEWER)
def review_types() -> ResponseReturnValue:
    types = (
        db.session.execute(
            db.select(ReviewType).order_by(ReviewType.id).options(selectinload(ReviewType.clocks))
        )
        .scalars()
        .all()
    )
    return render_template("reviews/types.html", types=types, rule=COUNTING_RULE)
