"""Draft report screens: versions, sharing for factual accuracy, answers and the final version."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.forms import submit
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.reviews import bp
from casework.reviews.drafts import forms as f
from casework.reviews.drafts import services as drafts
from casework.reviews.forms import chosen_agencies
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, AccuracyComment, DraftVersion, Review
from casework.reviews.pages import page_of_forms, part_of, review_url, sent_back

# The drafts page asks who leads the review (can("draft", review)): loaded with it.
WITH_ASSIGNMENTS = [selectinload(Review.assignments)]


def _drafts_url(review: Review) -> str:
    return url_for("reviews.review_drafts", review_id=review.id)


def _versions_shown(review: Review) -> list[DraftVersion]:
    """The versions with everything the drafts page shows of them (its template never queries)."""
    return list(
        db.session.execute(
            db.select(DraftVersion)
            .where(DraftVersion.review_id == review.id)
            .order_by(DraftVersion.number)
            .options(
                joinedload(DraftVersion.document),
                joinedload(DraftVersion.uploaded_by),
                selectinload(DraftVersion.accuracy_check)
                .selectinload(AccuracyCheck.answers)
                .options(joinedload(AccuracyAnswer.agency), selectinload(AccuracyAnswer.comments)),
            )
        ).scalars()
    )


def _drafts_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    """The page, with a refused upload shown again (400) where one is given."""
    in_scope = [a for a in review.agencies_where("in_scope") if a.active]
    share_form = f.ShareForm(formdata=None)
    share_form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in in_scope]
    share_form.agencies.data = [str(a.id) for a in in_scope]
    share_form.due_on.data = working_calendar().add_working_days(uk_today(), 10)
    drawn = {
        "upload_form": f.DraftUploadForm(formdata=None, version=review.version),
        "share_form": share_form,
        "family_form": f.FamilyForm(formdata=None),
        "final_form": f.FinalForm(formdata=None, version=review.version, signed_off_on=uk_today()),
        "respond_form": f.RespondForm(formdata=None),
    }
    return page_of_forms(
        "reviews/drafts.html", drawn, refused, review=review, versions=_versions_shown(review)
    )


@bp.route("/<int:review_id>/drafts")
@loads(Review, options=WITH_ASSIGNMENTS)
def review_drafts(review: Review) -> ResponseReturnValue:
    return _drafts_page(review)


@bp.route("/<int:review_id>/drafts", methods=["POST"])
@loads(Review, may="draft", options=WITH_ASSIGNMENTS)
def review_draft_upload(review: Review) -> ResponseReturnValue:
    form = f.DraftUploadForm()
    done = submit(
        form,
        lambda: drafts.upload_draft(
            review, form.file.data, form.summary.data or "", current_person(), form.version.data
        ),
        lambda draft: f"Version {draft.number} uploaded.",
        _drafts_url(review),
    )
    return done or _drafts_page(review, upload_form=form)


@bp.route("/<int:review_id>/drafts/<int:version_id>/share", methods=["POST"])
@loads(Review, may="manage")
def review_draft_share(review: Review, version_id: int) -> ResponseReturnValue:
    draft = part_of(review, DraftVersion, version_id)
    form = f.ShareForm()
    form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in review.agencies_where("in_scope")]
    share = lambda: drafts.share_for_accuracy(  # noqa: E731
        draft, chosen_agencies(form.agencies.data), form.due_on.data, current_person()
    )
    done = "Shared with the agencies for a factual accuracy check."
    return sent_back(form, share, done, _drafts_url(review), _drafts_url(review))


@bp.route("/<int:review_id>/drafts/<int:version_id>/family", methods=["POST"])
@loads(Review, may="manage")
def review_draft_family(review: Review, version_id: int) -> ResponseReturnValue:
    draft = part_of(review, DraftVersion, version_id)
    form = f.FamilyForm()
    record = lambda: drafts.record_family_sharing(  # noqa: E731
        draft, form.shared_on.data, form.how.data or "", form.response.data or "", current_person()
    )
    return sent_back(
        form, record, "Sharing with the family recorded.", _drafts_url(review), _drafts_url(review)
    )


@bp.route("/<int:review_id>/drafts/final", methods=["POST"])
@loads(Review, may="manage")
def review_draft_final(review: Review) -> ResponseReturnValue:
    form = f.FinalForm()
    final = lambda: drafts.mark_final(review, form.signed_off_on.data, current_person(), form.version.data)  # noqa: E731
    done = lambda draft: f"Version {draft.number} is the final report. The review moves to publication."  # noqa: E731
    return sent_back(form, final, done, review_url(review), _drafts_url(review))


@bp.route("/<int:review_id>/drafts/comments/<int:comment_id>/respond", methods=["POST"])
@loads(Review, may="draft")
def review_draft_respond(review: Review, comment_id: int) -> ResponseReturnValue:
    item = part_of(review, AccuracyComment, comment_id)
    form = f.RespondForm()
    respond = lambda: drafts.respond_to_comment(  # noqa: E731
        item, form.chosen_response(), form.reason.data or "", current_person()
    )
    back = _drafts_url(review) + f"#comment-{item.id}"
    return sent_back(form, respond, "Response recorded.", back, back)


# --- the agency's side ----------------------------------------------------------------------

# What the answer's page shows, loaded with it (its template never queries).
ANSWER_OPTIONS = [
    joinedload(AccuracyAnswer.agency),
    joinedload(AccuracyAnswer.signed_off_by),
    selectinload(AccuracyAnswer.comments),
    joinedload(AccuracyAnswer.check).joinedload(AccuracyCheck.version).joinedload(DraftVersion.review),
]


def _answer_page(answer: AccuracyAnswer, **refused: FlaskForm) -> ResponseReturnValue:
    drawn = {
        "comment_form": f.AccuracyCommentForm(formdata=None),
        "signoff_form": f.SignOffForm(formdata=None),
    }
    review = answer.check.version.review
    return page_of_forms(
        "reviews/accuracy_answer.html",
        drawn,
        refused,
        answer=answer,
        draft=answer.check.version,
        review=review,
    )


def _answer_url(answer: AccuracyAnswer) -> str:
    return url_for("reviews.accuracy_answer", answer_id=answer.id)


@bp.route("/accuracy/<int:answer_id>")
@loads(AccuracyAnswer, may="answer", argument="answer_id", options=ANSWER_OPTIONS)
def accuracy_answer(answer: AccuracyAnswer) -> ResponseReturnValue:
    return _answer_page(answer)


@bp.route("/accuracy/<int:answer_id>", methods=["POST"])
@loads(AccuracyAnswer, may="answer", argument="answer_id", options=ANSWER_OPTIONS)
def accuracy_comment_add(answer: AccuracyAnswer) -> ResponseReturnValue:
    form = f.AccuracyCommentForm()
    add = lambda: drafts.add_accuracy_comment(  # noqa: E731
        answer, form.reference.data or "", form.comment.data or "", current_person()
    )
    return submit(form, add, "Comment added.", _answer_url(answer)) or _answer_page(answer, comment_form=form)


@bp.route("/accuracy/<int:answer_id>/sign-off", methods=["POST"])
@loads(AccuracyAnswer, may="answer", argument="answer_id", options=ANSWER_OPTIONS)
def accuracy_sign_off(answer: AccuracyAnswer) -> ResponseReturnValue:
    form = f.SignOffForm()
    sign = lambda: drafts.sign_off_answer(answer, bool(form.no_inaccuracies.data), current_person())  # noqa: E731
    done = "Your agency's answer is signed off."
    return submit(form, sign, done, _answer_url(answer)) or _answer_page(answer, signoff_form=form)
