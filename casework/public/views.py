"""The public register: anyone may read it and download what was published, signed in or not."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from flask import abort, current_app, g, render_template, url_for
from flask.typing import ResponseReturnValue

from casework.auth.access import public
from casework.core.paging import requested_page
from casework.core.timeutil import uk_today
from casework.documents.file_types import EXTENSIONS
from casework.documents.models import Document
from casework.documents.storage import send_document
from casework.public import bp, queries

ARCHIVE_AFTER = relativedelta(years=3)
# Shared caches may keep the register briefly (see casework.core.security); downloads are never kept.
PUBLIC_MAX_AGE = 300
PAGE_SIZE = 25  # reviews, each with its summary, learning and recommendations


@bp.route("/")
@public
def register() -> ResponseReturnValue:
    today = uk_today()
    archive_before = today - ARCHIVE_AFTER
    page = queries.register_page(today, archive_before, requested_page(), PAGE_SIZE)
    recent = [review for review in page.items if review.dated >= archive_before]
    g.public_max_age = PUBLIC_MAX_AGE
    return render_template(
        "public/register.html",
        title="Published reviews",
        page=page,
        published=[review for review in recent if review.is_published],
        not_published=[review for review in recent if not review.is_published],
        archive=[review for review in page.items if review.dated < archive_before],
        any_published=page.any_published,
        last_updated=queries.last_updated(today),
        review_types=queries.review_types_explained(),
        partnership_of=_partnership_of,
    )


def _partnership_of(type_code: str) -> str:
    """Who carried out a review of this type: adult reviews are the Safeguarding Adults Board's."""
    return current_app.config["PARTNERSHIP_NAMES"].get(type_code, current_app.config["PARTNERSHIP_NAME"])


def _send(document: Document | None, reference: str, what: str) -> ResponseReturnValue:
    if document is None:
        abort(404)
    # Recorded with no actor for a member of the public (audit.record names a signed-in user).
    response = send_document(document, user=None)
    # The name it was uploaded under is the partnership's working name, never shown in public.
    extension = EXTENSIONS[document.detected_type][0]
    response.headers.set("Content-Disposition", "attachment", filename=f"{reference}-{what}.{extension}")
    return response


@bp.route("/<reference>/report")
@public
def report(reference: str) -> ResponseReturnValue:
    return _send(queries.published_report(reference, uk_today()), reference, "report")


@bp.route("/<reference>/briefing")
@public
def briefing(reference: str) -> ResponseReturnValue:
    return _send(queries.published_briefing(reference, uk_today()), reference, "learning-briefing")


@bp.route("/<reference>/learning-briefing")
@public
def briefing_page(reference: str) -> ResponseReturnValue:
    """The published briefing as a printable page."""
    briefing = queries.published_briefing_text(reference, uk_today(), _partnership_of)
    if briefing is None:
        abort(404)
    g.public_max_age = PUBLIC_MAX_AGE
    return render_template(
        "learning/briefing_print.html", briefing=briefing, draft=False, back=url_for("public.register")
    )
