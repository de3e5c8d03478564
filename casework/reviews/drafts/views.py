"""Draft report screens: versions, sharing for factual accuracy, answers and the final version."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
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


# The drafts page; a refused upload shows it again with the form's errors. Its other forms come back
# to it whatever came of them (sent_back).
DRAFTS_PAGE = FormsPage(_drafts_page, _drafts_url)
DRAFTS_PAGE.route(bp, "/<int:review_id>/drafts", "review_drafts", loads(Review, options=WITH_ASSIGNMENTS))


@bp.route("/<int:review_id>/drafts", methods=["POST"])
@loads(Review, may="draft", options=WITH_ASSIGNMENTS)
@DRAFTS_PAGE.posts("upload_form", f.DraftUploadForm, lambda draft: f"Version {draft.number} uploaded.")
def review_draft_upload(review: Review, form: f.DraftUploadForm) -> DraftVersion:
    summary = form.summary.data or ""
    return drafts.upload_draft(review, form.file.data, summary, current_person(), form.version.data)


@bp.route("/<int:review_id>/drafts/<int:version_id>/share", methods=["POST"])
@loads(Review, may="manage")
def review_draft_share(review: Review, version_id: int) -> ResponseReturnValue:
    form = f.ShareForm()
    form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in review.agencies_where("in_scope")]

    def share(draft: DraftVersion) -> object:
        return drafts.share_for_accuracy(
            draft, chosen_agencies(form.agencies.data), form.due_on.data, current_person()
        )

    return _version_change(
        review, version_id, form, share, "Shared with the agencies for a factual accuracy check."
    )


@bp.route("/<int:review_id>/drafts/<int:version_id>/family", methods=["POST"])
@loads(Review, may="manage")
def review_draft_family(review: Review, version_id: int) -> ResponseReturnValue:
    form = f.FamilyForm()

    def record(draft: DraftVersion) -> object:
        how, response = form.how.data or "", form.response.data or ""
        return drafts.record_family_sharing(draft, form.shared_on.data, how, response, current_person())

    return _version_change(review, version_id, form, record, "Sharing with the family recorded.")


def _version_change(
    review: Review, version_id: int, form: FlaskForm, change: Callable[[DraftVersion], object], done: str
) -> ResponseReturnValue:
    """A change to one version of the review's report (404 if not the review's), then back to the
    drafts page, or there with the form's error."""
    draft = part_of(review, DraftVersion, version_id)
    back = _drafts_url(review)
    return sent_back(form, lambda: change(draft), done, back, back)


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


# The agency's answer the URL names, loaded with what its page shows, for its agency lead.
ANSWERING = loads(AccuracyAnswer, may="answer", argument="answer_id", options=ANSWER_OPTIONS)


# The answer's page; its forms are each posted to their own route: back to the page, or the page
# again with the form's errors.
ANSWER_PAGE = FormsPage(_answer_page, _answer_url)
ANSWER_PAGE.route(bp, "/accuracy/<int:answer_id>", "accuracy_answer", ANSWERING)


@bp.route("/accuracy/<int:answer_id>", methods=["POST"])
@ANSWERING
@ANSWER_PAGE.posts("comment_form", f.AccuracyCommentForm, "Comment added.")
def accuracy_comment_add(answer: AccuracyAnswer, form: f.AccuracyCommentForm) -> AccuracyComment:
    return drafts.add_accuracy_comment(
        answer, form.reference.data or "", form.comment.data or "", current_person()
    )


@bp.route("/accuracy/<int:answer_id>/sign-off", methods=["POST"])
@ANSWERING
@ANSWER_PAGE.posts("signoff_form", f.SignOffForm, "Your agency's answer is signed off.")
def accuracy_sign_off(answer: AccuracyAnswer, form: f.SignOffForm) -> None:
    drafts.sign_off_answer(answer, bool(form.no_inaccuracies.data), current_person())
