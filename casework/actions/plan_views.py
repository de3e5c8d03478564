"""A review's action plan: findings, numbered recommendations and their actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload, selectinload

from casework.actions import resemblance, services
from casework.actions.forms import (
    ActionForm,
    ConfirmRecommendationsForm,
    FindingForm,
    LearningForm,
    RecommendationForm,
)
from casework.actions.models import Action, ActionStatus, Finding, Recommendation, Theme
from casework.actions.rag import Rag, rag_of, rag_sql, soon_limit
from casework.agencies import contributions  # noqa: F401 (the review's loader option below needs its mapper whole)
from casework.agencies.models import agencies_for_new_work
from casework.auth.access import current_person, loads
from casework.auth.models import Role, User
from casework.core.display import plural
from casework.core.extensions import db
from casework.core.forms import chosen_ids, error_flashed, page_with_form, submit
from casework.core.request_guards import as_id
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
from casework.reviews import bp
from casework.reviews.models import Review


def _themes(review: Review) -> list[Theme]:
    """The active themes of the review's type: a SAR is tagged with a SAR's themes. Read once
    per request: the page's two forms both offer them."""
    cache: dict[int, list[Theme]] = g.setdefault("themes_by_type", {})
    if review.review_type_id not in cache:
        cache[review.review_type_id] = list(
            db.session.execute(
                db.select(Theme)
                .where(Theme.active.is_(True), Theme.for_type(review.review_type_id))
                .order_by(Theme.name)
            ).scalars()
        )
    return cache[review.review_type_id]


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
            joinedload(Recommendation.resembles).joinedload(Recommendation.review),
            joinedload(Recommendation.outcome),  # its status, in the same query
        )
    ).scalars()
    return findings.all(), recommendations.all()


def plan_summary(review: Review) -> dict[str, object]:
    """Counts by RAG and the next deadlines, for the review page: one query, which reads at most
    the five next deadlines and one row of each colour, however long the plan."""
    today = uk_today()
    rag = rag_sql(today, soon_limit(today))
    verified = Action.status == ActionStatus.VERIFIED
    ranked = (
        db.select(
            Action.id,
            rag.label("rag"),
            func.count().over(partition_by=rag).label("in_rag"),
            func.row_number().over(partition_by=rag, order_by=Action.id).label("nth_of_rag"),
            func.row_number()
            .over(order_by=(case((verified, 1), else_=0), Action.deadline, Action.id))
            .label("nth_due"),
            verified.label("verified"),
        )
        .where(Action.review_id == review.id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Action, ranked.c.rag, ranked.c.in_rag, ranked.c.nth_due)
        .join(ranked, ranked.c.id == Action.id)
        .where((ranked.c.nth_of_rag == 1) | ((ranked.c.nth_due <= 5) & ~ranked.c.verified))
        .order_by(ranked.c.nth_due)
        .options(joinedload(Action.agency))
    ).all()
    counts = {colour: 0 for colour in Rag}
    for row in rows:
        counts[Rag(row.rag)] = row.in_rag
    # The review page's next steps ask the same (may the review close?): answered from here.
    g.setdefault("unverified_actions", {})[review.id] = sum(counts.values()) - counts[Rag.VERIFIED]
    upcoming = [row.Action for row in rows if row.nth_due <= 5 and row.Action.status != ActionStatus.VERIFIED]
    return {"total": sum(counts.values()), "counts": counts, "upcoming": upcoming, "today": today}


def _finding_form(review: Review, formdata: bool = True) -> FindingForm:
    form = FindingForm() if formdata else FindingForm(formdata=None)
    return form.offer(_themes(review))


def _recommendation_form(review: Review, formdata: bool = True) -> RecommendationForm:
    form = RecommendationForm() if formdata else RecommendationForm(formdata=None, to_partnership=True)
    return form.offer(agencies_for_new_work(), _themes(review))


def _plan_url(review: Review) -> str:
    return url_for("reviews.review_action_plan", review_id=review.id)


def _just_written(
    findings: list[Finding], recommendations: list[Recommendation]
) -> tuple[Finding | Recommendation | None, list[resemblance.Resemblance]]:
    """The finding or recommendation just added (``?like=finding-3``, set by the add's redirect)
    and the earlier ones of other reviews that resemble it: the check runs on the server after
    the POST, so it works without JavaScript. Board managers only: they see every review."""
    kind, _, number = request.args.get("like", "").partition("-")
    wanted = as_id(number)
    if wanted is None or not current_person().can_track_actions():
        return None, []
    items: list[Finding] | list[Recommendation] = findings if kind == "finding" else recommendations
    if kind not in ("finding", "recommendation"):
        return None, []
    item = next((i for i in items if i.number == wanted), None)
    if item is None:
        return None, []
    themes = [t.id for t in item.themes]
    return item, resemblance.find_resembling(
        item.text, themes, exclude_review_id=item.review_id, before=item.created_at
    )


