"""The lists of reviews, the review page and its move buttons: the screens over every stage.
Thin views that load, check access, validate, call one service, redirect."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.actions.plan_views import plan_summary
from casework.agencies.services import REQUEST_STAGES
from casework.auth.access import current_person, loads, roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import submit
from casework.core.request_guards import page_number
from casework.core.timeutil import uk_today
from casework.core.workdays import COUNTING_RULE
from casework.reviews import bp, queries, timeline
from casework.reviews.appointments import services as appointments
from casework.reviews.clock import deadlines_for
from casework.reviews.forms import MoveForm
from casework.reviews.lifecycle import TRANSITIONS, Move, has_accepted_lead, next_steps, take_move
from casework.reviews.models import (
    Decision,
    Involvement,
    Review,
    ReviewerAssignment,
    ReviewPause,
    ReviewType,
    TermsOfReference,
)
from casework.reviews.notices.rules import notice_status
from casework.reviews.notices.services import notices_of
from casework.reviews.pages import review_url
from casework.reviews.stages import ReviewStage
from casework.work.queues import attention, every_line_of

# --- lists ------------------------------------------------------------------------------


@bp.route("/dashboard")
@roles(Role.BOARD_MANAGER)
def dashboard() -> ResponseReturnValue:
    user = current_person()
    return render_template(
        "reviews/dashboard.html",
        counts=queries.stage_counts(user),
        deadlines=queries.upcoming_deadlines(user),
        paused=queries.paused_reviews(user),
        stages=list(ReviewStage),
        attention=attention(uk_today()),
        every_line_of=every_line_of,
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
        queries.review_list(current_person(), filters),
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
        pending=appointments.pending_appointments(current_person())
        if current_person().can_lead_reviews()
        else [],
        today=uk_today(),
    )


# --- the review page --------------------------------------------------------------------


# What the review page shows, loaded with the review (its template never queries).
DETAIL_OPTIONS = (
    # The type's clocks and the publication in the review's own query: the deadlines read them.
    joinedload(Review.review_type).joinedload(ReviewType.clocks),
    joinedload(Review.publication),
    joinedload(Review.referral),
    joinedload(Review.rapid_review),
    joinedload(Review.decision).joinedload(Decision.recorded_by),
    selectinload(Review.decision_challenges),
    selectinload(Review.earlier_decisions),
    joinedload(Review.terms).joinedload(TermsOfReference.commissioned_by),
    selectinload(Review.involvements).joinedload(Involvement.agency),
    selectinload(Review.pauses).joinedload(ReviewPause.process),
    selectinload(Review.linked_reviews),
    selectinload(Review.assignments).joinedload(ReviewerAssignment.reviewer),
    selectinload(Review.contribution_requests),
)


@bp.route("/<int:review_id>")
@loads(Review, options=DETAIL_OPTIONS)
def review_detail(review: Review) -> ResponseReturnValue:
    plan = plan_summary(review)  # before the next steps, which reuse its count of unverified actions
    kind = timeline.kind_from(request.args.get("kind"))
    events = timeline.timeline_page(review.id, kind, page_number(request.args.get("page")))
    return render_template(
        "reviews/detail.html",
        review=review,
        deadlines=deadlines_for(review),
        notices=[n for n in notices_of(review) if n.applies and n.sent_on is None],
        notice_status=notice_status,
        next_steps=next_steps(review) if review.can_manage(current_person()) else [],
        lead_accepted=has_accepted_lead(review),
        may_request=review.stage in REQUEST_STAGES,
        events=events,
        entries=timeline.describe_all(events.items),
        kind=kind,
        kinds=list(timeline.TimelineKind),
        move_form=MoveForm(version=review.version),
        rule=COUNTING_RULE,
        today=uk_today(),
        plan=plan,
    )


# Only the moves the table gives to this view have an address; any other is not found.
SIMPLE_MOVES = ",".join(sorted(t.move.value for t in TRANSITIONS.values() if t.simple))


@bp.route(f"/<int:review_id>/move/<any({SIMPLE_MOVES}):move>", methods=["POST"])
@loads(Review, may="manage")
def review_move(review: Review, move: str) -> ResponseReturnValue:
    transition = TRANSITIONS[Move(move)]
    form = MoveForm()
    taken = lambda: take_move(review, transition.move, form.version.data, current_person())  # noqa: E731
    if submit(form, taken, transition.done, review_url(review)) is None:
        for error in form.errors.get("version", []):
            flash(error, "error")
    return redirect(review_url(review))
