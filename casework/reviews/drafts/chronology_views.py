"""The merged multi-agency chronology: read, filter, mark key episodes, export."""

from __future__ import annotations

from flask import Response, abort, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ExportRow, chronology_csv_chunks
from casework.agencies.contributions import ChronologyEntry
from casework.agencies.forms import KeyEpisodeForm
from casework.auth.access import current_person, loads
from casework.core import audit
from casework.core.extensions import db
from casework.core.filters import filter_day
from casework.core.forms import as_id, commit_once
from casework.core.streaming import batches_of
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.models import Review
from casework.reviews.pages import sent_back


def _filters() -> tuple[contributions.ChronologyFilters, dict[str, list[str]], dict[str, str]]:
    date_from, from_parts, from_error = filter_day(request.args, "from", "From")
    date_to, to_parts, to_error = filter_day(request.args, "to", "To")
    filters = contributions.ChronologyFilters(
        agency_id=as_id(request.args.get("agency")),
        date_from=date_from,
        date_to=date_to,
        key_only=request.args.get("key") == "1",
    )
    errors = {name: error for name, error in (("from", from_error), ("to", to_error)) if error}
    return filters, {"from": from_parts, "to": to_parts}, errors


@bp.route("/<int:review_id>/chronology")
@loads(Review)
def review_chronology(review: Review) -> ResponseReturnValue:
    filters, date_parts, date_errors = _filters()
    entries = contributions.merged_chronology(review, filters)
    agencies = sorted(
        {
            entry.agency
            for entry in contributions.merged_chronology(review, contributions.ChronologyFilters())
        },
        key=lambda a: a.name,
    )
    template = (
        "reviews/chronology_print.html" if request.args.get("print") == "1" else "reviews/chronology.html"
    )
    return render_template(
        template,
        review=review,
        entries=entries,
        filters=filters,
        date_parts=date_parts,
        date_errors=date_errors,
        agencies=agencies,
        key_form=KeyEpisodeForm(),
        today=uk_today(),
    )


@bp.route("/<int:review_id>/chronology.csv")
@loads(Review)
def review_chronology_csv(review: Review) -> ResponseReturnValue:
    """The merged chronology as CSV, read and sent in batches (a review's chronology may hold
    tens of thousands of entries); the export is recorded, with its count, before it is sent."""
    query = contributions.merged_chronology_rows(review, _filters()[0])
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    name = f"{review.reference}-chronology.csv"
    commit_once(
        lambda: audit.record(
            "chronology_exported",
            f"Merged chronology of {review.reference} exported ({count} entries)",
            subject=review,
            review=review,
        )
    )
    batches = ([ExportRow(*row) for row in batch] for batch in batches_of(query))
    return Response(
        stream_with_context(chronology_csv_chunks(batches)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/<int:review_id>/chronology/<int:entry_id>/key", methods=["POST"])
@loads(Review)
def review_chronology_key(review: Review, entry_id: int) -> ResponseReturnValue:
    entry = db.session.get(ChronologyEntry, entry_id)
    if entry is None or entry.review_id != review.id:
        abort(404)
    form = KeyEpisodeForm()
    mark = request.form.get("mark") == "1"
    return sent_back(
        form,
        lambda: contributions.mark_key_episode(entry, mark, form.note.data or "", current_person()),
        "Marked as a key practice episode." if mark else "No longer marked as a key practice episode.",
        url_for("reviews.review_chronology", review_id=review.id, **request.args) + f"#entry-{entry.id}",
        url_for("reviews.review_chronology", review_id=review.id),
    )