def _plan_page(review: Review, **forms: FlaskForm) -> ResponseReturnValue:
    """The plan, with a refused form shown again (400) where one is given."""
    findings, recommendations = plan_of(review)
    today = uk_today()
    context = {
        "finding_form": _finding_form(review, False),
        "recommendation_form": _recommendation_form(review, False),
    }
    context.update(forms)
    failed = any(form.errors for form in forms.values()) or error_flashed()
    written, like = _just_written(findings, recommendations)
    pending = [r for r in recommendations if r.confirmed_at is None]
    # Which unconfirmed recommendations must say what is different before they are confirmed.
    repeats = (
        resemblance.close_earlier(pending)
        if pending and review.plan_is_open and review.can_plan_actions(current_person())
        else {}
    )
    return render_template(
        "actions/plan.html",
        review=review,
        findings=findings,
        recommendations=recommendations,
        form=next(iter(forms.values()), context["recommendation_form"]),
        rag_of=rag_of,
        today=today,
        soon=soon_limit(today),
        plan_open=review.plan_is_open,
        written=written,
        written_kind="finding" if isinstance(written, Finding) else "recommendation",
        like=like,
        repeats=repeats,
        answers=request.form if request.method == "POST" else {},
        answer_prefix=ConfirmRecommendationsForm.PREFIX,
        **context,
    ), 400 if failed else 200


# The plan page; its forms are each posted to their own route: back to the plan, or the plan again
# with the form's errors. The page asks whether the plan is open, which reads the review's terms.
PLAN_PAGE = FormsPage(_plan_page, _plan_url)
PLAN_PAGE.route(
    bp,
    "/<int:review_id>/action-plan",
    "review_action_plan",
    loads(Review, options=(joinedload(Review.terms),)),
)


def _adds(
    noun: str, form: Callable[[Review], FlaskForm], anchor: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., ResponseReturnValue]]:
    """Add a finding or a recommendation (``noun``) from its form on the plan page."""

    def then(review: Review) -> Callable[[Finding | Recommendation], str]:
        # Back to the plan, which then shows the earlier ones like it (see _just_written).
        return lambda record: (
            url_for("reviews.review_action_plan", review_id=review.id, like=f"{noun}-{record.number}")
            + anchor
        )

    added = lambda record: f"{noun.capitalize()} {record.number} added."  # noqa: E731
    return PLAN_PAGE.posts(f"{noun}_form", form, added, then=then)


@bp.route("/<int:review_id>/action-plan/findings", methods=["POST"])
@loads(Review, may="write_recommendations")
@_adds("finding", _finding_form, "#findings")
def review_finding_add(review: Review, form: FindingForm) -> Finding:
    return services.add_finding(review, *form.finding(), current_person())


@bp.route("/<int:review_id>/action-plan/recommendations", methods=["POST"])
@loads(Review, may="write_recommendations")
@_adds("recommendation", _recommendation_form)
def review_recommendation_add(review: Review, form: RecommendationForm) -> Recommendation:
    return services.add_recommendation(review, *form.recommendation(), current_person())


@bp.route("/<int:review_id>/action-plan/resemblances")
@loads(Review, may="plan_actions")
def review_resemblances(review: Review) -> ResponseReturnValue:
    """The earlier findings and recommendations like a text being typed, as an HTML fragment for
    the plan page's script (the page itself shows them after the save, without the script)."""
    text = request.args.get("text", "")[:10000]
    themes = chosen_ids(request.args.getlist("themes")[:50])
    like = resemblance.find_resembling(text, themes, exclude_review_id=review.id) if text.strip() else []
    return render_template("actions/_resemblances.html", like=like)


def _owners() -> list[User]:
    """Who may own an action: active agency leads and board managers."""
    return list(
        db.session.execute(
            db.select(User)
            .where(User.active.is_(True), User.role.in_([Role.AGENCY_LEAD, Role.BOARD_MANAGER]))
            .order_by(User.name)
        ).scalars()
    )


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/actions/new", methods=["GET", "POST"])
@loads(Review, may="plan_actions")
def review_action_new(review: Review, recommendation_id: int) -> ResponseReturnValue:
    recommendation = db.session.get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.review_id != review.id:
        abort(404)
    form = ActionForm().offer(agencies_for_new_work(), _owners())
    done = submit(
        form,
        lambda: services.add_action(recommendation, *form.action(), current_person()),
        "Action added.",
        _plan_url(review),
    )
    return done or page_with_form(
        "actions/action_new.html", form, review=review, recommendation=recommendation
    )


# Refused: the plan again, with the answers typed so far.
@bp.route("/<int:review_id>/recommendations/confirm", methods=["POST"])
@loads(Review, may="plan_actions")
@PLAN_PAGE.posts(
    "confirm_form",
    ConfirmRecommendationsForm,
    lambda count: f"{plural(count, 'recommendation')} confirmed as final.",
)
def review_recommendations_confirm(review: Review, form: ConfirmRecommendationsForm) -> int:
    return services.confirm_recommendations(review, current_person(), form.differences())


@bp.route("/<int:review_id>/action-plan/learning", methods=["GET", "POST"])
@loads(Review, may="plan_actions")
def review_learning_kept(review: Review) -> ResponseReturnValue:
    """A review ended without a local review: its learning becomes recommendations to act on."""
    form = LearningForm()
    if not form.is_submitted():
        form.recommendations.data = "\n".join(services.learning_lines(review))
    done = submit(
        form,
        lambda: services.keep_learning(review, form.texts(), current_person()),
        lambda added: f"{plural(len(added), 'recommendation')} added. Add their actions with owners.",
        _plan_url(review),
    )
    return done or page_with_form("actions/learning.html", form, review=review, rapid=review.rapid_review)
