"""Access reports: who opened a review's identifying details, documents and exports (board
managers and administrators), and what one person opened (administrators). Viewing or exporting
a report is itself recorded, and so appears in the reports."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.auth import access_report as report
from casework.auth import admin_bp
from casework.auth.access import loads, roles
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.extensions import db
from casework.core.filters import filter_day
from casework.core.forms import as_id, commit_once
from casework.core.request_guards import page_number
from casework.reviews import bp as reviews_bp
from casework.reviews.models import Review

WITH_PEOPLE = [selectinload(Review.assignments), joinedload(Review.review_type)]


def _filters(person_filter: bool) -> tuple[report.AccessFilters, dict[str, Any]]:
    """The report's filters from the query string, with what the form shows back."""
    date_from, from_parts, from_error = filter_day(request.args, "from", "From")
    date_to, to_parts, to_error = filter_day(request.args, "to", "To")
    if date_from and date_to and date_from > date_to:
        to_error, date_to = "To must be the same as or after From", None
    try:
        kind = report.AccessKind(request.args.get("kind", ""))
    except ValueError:
        kind = None
    filters = report.AccessFilters(
        person_id=as_id(request.args.get("person")) if person_filter else None,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
    )
    shown = {
        "parts": {"from": from_parts, "to": to_parts},
        "errors": {name: error for name, error in (("from", from_error), ("to", to_error)) if error},
        "args": {
            "person": filters.person_id,
            "kind": kind.value if kind else None,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
    }
    return filters, shown


def _csv(where: list[Any], about: Review | User, name: str, filters: report.AccessFilters) -> Response:
    """The report as a CSV file streamed in batches; the export is recorded (and committed)
    first, with the entries it holds, and is not itself in the file."""
    export = report.Export.of(where)
    _record("access_report_exported", about, f"exported ({export.count} entries, {filters.describe()})")
    return Response(
        stream_with_context(report.csv_chunks(where, export)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _record(action: str, about: Review | User, what: str) -> None:
    """A report's own reading, recorded: it then appears in the reports."""
    review = about if isinstance(about, Review) else None
    name = review.reference if review is not None else about.name  # type: ignore[union-attr]
    commit_once(lambda: audit.record(action, f"Access report of {name} {what}", subject=about, review=review))


def _page(
    template: str, query: Any, filters: report.AccessFilters, shown: dict[str, Any], **shows: Any
) -> str:
    """A page of the report; a person's names the review of each entry (one more query)."""
    page = report.page_of(query, page_number(request.args.get("page")))
    if "person" in shows:
        shows["references"] = report.references(page.items)
    kinds = list(report.AccessKind)
    return render_template(
        template, page=page, filters=filters, shown=shown, kinds=kinds, kind_of=report.kind_of, **shows
    )


@reviews_bp.route("/<int:review_id>/access")
@loads(Review, may="see_access_report", options=WITH_PEOPLE)
def review_access(review: Review) -> ResponseReturnValue:
    filters, shown = _filters(person_filter=True)
    _record("access_report_viewed", review, f"viewed ({filters.describe()})")
    query = report.of_review(review, filters)
    return _page(
        "access/review.html", query, filters, shown, review=review, readers=report.readers_of(review)
    )


@reviews_bp.route("/<int:review_id>/access.csv")
@loads(Review, may="see_access_report")
def review_access_csv(review: Review) -> ResponseReturnValue:
    filters, _ = _filters(person_filter=True)
    name = f"access-report-{review.reference}"
    return _csv(report.review_conditions(review, filters), review, name, filters)


@admin_bp.route("/users/<int:user_id>/access")
@roles(Role.ADMIN)
def person_access(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    filters, shown = _filters(person_filter=False)
    _record("access_report_viewed", person, f"viewed ({filters.describe()})")
    return _page("access/person.html", report.of_person(person, filters), filters, shown, person=person)


@admin_bp.route("/users/<int:user_id>/access.csv")
@roles(Role.ADMIN)
def person_access_csv(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    filters, _ = _filters(person_filter=False)
    name = f"access-report-person-{person.id}"
    return _csv(report.person_conditions(person, filters), person, name, filters)
