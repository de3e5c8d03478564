"""A recommendation's outcome: its measure, re-measures and any decision not to pursue it, with
the forms that record them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload

from casework.actions import outcomes
from casework.actions.forms import MeasureForm, NotPursuedForm, RemeasureForm
from casework.actions.models import OutcomeRemeasure, Recommendation, RecommendationOutcome
from casework.auth.access import current_person, loads
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import error_flashed, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp

F = TypeVar("F", bound=Callable[..., Any])

# What the page shows, loaded with the recommendation (its template never queries).
PAGE_OPTIONS = (
    joinedload(Recommendation.review),
    joinedload(Recommendation.outcome).options(
        joinedload(RecommendationOutcome.owner),
        joinedload(RecommendationOutcome.set_by),
        joinedload(RecommendationOutcome.not_pursued_by),
        selectinload(RecommendationOutcome.remeasures).options(
            joinedload(OutcomeRemeasure.recorded_by), joinedload(OutcomeRemeasure.evidence)
        ),
    ),
)


def _loads(may: str = "view") -> Callable[[F], F]:
    return loads(Recommendation, may, options=PAGE_OPTIONS)


def _of_review(recommendation: Recommendation, review_id: int) -> Recommendation:
    """The address names the review too: a recommendation of another review is not found."""
    if recommendation.review_id != review_id:
        abort(404)
    return recommendation


def _owners() -> list[User]:
    """Who may own a measure: the active board managers."""
    return list(
        db.session.execute(
            db.select(User).where(User.active.is_(True), User.role == Role.BOARD_MANAGER).order_by(User.name)
        ).scalars()
    )


def _version(recommendation: Recommendation) -> int:
    return recommendation.outcome.version if recommendation.outcome else 0


SHOWN = ("intended_outcome", "measure", "baseline", "baseline_on", "target", "remeasure_on")


def _measure_form(recommendation: Recommendation, formdata: bool = True) -> MeasureForm:
    """The form as posted, or drawn from the measure as it is (the signed-in manager owning a
    new one)."""
    if formdata:
        return MeasureForm().offer(_owners())
    outcome = recommendation.outcome
    data: dict[str, Any] = {"owner": str(current_person().id)}
    if outcome is not None and outcome.has_measure:
        data = {name: getattr(outcome, name) for name in SHOWN} | {"owner": str(outcome.owner_id)}
    form = MeasureForm(formdata=None, data=data)
    form.show_latest(_version(recommendation))
    return form.offer(_owners())


def _url(recommendation: Recommendation) -> str:
    return url_for(
        "reviews.review_outcome", review_id=recommendation.review_id, recommendation_id=recommendation.id
    )


def _page(recommendation: Recommendation, **forms: FlaskForm) -> ResponseReturnValue:
    version = _version(recommendation)
    manage = recommendation.can_manage_outcome(current_person())
    context: dict[str, Any] = {
        "measure_form": _measure_form(recommendation, False) if manage else None,
        "remeasure_form": RemeasureForm(formdata=None, version=version),
        "not_pursued_form": NotPursuedForm(formdata=None, version=version),
    }
    context.update(forms)
    failed = any(form.errors for form in forms.values()) or error_flashed()
    status = recommendation.outcome_status(uk_today())
    return render_template(
        "actions/outcome.html",
        recommendation=recommendation,
        review=recommendation.review,
        outcome=recommendation.outcome,
        status=status,
        manage=manage and not status.is_closed,
        form=next(iter(forms.values()), None),
        **context,
    ), 400 if failed else 200


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome")
@_loads()
def review_outcome(recommendation: Recommendation, review_id: int) -> ResponseReturnValue:
    return _page(_of_review(recommendation, review_id))


def _send(
    recommendation: Recommendation, name: str, form: FlaskForm, change: Callable[[], object], success: str
) -> ResponseReturnValue:
    return submit(form, change, success, _url(recommendation)) or _page(recommendation, **{name: form})


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/measure", methods=["POST"])
@_loads("manage_outcome")
def review_outcome_measure(recommendation: Recommendation, review_id: int) -> ResponseReturnValue:
    recommendation = _of_review(recommendation, review_id)
    form = _measure_form(recommendation)

    def change() -> None:
        outcomes.set_measure(recommendation, form.details(), current_person(), form.version.data)

    return _send(recommendation, "measure_form", form, change, "Measure saved.")


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/remeasure", methods=["POST"])
@_loads("manage_outcome")
def review_outcome_remeasure(recommendation: Recommendation, review_id: int) -> ResponseReturnValue:
    recommendation = _of_review(recommendation, review_id)
    form = RemeasureForm()

    def change() -> None:
        outcomes.record_remeasure(recommendation, form.result(), current_person(), form.version.data)

    return _send(recommendation, "remeasure_form", form, change, "Re-measure recorded.")


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/not-pursued", methods=["POST"])
@_loads("manage_outcome")
def review_outcome_not_pursued(recommendation: Recommendation, review_id: int) -> ResponseReturnValue:
    recommendation = _of_review(recommendation, review_id)
    form = NotPursuedForm()

    def change() -> None:
        outcomes.decide_not_to_pursue(
            recommendation, form.reason.data or "", current_person(), form.version.data
        )

    return _send(recommendation, "not_pursued_form", form, change, "Decision not to pursue it recorded.")
