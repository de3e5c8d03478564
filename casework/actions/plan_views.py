"""A review's action plan: findings, numbered recommendations and their actions."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.actions import services
from casework.actions.forms import ActionForm, FindingForm, RecommendationForm
from casework.actions.models import Action, Finding, Recommendation, Theme
from casework.actions.permissions import can_plan_actions, can_write_recommendations
from casework.actions.rag import Rag, rag_of, soon_limit
from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth.access import roles
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.form_keys import OneTimeForm
from casework.core.forms import as_id, chosen_ids, error_flashed, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.loading import load_review, me
from casework.reviews.models import Review

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)
PARTNERSHIP = "partnership"


def _themes() -> list[Theme]:
    return list(
        db.session.execute(db.select(Theme).where(Theme.active.is_(True)).order_by(Theme.name)).scalars()
    )


def _chosen_themes(values: list[str] | None) -> list[Theme]:
    wanted = chosen_ids(values)
    return [theme for theme in _themes() if theme.id in wanted]


def plan_of(review: Review) -> tuple[list[Finding], list[Recommendation]]:
    findings = db.session.execute(
        db.select(Finding)
        .where(Finding.review_id == review.id)
        .order_by(Finding.number)
        .options(selectinload(Finding.themes))
    ).scalars()
    recommendations = db.session.execute(
        db.select(Recommendation)
        .where(Recommendation.review_id == review.id)
        .order_by(Recommendation.number)
        .options(
            selectinload(Recommendation.agencies),
            selectinload(Recommendation.themes),
            selectinload(Recommendation.actions).options(joinedload(Action.agency), joinedload(Action.owner)),
        )
    ).scalars()
    return findings.all(), recommendations.all()


def plan_summary(review: Review) -> dict[str, object]:
    """Counts by RAG and the next deadlines, for the review page."""
    today = uk_today()
    soon = soon_limit(today)
    actions = (
        db.session.execute(
            db.select(Action).where(Action.review_id == review.id).options(joinedload(Action.agency))
        )
        .scalars()
        .all()
    )
    counts = {rag: 0 for rag in Rag}
    for action in actions:
        counts[rag_of(action, today, soon)] += 1
    upcoming = sorted((a for a in actions if a.status.value != "verified"), key=lambda a: a.deadline)[:5]
    return {"total": len(actions), "counts": counts, "upcoming": upcoming, "today": today}


def _recommendation_form() -> RecommendationForm:
    form = RecommendationForm()
    form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in agencies_for_new_work()]
    form.themes.choices = [SelectChoice(str(t.id), t.name) for t in _themes()]
    return form


def _finding_form() -> FindingForm:
    form = FindingForm()
    form.themes.choices = [SelectChoice(str(t.id), t.name) for t in _themes()]
    return form


@bp.route("/<int:review_id>/action-plan", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_action_plan(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id)
    finding_form, recommendation_form = _finding_form(), _recommendation_form()
    here = url_for("reviews.review_action_plan", review_id=review.id)
    done = None
    if request.method == "POST" and "add_finding" in request.form:
        done = submit(
            finding_form,
            lambda: services.add_finding(
                review, finding_form.text.data or "", _chosen_themes(finding_form.themes.data), me()
            ),
            lambda finding: f"Finding {finding.number} added.",
            here + "#findings",
        )
    elif request.method == "POST":

        def add() -> Recommendation:
            chosen = chosen_ids(recommendation_form.agencies.data)
            agencies = [a for a in agencies_for_new_work() if a.id in chosen]
            return services.add_recommendation(
                review,
                recommendation_form.text.data or "",
                bool(recommendation_form.to_partnership.data),
                agencies,
                _chosen_themes(recommendation_form.themes.data),
                me(),
            )

        done = submit(recommendation_form, add, lambda r: f"Recommendation {r.number} added.", here)
    if done:
        return done
    if request.method == "GET":
        finding_form, recommendation_form = _finding_form(), _recommendation_form()
        recommendation_form.to_partnership.data = True
    findings, recommendations = plan_of(review)
    today = uk_today()
    failed = bool(finding_form.errors or recommendation_form.errors) or error_flashed()
    return render_template(
        "actions/plan.html",
        review=review,
        findings=findings,
        recommendations=recommendations,
        finding_form=finding_form,
        recommendation_form=recommendation_form,
        form=finding_form if finding_form.errors else recommendation_form,
        can_write=can_write_recommendations(me(), review) and not review.is_ended,
        can_plan=can_plan_actions(me()) and not review.is_ended,
        rag_of=rag_of,
        today=today,
        soon=soon_limit(today),
    ), 400 if failed else 200


def _owner_choices() -> list[SelectChoice]:
    people = db.session.execute(
        db.select(User)
        .where(User.active.is_(True), User.role.in_([Role.AGENCY_LEAD, Role.BOARD_MANAGER]))
        .order_by(User.name)
    ).scalars()
    return [SelectChoice("", "Choose the owner")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.agency.name if u.agency else 'board manager'})")
        for u in people
    ]


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/actions/new", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_action_new(review_id: int, recommendation_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    recommendation = db.session.get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.review_id != review.id:
        abort(404)
    form = ActionForm()
    form.agency.choices = [
        SelectChoice("", "Choose the owner of the action"),
        SelectChoice(PARTNERSHIP, "The partnership"),
    ] + [SelectChoice(str(a.id), a.name) for a in agencies_for_new_work()]
    form.owner.choices = _owner_choices()

    def add() -> Action:
        if not form.agency.data:
            raise DomainError("Choose the owning agency, or the partnership", field="agency")
        agency_id, owner_id = as_id(form.agency.data), as_id(form.owner.data)
        agency = db.session.get(Agency, agency_id) if agency_id else None
        owner = db.session.get(User, owner_id) if owner_id else None
        return services.add_action(
            recommendation,
            form.description.data or "",
            agency,
            owner,
            form.deadline.data,
            form.success_measure.data or "",
            me(),
        )

    done = submit(form, add, "Action added.", url_for("reviews.review_action_plan", review_id=review.id))
    failed = bool(form.errors) or error_flashed()
    return done or (
        render_template("actions/action_new.html", review=review, recommendation=recommendation, form=form),
        400 if failed else 200,
    )


@bp.route("/<int:review_id>/recommendations/confirm", methods=["POST"])
@roles(*CASE_ROLES)
def review_recommendations_confirm(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    here = url_for("reviews.review_action_plan", review_id=review.id)
    done = submit(
        OneTimeForm(),
        lambda: services.confirm_recommendations(review, me()),
        lambda count: f"{count} recommendation(s) confirmed as final.",
        here,
    )
    return done or redirect(here)
