"""Contribution requests: the agency lead's answers, and the partnership's acceptance or return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import case
from sqlalchemy.orm import joinedload, selectinload

from casework.agencies import bp, chronology_jobs, services
from casework.agencies.chronology_csv import template_csv
from casework.agencies.chronology_import import ChronologyCsvError
from casework.agencies.contributions import (
    AWAITING_AGENCY,
    ChronologyEntry,
    ContributionKind,
    ContributionRequest,
    RequestEvent,
)
from casework.agencies.forms import CommentForm, CsvForm, EntryForm, SubmitForm, UploadForm
from casework.auth.access import current_person, page_loader, roles, signed_in
from casework.auth.models import Role
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.forms import error_flashed, submit
from casework.core.paging import CountedPage, counted_page, requested_page, requested_slice
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage, route_each
from casework.documents.models import Document
from casework.jobs.models import BackgroundJob
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, DraftVersion, Review

# What the request's page shows, loaded with the request (its template never queries); its
# chronology comes a page at a time (entries_page).
PAGE_OPTIONS = (
    joinedload(ContributionRequest.review).joinedload(Review.terms),
    joinedload(ContributionRequest.agency),
    joinedload(ContributionRequest.requested_by),
    selectinload(ContributionRequest.history).joinedload(RequestEvent.by),
    selectinload(ContributionRequest.documents).joinedload(Document.uploaded_by),
)


# The request the URL names (``request_id``), loaded with what its page shows.
_loads = page_loader(ContributionRequest, argument="request_id", options=PAGE_OPTIONS)


def _url(contribution: ContributionRequest) -> str:
    return url_for("agencies.request_detail", request_id=contribution.id)


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    today = uk_today()
    waiting = case((ContributionRequest.status.in_(AWAITING_AGENCY), 0), else_=1)
    page = requested_slice(
        db.select(ContributionRequest)
        .where(ContributionRequest.visible_to(current_person()))
        .order_by(waiting, ContributionRequest.due_on, ContributionRequest.id)
        .options(joinedload(ContributionRequest.review))
    )
    answers = db.session.execute(
        db.select(AccuracyAnswer)
        .where(AccuracyAnswer.agency_id == current_person().agency_id)
        .order_by(AccuracyAnswer.signed_off_at.is_not(None), AccuracyAnswer.id.desc())
        .options(
            joinedload(AccuracyAnswer.check).joinedload(AccuracyCheck.version).joinedload(DraftVersion.review)
        )
    ).scalars()
    return render_template(
        "agencies/mine.html",
        agency=current_person().agency,
        page=page,
        answers=answers.all(),
        today=today,
    )


ENTRIES_PAGE_SIZE = 50


def entries_page(contribution: ContributionRequest) -> CountedPage:
    """The page of the request's chronology the request asks for, in the chronology's order."""
    order = ContributionRequest.entries.property.order_by
    return counted_page(
        db.select(ChronologyEntry).where(ChronologyEntry.request_id == contribution.id).order_by(*order),
        requested_page(),
        ENTRIES_PAGE_SIZE,
    )


def _page(request: ContributionRequest, **forms: object) -> ResponseReturnValue:
    defaults = {
        "entry_form": EntryForm(formdata=None),
        "csv_form": CsvForm(formdata=None),
        "upload_form": UploadForm(formdata=None),
        "submit_form": SubmitForm(formdata=None, version=request.version, note=request.response_note),
        "comment_form": CommentForm(formdata=None, version=request.version),
    }
    defaults.update(forms)  # type: ignore[arg-type]
    errors = any(getattr(form, "errors", None) for form in forms.values()) or error_flashed()
    return render_template(
        "agencies/request.html",
        contribution=request,
        entries=entries_page(request) if request.kind == ContributionKind.CHRONOLOGY else None,
        review=request.review,
        # Asked here, not in the template: for an agency lead it is a query (is a request open?).
        can_see_identifiers=request.review.can_see_identifiers(current_person()),
        imports=chronology_jobs.recent_imports(request, current_person())
        if request.kind == ContributionKind.CHRONOLOGY
        else [],
        today=uk_today(),
        **defaults,
    ), 400 if errors else 200


# The request's page; its forms are each posted to their own route: back to the page (at the
# form's part of it), or the page again with the form's errors.
REQUEST_PAGE = FormsPage(_page, _url)
REQUEST_PAGE.route(bp, "/requests/<int:request_id>", "request_detail", _loads())

SUBMITTED = "Submitted. The partnership will accept it or return it with comments."


@bp.route("/requests/<int:request_id>/entries", methods=["POST"])
@_loads("answer")
@REQUEST_PAGE.posts("entry_form", EntryForm, "Entry added.", anchor="#entries")
def request_entry_add(request: ContributionRequest, form: EntryForm) -> Any:
    return services.add_chronology_entry(request, form.row(), current_person())


@bp.route("/requests/<int:request_id>/entries/import", methods=["POST"])
@_loads("answer")
def request_entries_import(request: ContributionRequest) -> ResponseReturnValue:
    """The file is checked here and imported by the worker: the page that follows it is next."""
    form = CsvForm()
    refused: list[ChronologyCsvError] = []

    def start_import() -> BackgroundJob:
        try:
            return chronology_jobs.start_chronology_import(
                request, form.content(), form.filename(), current_person()
            )
        except ChronologyCsvError as error:
            refused.append(error)  # listed row by row on a page of its own
            raise DomainError(error.summary, field="file") from error

    done = submit(
        form,
        start_import,
        "The file has been checked and is being imported.",
        lambda job: url_for("jobs.progress", job_id=job.id),
    )
    if done:
        return done
    if refused:
        return render_template("agencies/csv_problems.html", contribution=request, problems=refused[0]), 400
    return _page(request, csv_form=form)


@bp.route("/requests/<int:request_id>/entries/<int:entry_id>/remove", methods=["POST"])
@_loads("answer")
def request_entry_remove(request: ContributionRequest, entry_id: int) -> ResponseReturnValue:
    entry = next((entry for entry in request.entries if entry.id == entry_id), None) or abort(404)
    form = CommentForm()
    if (
        submit(form, lambda: services.remove_chronology_entry(entry, current_person()), "Entry removed.", "")
        is None
    ):
        flash("The entry could not be removed.", "error")
    return redirect(_url(request) + "#entries")


@bp.route("/requests/<int:request_id>/documents", methods=["POST"])
@_loads("answer")
@REQUEST_PAGE.posts("upload_form", UploadForm, lambda d: f"{d.original_name} uploaded.", anchor="#documents")
def request_document_upload(request: ContributionRequest, form: UploadForm) -> Any:
    return services.attach_document(request, form.file.data, current_person())


@bp.route("/requests/<int:request_id>/submit", methods=["POST"])
@_loads("answer")
@REQUEST_PAGE.posts("submit_form", SubmitForm, SUBMITTED)
def request_submit(request: ContributionRequest, form: SubmitForm) -> Any:
    return services.submit_request(request, form.note.data or "", current_person(), form.version.data)


# The partnership's decision on what the agency submitted (endpoint request_<decision>, address
# .../<decision>), from the comment form: the change and the message.
DECISIONS: dict[str, tuple[Callable[[ContributionRequest, CommentForm], Any], str]] = {
    "accept": (
        lambda request, form: services.accept_request(request, current_person(), form.version.data),
        "Submission accepted.",
    ),
    "return": (
        lambda request, form: services.return_request(
            request, form.comment.data or "", current_person(), form.version.data
        ),
        "Returned to the agency with your comments.",
    ),
}


@_loads("decide")
def request_decide(request: ContributionRequest, decision: str) -> ResponseReturnValue:
    change, success = DECISIONS[decision]
    form = CommentForm()
    return REQUEST_PAGE.answer(request, "comment_form", form, lambda: change(request, form), success)


DECISION_ROUTES = {name: (f"request_{name}", f"/requests/<int:request_id>/{name}") for name in DECISIONS}
route_each(bp, request_decide, "decision", DECISION_ROUTES, methods=["POST"])


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@_loads("withdraw")
@REQUEST_PAGE.posts("comment_form", CommentForm, "Request withdrawn.")
def request_withdraw(request: ContributionRequest, form: CommentForm) -> Any:
    return services.withdraw_request(request, form.comment.data or "", current_person(), form.version.data)


@bp.route("/chronology-template.csv")
@signed_in
def chronology_template() -> ResponseReturnValue:
    return Response(
        "\ufeff" + template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="chronology-template.csv"'},
    )
