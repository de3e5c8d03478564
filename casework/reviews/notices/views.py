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

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.forms import submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.models import Review, ReviewNotice
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


@bp.route("/<int:review_id>/notices")
@loads(Review)
def review_notices(review: Review) -> ResponseReturnValue:
    return _notices_page(review)


@bp.route("/<int:review_id>/notices/home-office", methods=["POST"])
@loads(Review, may="manage")
def review_home_office_step(review: Review) -> ResponseReturnValue:
    form = f.HomeOfficeStepForm()
    record = lambda: services.record_home_office_step(  # noqa: E731
        review, form.chosen_step(), form.taken_on.data, form.note.data or "", current_person()
    )
    done = submit(form, record, "Home Office step recorded.", notices_url(review) + "#home-office")
    return done or _notices_page(review, step_form=form)


# --- one notice -------------------------------------------------------------------------------


def _prepared_reason(review: Review, notice: ReviewNotice) -> str:
    """A delay notice's reasons start from the parallel processes the delays name, then the others
    still holding the review up (see ``delay_reasons``)."""
    return delay_reasons(review) if notice.requirement.key == "delay_reasons" else ""


def _notice_page(review: Review, notice: ReviewNotice, **refused: FlaskForm) -> ResponseReturnValue:
    today, notice = uk_today(), _shown(notice)
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


@bp.route("/<int:review_id>/notices/<int:notice_id>")
@loads(Review)
def review_notice(review: Review, notice_id: int) -> ResponseReturnValue:
    return _notice_page(review, _notice_of(review, notice_id))


def _change(
    review: Review, notice: ReviewNotice, name: str, form: FlaskForm, change: Callable[[], Any], success: str
) -> ResponseReturnValue:
    done = submit(form, change, success, notice_url(notice))
    return done or _notice_page(review, notice, **{name: form})


@bp.route("/<int:review_id>/notices/<int:notice_id>/sent", methods=["POST"])
@loads(Review, may="manage")
def review_notice_sent(review: Review, notice_id: int) -> ResponseReturnValue:
    notice, form = _notice_of(review, notice_id), f.SentForm()
    record = lambda: services.record_sent(  # noqa: E731
        notice,
        sent_on=form.sent_on.data,
        reference=form.reference.data or "",
        reason=form.reason.data or "",
        version=form.version.data,
        by=current_person(),
    )
    return _change(review, notice, "sent_form", form, record, "Notice recorded as sent.")


@bp.route("/<int:review_id>/notices/<int:notice_id>/comments", methods=["POST"])
@loads(Review, may="manage")
def review_notice_comments(review: Review, notice_id: int) -> ResponseReturnValue:
    notice, form = _notice_of(review, notice_id), f.CommentsForm()
    record = lambda: services.record_comments(  # noqa: E731
        notice,
        comments=form.comments.data or "",
        received_on=form.received_on.data,
        version=form.version.data,
        by=current_person(),
    )
    return _change(review, notice, "comments_form", form, record, "Comments recorded.")


@bp.route("/<int:review_id>/notices/<int:notice_id>/response", methods=["POST"])
@loads(Review, may="manage")
def review_notice_response(review: Review, notice_id: int) -> ResponseReturnValue:
    notice, form = _notice_of(review, notice_id), f.ResponseForm()
    record = lambda: services.record_response(  # noqa: E731
        notice,
        response=form.response.data or "",
        responded_on=form.responded_on.data,
        version=form.version.data,
        by=current_person(),
    )
    return _change(review, notice, "response_form", form, record, "The partners' response is recorded.")
