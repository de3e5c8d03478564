"""Draft report screens: versions, sharing for factual accuracy, answers and the final version."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import error_flashed, flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.reviews import bp
from casework.reviews.drafts import forms as f
from casework.reviews.drafts import services as drafts
from casework.reviews.forms import chosen_agencies
from casework.reviews.loading import load_review, me
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyCheck,
    AccuracyComment,
    CommentResponse,
    DraftVersion,
    Review,
)

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


def _drafts_url(review_id: int) -> str:
    return url_for("reviews.review_drafts", review_id=review_id)


def _version(review_id: int, version_id: int) -> DraftVersion:
    draft = db.session.get(DraftVersion, version_id)
    if draft is None or draft.review_id != review_id:
        abort(404)
    return draft


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


@bp.route("/<int:review_id>/drafts", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_drafts(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id)
    upload_form = f.DraftUploadForm()
    done = None
    if request.method == "POST":
        done = submit(
            upload_form,
            lambda: drafts.upload_draft(
                review, upload_form.file.data, upload_form.summary.data or "", me(), upload_form.version.data
            ),
            lambda draft: f"Version {draft.number} uploaded.",
            _drafts_url(review.id),
        )
    if done:
        return done
    if request.method == "GET":
        upload_form.version.data = review.version
    in_scope = [a for a in review.agencies_where("in_scope") if a.active]
    share_form = f.ShareForm(formdata=None)
    share_form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in in_scope]
    share_form.agencies.data = [str(a.id) for a in in_scope]
    share_form.due_on.data = working_calendar().add_working_days(uk_today(), 10)
    failed = bool(upload_form.errors) or error_flashed()
    return render_template(
        "reviews/drafts.html",
        review=review,
        versions=_versions_shown(review),
        form=upload_form,
        upload_form=upload_form,
        share_form=share_form,
        family_form=f.FamilyForm(formdata=None),
        final_form=f.FinalForm(formdata=None, version=review.version, signed_off_on=uk_today()),
        respond_form=f.RespondForm(formdata=None),
        is_lead=drafts.is_lead_reviewer(me(), review),
        is_manager=me().role == Role.BOARD_MANAGER,
    ), 400 if failed else 200


@bp.route("/<int:review_id>/drafts/<int:version_id>/share", methods=["POST"])
@roles(*CASE_ROLES)
def review_draft_share(review_id: int, version_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    draft = _version(review.id, version_id)
    form = f.ShareForm()
    form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in review.agencies_where("in_scope")]
    agencies = chosen_agencies(form.agencies.data)
    if (
        submit(
            form,
            lambda: drafts.share_for_accuracy(draft, agencies, form.due_on.data, me()),
            "Shared with the agencies for a factual accuracy check.",
            _drafts_url(review.id),
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_drafts_url(review.id))


@bp.route("/<int:review_id>/drafts/<int:version_id>/family", methods=["POST"])
@roles(*CASE_ROLES)
def review_draft_family(review_id: int, version_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    draft = _version(review.id, version_id)
    form = f.FamilyForm()
    if (
        submit(
            form,
            lambda: drafts.record_family_sharing(
                draft, form.shared_on.data, form.how.data or "", form.response.data or "", me()
            ),
            "Sharing with the family recorded.",
            _drafts_url(review.id),
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_drafts_url(review.id))


@bp.route("/<int:review_id>/drafts/final", methods=["POST"])
@roles(*CASE_ROLES)
def review_draft_final(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    form = f.FinalForm()
    if (
        submit(
            form,
            lambda: drafts.mark_final(review, form.signed_off_on.data, me(), form.version.data),
            lambda draft: f"Version {draft.number} is the final report. The review moves to publication.",
            url_for("reviews.review_detail", review_id=review.id),
        )
        is None
    ):
        flash_form_errors(form)
        return redirect(_drafts_url(review.id))
    return redirect(url_for("reviews.review_detail", review_id=review.id))


@bp.route("/<int:review_id>/drafts/comments/<int:comment_id>/respond", methods=["POST"])
@roles(*CASE_ROLES)
def review_draft_respond(review_id: int, comment_id: int) -> ResponseReturnValue:
    review = load_review(review_id)
    item = db.session.get(AccuracyComment, comment_id)
    if item is None or item.answer.check.version.review_id != review.id:
        abort(404)
    form = f.RespondForm()

    def respond() -> None:
        # Read after validation, which checked the choice; a blank one (Optional lets it through) is none.
        response = CommentResponse(form.response.data) if (form.response.data or "").strip() else None
        drafts.respond_to_comment(item, response, form.reason.data or "", me())

    if (
        submit(
            form,
            respond,
            "Response recorded.",
            _drafts_url(review.id),
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_drafts_url(review.id) + f"#comment-{comment_id}")


# --- the agency's side ----------------------------------------------------------------------


def _answer(answer_id: int) -> AccuracyAnswer:
    # What the answer's page shows, loaded with it (its template never queries).
    answer = db.session.get(
        AccuracyAnswer,
        answer_id,
        options=[
            joinedload(AccuracyAnswer.agency),
            joinedload(AccuracyAnswer.signed_off_by),
            selectinload(AccuracyAnswer.comments),
            joinedload(AccuracyAnswer.check)
            .joinedload(AccuracyCheck.version)
            .joinedload(DraftVersion.review),
        ],
    )
    if answer is None or me().role != Role.AGENCY_LEAD or me().agency_id != answer.agency_id:
        abort(404)
    return answer


@bp.route("/accuracy/<int:answer_id>", methods=["GET", "POST"])
@roles(Role.AGENCY_LEAD)
def accuracy_answer(answer_id: int) -> ResponseReturnValue:
    answer = _answer(answer_id)
    comment_form, signoff_form = f.AccuracyCommentForm(), f.SignOffForm()
    here = url_for("reviews.accuracy_answer", answer_id=answer.id)
    done = None
    if request.method == "POST" and "sign_off" in request.form:
        done = submit(
            signoff_form,
            lambda: drafts.sign_off_answer(answer, bool(signoff_form.no_inaccuracies.data), me()),
            "Your agency's answer is signed off.",
            here,
        )
    elif request.method == "POST":
        done = submit(
            comment_form,
            lambda: drafts.add_accuracy_comment(
                answer, comment_form.reference.data or "", comment_form.comment.data or "", me()
            ),
            "Comment added.",
            here,
        )
    if done:
        return done
    failed = bool(comment_form.errors or signoff_form.errors) or error_flashed()
    return render_template(
        "reviews/accuracy_answer.html",
        answer=answer,
        draft=answer.check.version,
        review=answer.check.version.review,
        form=signoff_form if signoff_form.errors else comment_form,
        comment_form=comment_form,
        signoff_form=signoff_form,
    ), 400 if failed else 200
