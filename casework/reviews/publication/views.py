"""The publication page: anonymisation check, pre-publication steps, publishing or not, delays."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.form_keys import OneTimeForm
from casework.core.forms import error_flashed, flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.loading import load_review, me
from casework.reviews.models import (
    AnonymisationCheck,
    AnonymisationFinding,
    DraftVersion,
    Publication,
    PublicationDelay,
)
from casework.reviews.publication import checks, publishing
from casework.reviews.publication import forms as f
from casework.reviews.referral.identifiers import record_identifier_view

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


def _here(review_id: int) -> str:
    return url_for("reviews.review_publication", review_id=review_id)


@bp.route("/<int:review_id>/publication", methods=["GET", "POST"])
@roles(*CASE_ROLES)
def review_publication(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id)
    publication = db.session.get(Publication, review.id)
    details = f.PublicationDetailsForm(obj=publication if request.method == "GET" else None)
    publish_form, not_form = f.PublishForm(), f.NotPublishForm()
    delay_form, corrected_form = f.DelayForm(), f.CorrectedVersionForm()
    here = _here(review.id)
    done = None
    if request.method == "POST":
        if "publish" in request.form:
            done = submit(
                publish_form,
                lambda: publishing.publish_review(
                    review, publish_form.published_on.data, me(), publish_form.version.data
                ),
                "The report is published.",
                url_for("reviews.review_detail", review_id=review.id),
            )
        elif "not_publish" in request.form:
            done = submit(
                not_form,
                lambda: publishing.decide_not_to_publish(
                    review,
                    not_form.reason.data or "",
                    not_form.improvements.data or "",
                    me(),
                    not_form.version.data,
                    decided_on=not_form.decided_on.data,
                ),
                "The decision not to publish is recorded; the improvement information will be published.",
                url_for("reviews.review_detail", review_id=review.id),
            )
        elif "delay" in request.form:
            done = submit(
                delay_form,
                lambda: publishing.record_delay(
                    review, delay_form.reason.data or "", delay_form.expected_until.data, me()
                ),
                "Delay recorded.",
                here,
            )
        elif "corrected" in request.form:
            done = submit(
                corrected_form,
                lambda: publishing.upload_corrected_version(
                    review, corrected_form.file.data, corrected_form.summary.data or "", me()
                ),
                "Corrected version uploaded and checked again.",
                here,
            )
        else:
            done = submit(
                details,
                lambda: publishing.save_publication_details(
                    review,
                    sent_to_panel_on=details.sent_to_panel_on.data,
                    home_office_approved_on=details.home_office_approved_on.data,
                    public_summary=details.public_summary.data or "",
                    learning=details.learning.data or "",
                    public_recommendations=details.public_recommendations.data or "",
                    by=me(),
                ),
                "Publication details saved.",
                here,
            )
    if done:
        return done
    if request.method == "GET":
        publish_form.version.data = not_form.version.data = review.version
        publish_form.published_on.data = max(
            uk_today(), publishing.earliest_publication(review) or uk_today()
        )
    draft = checks.final_version(review)
    check = checks.latest_check(draft) if draft else None
    at_publication = review.stage == "publication"
    stale = checks.stale_reasons(review, check) if check and at_publication else []
    if check and check.findings:
        # The findings quote the report around each identifier: showing them is an access to identifiers.
        record_identifier_view(review, me())
        db.session.commit()
    if draft is not None:  # its file's name is shown; loaded here, also after the commit above
        draft = db.session.execute(
            db.select(DraftVersion)
            .where(DraftVersion.id == draft.id)
            .options(joinedload(DraftVersion.document))
        ).scalar_one()
    forms = [details, publish_form, not_form, delay_form, corrected_form]
    failed_form = next((form for form in forms if form.errors), None)
    delays = (
        db.session.execute(
            db.select(PublicationDelay)
            .where(PublicationDelay.review_id == review.id)
            .order_by(PublicationDelay.id)
        )
        .scalars()
        .all()
    )
    status = 400 if failed_form or error_flashed() else 200  # before rendering, which reads the flashes
    return render_template(
        "reviews/publication.html",
        review=review,
        publication=publication,
        draft=draft,
        check=check,
        stale=stale,
        missing=publishing.missing_for_publication(review) if at_publication else [],
        earliest=publishing.earliest_publication(review),
        steps=(review.review_type.publication_rules or {}).get("steps", []),
        step_labels=publishing.STEP_LABELS,
        delays=delays,
        form=failed_form or details,
        details_form=details,
        publish_form=publish_form,
        not_form=not_form,
        delay_form=delay_form,
        corrected_form=corrected_form,
        note_form=f.NoteForm(formdata=None),
        is_manager=me().role == Role.BOARD_MANAGER,
    ), status


@bp.route("/<int:review_id>/publication/check", methods=["POST"])
@roles(*CASE_ROLES)
def review_anonymisation_check(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    done = submit(
        OneTimeForm(),
        lambda: checks.run_anonymisation_check(review, me()),
        lambda check: (
            "Check complete: "
            + ("nothing to resolve." if check.passed else "see the findings and what is still to do.")
        ),
        _here(review.id) + "#anonymisation",
    )
    return done or redirect(_here(review.id))


@bp.route("/<int:review_id>/publication/findings/<int:finding_id>", methods=["POST"])
@roles(*CASE_ROLES)
def review_finding_resolve(review_id: int, finding_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    finding = db.session.get(AnonymisationFinding, finding_id)
    if finding is None or finding.check.version.review_id != review.id:
        abort(404)
    form = f.NoteForm()
    if (
        submit(
            form,
            lambda: checks.resolve_finding(finding, form.note.data or "", me()),
            "Finding recorded as not identifying.",
            _here(review.id) + "#anonymisation",
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_here(review.id) + "#anonymisation")


@bp.route("/<int:review_id>/publication/checks/<int:check_id>/by-hand", methods=["POST"])
@roles(*CASE_ROLES)
def review_checked_by_hand(review_id: int, check_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    check = db.session.get(AnonymisationCheck, check_id)
    if check is None or check.version.review_id != review.id:
        abort(404)
    form = f.NoteForm()
    if (
        submit(
            form,
            lambda: checks.confirm_checked_by_hand(check, form.note.data or "", me()),
            "Recorded as checked by hand.",
            _here(review.id) + "#anonymisation",
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_here(review.id) + "#anonymisation")


@bp.route("/<int:review_id>/publication/withdraw", methods=["POST"])
@roles(*CASE_ROLES)
def review_publication_withdraw(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    form = f.NoteForm()
    if (
        submit(
            form,
            lambda: publishing.withdraw_publication(review, form.note.data or "", me()),
            "The report is withdrawn from the public register.",
            _here(review.id),
        )
        is None
    ):
        flash_form_errors(form)
    return redirect(_here(review.id))
