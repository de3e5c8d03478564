"""Access reports: who opened a review's identifying details, documents and exports (board
managers and administrators), and what one person opened (administrators). Viewing or exporting
a report is itself recorded, and so appears in the reports."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
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


def _csv(events: list[Any], name: str) -> Response:
    return Response(
        report.to_csv(events),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@reviews_bp.route("/<int:review_id>/access")
@loads(Review, may="see_access_report", options=WITH_PEOPLE)
def review_access(review: Review) -> ResponseReturnValue:
    filters, shown = _filters(person_filter=True)
    commit_once(
        lambda: audit.record(
            "access_report_viewed",
            f"Access report of {review.reference} viewed ({filters.describe()})",
            subject=review,
            review=review,
        )
    )
    page = report.page_of(report.of_review(review, filters), page_number(request.args.get("page")))
    return render_template(
        "access/review.html",
        review=review,
        page=page,
        filters=filters,
        shown=shown,
        readers=report.readers_of(review),
        kinds=list(report.AccessKind),
        kind_of=report.kind_of,
    )


@reviews_bp.route("/<int:review_id>/access.csv")
@loads(Review, may="see_access_report")
def review_access_csv(review: Review) -> ResponseReturnValue:
    filters, _ = _filters(person_filter=True)
    events = list(db.session.execute(report.of_review(review, filters)).scalars())
    commit_once(
        lambda: audit.record(
            "access_report_exported",
            f"Access report of {review.reference} exported ({len(events)} entries, {filters.describe()})",
            subject=review,
            review=review,
        )
    )
    return _csv(events, f"access-report-{review.reference}")


def _person(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@admin_bp.route("/users/<int:user_id>/access")
@roles(Role.ADMIN)
def person_access(user_id: int) -> ResponseReturnValue:
    person = _person(user_id)
    filters, shown = _filters(person_filter=False)
    commit_once(
        lambda: audit.record(
            "access_report_viewed",
            f"Access report of {person.name} viewed ({filters.describe()})",
            subject=person,
        )
    )
    page = report.page_of(report.of_person(person, filters), page_number(request.args.get("page")))
    return render_template(
        "access/person.html",
        person=person,
        page=page,
        filters=filters,
        shown=shown,
        references=report.references(page.items),
        kinds=list(report.AccessKind),
        kind_of=report.kind_of,
    )


@admin_bp.route("/users/<int:user_id>/access.csv")
@roles(Role.ADMIN)
def person_access_csv(user_id: int) -> ResponseReturnValue:
    person = _person(user_id)
    filters, _ = _filters(person_filter=False)
    events = list(db.session.execute(report.of_person(person, filters)).scalars())
    commit_once(
        lambda: audit.record(
            "access_report_exported",
            f"Access report of {person.name} exported ({len(events)} entries, {filters.describe()})",
            subject=person,
        )
    )
    return _csv(events, f"access-report-person-{person.id}")
