"""The notices page of a review (what its type requires, due, sent, answered, and the Home
Office quality assurance loop) and one notice's page. One GET per page and one POST route per
change; a refused change shows its page again with the form's errors (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import StringField

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.forms import VersionedForm
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage, route_each
from casework.reviews import bp
from casework.reviews.models import HomeOfficeStep, Review, ReviewNotice
from casework.reviews.notices import forms as f
from casework.reviews.notices import services
from casework.reviews.notices.rules import notice_status
from casework.reviews.pages import page_of_forms, part_of
from casework.reviews.records.processes import delay_reasons


def notices_url(review: Review) -> str:
    return url_for("reviews.review_notices", review_id=review.id)


def notice_url(notice: ReviewNotice) -> str:
    return url_for("reviews.review_notice", review_id=notice.review_id, notice_id=notice.id)


def _notices_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    loop = services.has_quality_loop(review)
    steps = services.quality_loop_of(review) if loop else []
    return page_of_forms(
        "reviews/notices.html",
        {"step_form": f.HomeOfficeStepForm(formdata=None, taken_on=uk_today())},
        refused,
        review=review,
        notices=services.notices_of(review),
        status=notice_status,
        loop=loop,
        steps=steps,
        next_steps=services.NEXT_STEPS[steps[-1].step if steps else None],
        today=uk_today(),
    )


# The notices page; its form records a step of the Home Office loop, or shows the page again with
# the form's errors.
NOTICES_PAGE = FormsPage(_notices_page, notices_url)
NOTICES_PAGE.route(bp, "/<int:review_id>/notices", "review_notices", loads(Review))


@bp.route("/<int:review_id>/notices/home-office", methods=["POST"])
@loads(Review, may="manage")
@NOTICES_PAGE.posts("step_form", f.HomeOfficeStepForm, "Home Office step recorded.", anchor="#home-office")
def review_home_office_step(review: Review, form: f.HomeOfficeStepForm) -> HomeOfficeStep:
    note = form.note.data or ""
    return services.record_home_office_step(
        review, form.chosen_step(), form.taken_on.data, note, current_person()
    )


# --- one notice -------------------------------------------------------------------------------


def _prepared_reason(review: Review, notice: ReviewNotice) -> str:
    """A delay notice's reasons start from the parallel processes the delays name, then the others
    still holding the review up (see ``delay_reasons``)."""
    return delay_reasons(review) if notice.requirement.key == "delay_reasons" else ""


def _notice_page(notice: ReviewNotice, **refused: FlaskForm) -> ResponseReturnValue:
    today, notice = uk_today(), _shown(notice)
    review = notice.review  # the review the route loaded, from the session
    drawn = {
        "sent_form": f.SentForm(
            formdata=None,
            version=notice.version,
            sent_on=notice.sent_on or today,
            reference=notice.reference,
            reason=notice.reason or _prepared_reason(review, notice),
        ),
        "comments_form": f.CommentsForm(
            formdata=None,
            version=notice.version,
            received_on=notice.comments_on or today,
            comments=notice.comments,
        ),
        "response_form": f.ResponseForm(
            formdata=None,
            version=notice.version,
            responded_on=notice.response_on or today,
            response=notice.response,
        ),
    }
    return page_of_forms(
        "reviews/notice.html",
        drawn,
        refused,
        review=review,
        notice=notice,
        status=notice_status(notice, today),
    )


def _notice_of(review: Review, notice_id: int) -> ReviewNotice:
    return part_of(review, ReviewNotice, notice_id)


def _shown(notice: ReviewNotice) -> ReviewNotice:
    """The notice with what its page shows, loaded here (the template never queries)."""
    return db.session.execute(
        db.select(ReviewNotice)
        .where(ReviewNotice.id == notice.id)
        .options(joinedload(ReviewNotice.requirement), joinedload(ReviewNotice.sent_by))
        .execution_options(populate_existing=True)
    ).scalar_one()


NOTICE_RULE = "/<int:review_id>/notices/<int:notice_id>"


@bp.route(NOTICE_RULE)
@loads(Review)
def review_notice(review: Review, notice_id: int) -> ResponseReturnValue:
    return _notice_page(_notice_of(review, notice_id))


# A notice's page; its forms are each posted to their own route: back to the notice, or its page
# again with the form's errors.
NOTICE_PAGE = FormsPage(_notice_page, notice_url)

# A notice's forms, each posted to its own route under the review's (endpoint review_notice_<name>,
# address .../<name>): the form, the service it answers and the message when it is done.
NOTICE_CHANGES: dict[str, tuple[type[VersionedForm], Callable[..., ReviewNotice], str]] = {
    "sent": (f.SentForm, services.record_sent, "Notice recorded as sent."),
    "comments": (f.CommentsForm, services.record_comments, "Comments recorded."),
    "response": (f.ResponseForm, services.record_response, "The partners' response is recorded."),
}


def _answers(form: VersionedForm) -> dict[str, Any]:
    """What a notice's form holds, as its service's keywords (the services name them as the forms
    do): text left empty is "", a date or version left empty None."""
    return {
        name: (value or "") if isinstance(form[name], StringField) else value
        for name, value in form.data.items()
        if name not in ("csrf_token", "form_key", "submit")
    }


@loads(Review, may="manage")
def review_notice_change(review: Review, notice_id: int, change: str) -> ResponseReturnValue:
    """Back to the notice, or its page again with the form's errors."""
    form_class, record, success = NOTICE_CHANGES[change]
    notice, form = _notice_of(review, notice_id), form_class()
    answer = lambda: record(notice, **_answers(form), by=current_person())  # noqa: E731
    return NOTICE_PAGE.answer(notice, f"{change}_form", form, answer, success)


route_each(
    bp,
    review_notice_change,
    "change",
    {name: (f"review_notice_{name}", f"{NOTICE_RULE}/{name}") for name in NOTICE_CHANGES},
    methods=["POST"],
)
