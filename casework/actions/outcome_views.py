"""A recommendation's outcome: its measure, re-measures and any decision not to pursue it, with
the forms that record them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
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
from casework.core.forms import error_flashed
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
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
    """The recommendation the URL names, loaded with what its page shows. The address names the
    review too: a recommendation of another review is not found."""

    def decorator(view: F) -> F:
        @wraps(view)
        def of_review(recommendation: Recommendation, review_id: int, **arguments: Any) -> Any:
            if recommendation.review_id != review_id:
                abort(404)
            return view(recommendation=recommendation, **arguments)

        return loads(Recommendation, may, options=PAGE_OPTIONS)(of_review)  # type: ignore[return-value]

    return decorator


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


# The outcome's page; its forms are each posted to their own route: back to the page, or the page
# again with the form's errors.
OUTCOME_PAGE = FormsPage(_page, _url)
OUTCOME_PAGE.route(
    bp, "/<int:review_id>/recommendations/<int:recommendation_id>/outcome", "review_outcome", _loads()
)


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/measure", methods=["POST"])
@_loads("manage_outcome")
@OUTCOME_PAGE.posts("measure_form", _measure_form, "Measure saved.")
def review_outcome_measure(recommendation: Recommendation, form: MeasureForm) -> None:
    outcomes.set_measure(recommendation, form.details(), current_person(), form.version.data)


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/remeasure", methods=["POST"])
@_loads("manage_outcome")
@OUTCOME_PAGE.posts("remeasure_form", RemeasureForm, "Re-measure recorded.")
def review_outcome_remeasure(recommendation: Recommendation, form: RemeasureForm) -> None:
    outcomes.record_remeasure(recommendation, form.result(), current_person(), form.version.data)


@bp.route("/<int:review_id>/recommendations/<int:recommendation_id>/outcome/not-pursued", methods=["POST"])
@_loads("manage_outcome")
@OUTCOME_PAGE.posts("not_pursued_form", NotPursuedForm, "Decision not to pursue it recorded.")
def review_outcome_not_pursued(recommendation: Recommendation, form: NotPursuedForm) -> None:
    outcomes.decide_not_to_pursue(recommendation, form.reason.data or "", current_person(), form.version.data)
