"""Contribution requests: the agency lead's answers, and the partnership's acceptance or return."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import case
from sqlalchemy.orm import joinedload, selectinload

from casework.agencies import bp, services
from casework.agencies.chronology_csv import ChronologyRow, template_csv
from casework.agencies.chronology_import import ChronologyCsvError
from casework.agencies.contributions import (
    AWAITING_AGENCY,
    ChronologyEntry,
    ContributionRequest,
    RequestEvent,
)
from casework.agencies.forms import CommentForm, CsvForm, EntryForm, SubmitForm, UploadForm
from casework.agencies.permissions import can_decide, can_respond, can_view_request, visible_requests
from casework.auth.access import roles, signed_in
from casework.auth.models import Role
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.form_keys import FormAlreadySentError, already_sent, claim_form_key
from casework.core.forms import error_flashed, show_domain_error, submit
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.reviews.loading import me
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, DraftVersion, Review
from casework.reviews.permissions import can_see_identifiers, can_view

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


# What the request's page shows, loaded with the request (its template never queries).
PAGE_OPTIONS = (
    joinedload(ContributionRequest.review).joinedload(Review.terms),
    joinedload(ContributionRequest.agency),
    joinedload(ContributionRequest.requested_by),
    selectinload(ContributionRequest.history).joinedload(RequestEvent.by),
    selectinload(ContributionRequest.entries),
    selectinload(ContributionRequest.documents).joinedload(Document.uploaded_by),
)


def _load(request_id: int) -> ContributionRequest:
    found = db.session.get(ContributionRequest, request_id, options=PAGE_OPTIONS)
    if found is None or not can_view_request(me(), found):
        abort(404)
    return found


def _url(contribution: ContributionRequest) -> str:
    return url_for("agencies.request_detail", request_id=contribution.id)


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    today = uk_today()
    waiting = case((ContributionRequest.status.in_(AWAITING_AGENCY), 0), else_=1)
    requests = db.session.execute(
        db.select(ContributionRequest)
        .where(visible_requests(me()))
        .order_by(waiting, ContributionRequest.due_on, ContributionRequest.id)
        .options(joinedload(ContributionRequest.review))
    ).scalars()
    answers = db.session.execute(
        db.select(AccuracyAnswer)
        .where(AccuracyAnswer.agency_id == me().agency_id)
        .order_by(AccuracyAnswer.signed_off_at.is_not(None), AccuracyAnswer.id.desc())
        .options(
            joinedload(AccuracyAnswer.check).joinedload(AccuracyCheck.version).joinedload(DraftVersion.review)
        )
    ).scalars()
    return render_template(
        "agencies/mine.html", agency=me().agency, requests=requests.all(), answers=answers.all(), today=today
    )


def _page(contribution: ContributionRequest, **forms: object) -> ResponseReturnValue:
    user = me()
    defaults = {
        "entry_form": EntryForm(formdata=None),
        "csv_form": CsvForm(formdata=None),
        "upload_form": UploadForm(formdata=None),
        "submit_form": SubmitForm(
            formdata=None, version=contribution.version, note=contribution.response_note
        ),
        "comment_form": CommentForm(formdata=None, version=contribution.version),
    }
    defaults.update(forms)  # type: ignore[arg-type]
    errors = any(getattr(form, "errors", None) for form in forms.values()) or error_flashed()
    return render_template(
        "agencies/request.html",
        contribution=contribution,
        review=contribution.review,
        can_respond=can_respond(user, contribution),
        can_decide=can_decide(user, contribution),
        can_view_review=can_view(user, contribution.review),
        can_see_identifiers=can_see_identifiers(user, contribution.review),
        today=uk_today(),
        **defaults,
    ), 400 if errors else 200


@bp.route("/requests/<int:request_id>")
@roles(*CASE_ROLES)
def request_detail(request_id: int) -> ResponseReturnValue:
    return _page(_load(request_id))


@bp.route("/requests/<int:request_id>/entries", methods=["POST"])
@roles(*CASE_ROLES)
def request_entry_add(request_id: int) -> ResponseReturnValue:
    contribution = _load(request_id)
    form = EntryForm()

    def add() -> None:
        at = datetime.strptime(form.occurred_at.data, "%H:%M").time() if form.occurred_at.data else None
        row = ChronologyRow(
            form.occurred_on.data,
            at,
            form.practitioner_role.data or "",
            form.event.data or "",
            form.significance.data or "",
        )
        services.add_chronology_entry(contribution, row, me())

    return submit(form, add, "Entry added.", _url(contribution) + "#entries") or _page(
        contribution, entry_form=form
    )


@bp.route("/requests/<int:request_id>/entries/import", methods=["POST"])
@roles(*CASE_ROLES)
def request_entries_import(request_id: int) -> ResponseReturnValue:
    contribution = _load(request_id)
    form = CsvForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not upload.filename:
                raise DomainError("Choose a CSV file to import", field="file")
            key = claim_form_key(form)
            count = services.import_chronology_csv(contribution, upload.read(), me())
            if key is not None:
                key.sent_to = _url(contribution) + "#entries"
            db.session.commit()
        except FormAlreadySentError as sent:
            return already_sent(sent)
        except ChronologyCsvError as error:
            db.session.rollback()
            problems = error
            form.file.errors = [error.summary]
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(f"{count} entries imported.", "success")
            return redirect(_url(contribution) + "#entries")
    if problems is not None:
        return render_template(
            "agencies/csv_problems.html", contribution=contribution, problems=problems
        ), 400
    return _page(contribution, csv_form=form)


@bp.route("/requests/<int:request_id>/entries/<int:entry_id>/remove", methods=["POST"])
@roles(*CASE_ROLES)
def request_entry_remove(request_id: int, entry_id: int) -> ResponseReturnValue:
    contribution = _load(request_id)
    entry = db.session.get(ChronologyEntry, entry_id)
    if entry is None or entry.request_id != contribution.id:
        abort(404)
    form = CommentForm()
    if submit(form, lambda: services.remove_chronology_entry(entry, me()), "Entry removed.", "") is None:
        flash("The entry could not be removed.", "error")
    return redirect(_url(contribution) + "#entries")


@bp.route("/requests/<int:request_id>/documents", methods=["POST"])
@roles(*CASE_ROLES)
def request_document_upload(request_id: int) -> ResponseReturnValue:
    contribution = _load(request_id)
    form = UploadForm()
    done = submit(
        form,
        lambda: services.attach_document(contribution, form.file.data, me()),
        lambda document: f"{document.original_name} uploaded.",
        _url(contribution) + "#documents",
    )
    return done or _page(contribution, upload_form=form)


@bp.route("/requests/<int:request_id>/submit", methods=["POST"])
@roles(*CASE_ROLES)
def request_submit(request_id: int) -> ResponseReturnValue:
    contribution = _load(request_id)
    form = SubmitForm()
    done = submit(
        form,
        lambda: services.submit_request(contribution, form.note.data or "", me(), form.version.data),
        "Submitted. The partnership will accept it or return it with comments.",
        _url(contribution),
    )
    return done or _page(contribution, submit_form=form)


DECISIONS = {
    "accept": (lambda c, form: services.accept_request(c, me(), form.version.data), "Submission accepted."),
    "return": (
        lambda c, form: services.return_request(c, form.comment.data or "", me(), form.version.data),
        "Returned to the agency with your comments.",
    ),
    "withdraw": (
        lambda c, form: services.withdraw_request(c, form.comment.data or "", me(), form.version.data),
        "Request withdrawn.",
    ),
}


@bp.route("/requests/<int:request_id>/<any(accept, return, withdraw):decision>", methods=["POST"])
@roles(*CASE_ROLES)
def request_decide(request_id: int, decision: str) -> ResponseReturnValue:
    contribution = _load(request_id)
    form = CommentForm()
    change, message = DECISIONS[decision]
    done = submit(form, lambda: change(contribution, form), message, _url(contribution))
    return done or _page(contribution, comment_form=form)


@bp.route("/chronology-template.csv")
@signed_in
def chronology_template() -> ResponseReturnValue:
    return Response(
        "\ufeff" + template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="chronology-template.csv"'},
    )
