"""What the review screens share: the review's address, the records a URL names under a review
(a draft version, a finding of its check), which follow the review's rule, and the ways their
forms are drawn and answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from casework.auth.access import Guarded, load_for
from casework.core.errors import Versioned
from casework.core.forms import VersionedForm, error_flashed, flash_form_errors, submit
from casework.reviews.models import Review


class PartOfReview(Guarded, Protocol):
    review_id: int


P = TypeVar("P", bound=PartOfReview)
F = TypeVar("F", bound=VersionedForm)


def review_url(review: Review) -> str:
    return url_for("reviews.review_detail", review_id=review.id)


def part_of(review: Review, model: type[P], record_id: int) -> P:
    """The record of ``model`` the URL names under ``review``: 404 unless it is that review's.
    The route's rule on the review says what may be done with it."""
    record = load_for(model, record_id)
    if record.review_id != review.id:
        abort(404)
    return record


def page_of_forms(
    template: str, drawn: dict[str, FlaskForm], refused: dict[str, FlaskForm], **context: Any
) -> ResponseReturnValue:
    """A page of several forms, each posted to its own route: drawn afresh, or with a refused one
    in its place and the page answering 400. ``form``, whose errors the page's summary shows, is
    the refused one, or else the first drawn."""
    forms = {**drawn, **refused}
    summary = next(iter(refused.values()), next(iter(drawn.values())))
    status = 400 if refused or error_flashed() else 200  # before rendering, which reads the flashes
    return render_template(template, form=summary, **forms, **context), status


def correction_form(form_class: type[F], entry: Versioned) -> F:
    """The form of a page that corrects a saved entry: drawn from the entry at its version, or
    read from the post, whose version says which one it corrects."""
    if request.method != "GET":
        return form_class()
    form = form_class(obj=entry)
    form.show_latest(entry.version)
    return form


def sent_back(
    form: FlaskForm, change: Callable[[], Any], success: str | Callable[[Any], str], then: str, back: str
) -> ResponseReturnValue:
    """A form posted from a page that does not draw it again: on success to ``then``; refused,
    back to ``back`` with the form's messages at the top."""
    done = submit(form, change, success, then)
    if done is None:
        flash_form_errors(form)
    return done or redirect(back)
