"""The merged multi-agency chronology: read, filter, mark key episodes, export."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ExportRow, chronology_to_csv
from casework.agencies.contributions import ChronologyEntry
from casework.agencies.forms import KeyEpisodeForm
from casework.auth.access import current_person, loads
from casework.core import audit
from casework.core.extensions import db
from casework.core.filters import filter_day
from casework.core.forms import as_id, commit_once, flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.reviews import bp
from casework.reviews.models import Review


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
    entries = contributions.merged_chronology(review, _filters()[0])
    rows = [
        ExportRow(
            occurred_on=e.occurred_on,
            occurred_at=e.occurred_at,
            agency=e.agency.name,
            practitioner_role=e.practitioner_role,
            event=e.event,
            significance=e.significance,
            key_episode=e.key_episode,
        )
        for e in entries
    ]
    commit_once(
        lambda: audit.record(
            "chronology_exported",
            f"Merged chronology of {review.reference} exported ({len(rows)} entries)",
            subject=review,
            review=review,
        )
    )
    return Response(
        "\ufeff" + chronology_to_csv(rows),  # the BOM makes Excel read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{review.reference}-chronology.csv"'},
    )


@bp.route("/<int:review_id>/chronology/<int:entry_id>/key", methods=["POST"])
@loads(Review)
def review_chronology_key(review: Review, entry_id: int) -> ResponseReturnValue:
    entry = db.session.get(ChronologyEntry, entry_id)
    if entry is None or entry.review_id != review.id:
        abort(404)
    form = KeyEpisodeForm()
    mark = request.form.get("mark") == "1"
    done = submit(
        form,
        lambda: contributions.mark_key_episode(entry, mark, form.note.data or "", current_person()),
        "Marked as a key practice episode." if mark else "No longer marked as a key practice episode.",
        url_for("reviews.review_chronology", review_id=review.id, **request.args) + f"#entry-{entry.id}",
    )
    if done is None:
        flash_form_errors(form)
    return done or redirect(url_for("reviews.review_chronology", review_id=review.id))
