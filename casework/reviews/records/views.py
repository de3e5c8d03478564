"""Screens of the registers kept beside a review. Each register is one page (managers add to it;
the lead reviewer reads it) and one POST route per change; an entry is corrected on its own page,
with the version it was drawn from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload

from casework.auth.access import current_person, loads
from casework.core.extensions import db
from casework.core.forms import VersionedForm, page_with_form, submit
from casework.core.request_guards import as_id
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage, route_each
from casework.reviews import bp
from casework.reviews.models import (
    FamilyContact,
    MonitoringEntry,
    ParallelProcess,
    Review,
    ReviewPause,
)
from casework.reviews.pages import correction_form, page_of_forms, part_of, sent_back
from casework.reviews.records import family, monitoring, processes
from casework.reviews.records import forms as f

# The pages ask who leads the review (can("see_family", review), the written requests' addressee).
WITH_PEOPLE = [selectinload(Review.assignments), joinedload(Review.review_type)]


# --- parallel processes -------------------------------------------------------------------


def _processes_url(review: Review) -> str:
    return url_for("reviews.review_processes", review_id=review.id)


def _processes_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    listed = processes.processes_of(review)
    pauses = list(
        db.session.execute(
            db.select(ReviewPause)
            .where(ReviewPause.review_id == review.id)
            .order_by(ReviewPause.started_on)
            .options(joinedload(ReviewPause.process))
        ).scalars()
    )
    drawn = {"process_form": f.ProcessForm(formdata=None)}
    return page_of_forms(
        "reviews/records/processes.html",
        drawn,
        refused,
        review=review,
        processes=listed,
        pauses=pauses,
        delay=processes.describe_delay(listed),
    )


# The register's page; its forms add to it, or show it again with the form's errors.
PROCESSES = FormsPage(_processes_page, _processes_url)
PROCESSES.route(bp, "/<int:review_id>/processes", "review_processes", loads(Review, options=WITH_PEOPLE))


@bp.route("/<int:review_id>/processes", methods=["POST"])
@loads(Review, may="manage", options=WITH_PEOPLE)
@PROCESSES.posts("process_form", f.ProcessForm, "Process added to the register.")
def review_process_add(review: Review, form: f.ProcessForm) -> ParallelProcess:
    return processes.add_process(review, form.details(), current_person())


@bp.route("/<int:review_id>/pauses/<int:pause_id>/process", methods=["POST"])
@loads(Review, may="manage")
def review_pause_cause(review: Review, pause_id: int) -> ResponseReturnValue:
    pause = part_of(review, ReviewPause, pause_id)
    form = f.VersionedForm()

    def name() -> ReviewPause:
        chosen = as_id(request.form.get("process"))
        process = part_of(review, ParallelProcess, chosen) if chosen is not None else None
        return processes.name_pause_cause(review, pause, process)

    back = _processes_url(review)
    return sent_back(form, name, "The pause's cause is recorded.", back, back)


# --- the monitoring log -------------------------------------------------------------------


def _monitoring_url(review: Review) -> str:
    return url_for("reviews.review_monitoring", review_id=review.id)


def _monitoring_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    drawn = {
        "monitoring_form": f.MonitoringForm(formdata=None, recorded_on=uk_today()),
        "response_form": f.ResponseForm(formdata=None),
    }
    return page_of_forms(
        "reviews/records/monitoring.html",
        drawn,
        refused,
        review=review,
        entries=monitoring.entries_for(review, current_person()),
        lead=monitoring.lead_reviewer(review),
    )


MONITORING = FormsPage(_monitoring_page, _monitoring_url)
MONITORING.route(bp, "/<int:review_id>/monitoring", "review_monitoring", loads(Review, options=WITH_PEOPLE))


@bp.route("/<int:review_id>/monitoring", methods=["POST"])
@loads(Review, may="manage", options=WITH_PEOPLE)
@MONITORING.posts("monitoring_form", f.MonitoringForm, "Added to the monitoring log.")
def review_monitoring_add(review: Review, form: f.MonitoringForm) -> MonitoringEntry:
    text = form.text.data or ""
    return monitoring.add_entry(review, form.kind_chosen(), form.recorded_on.data, text, current_person())


# The reviewer answers on the log's page; the entry's own rule says whose request it is.
@bp.route("/<int:review_id>/monitoring/<int:monitoring_id>/response", methods=["POST"])
@loads(Review, options=WITH_PEOPLE)
def review_monitoring_respond(review: Review, monitoring_id: int) -> ResponseReturnValue:
    entry = part_of(review, MonitoringEntry, monitoring_id)
    form = f.ResponseForm()
    answer = lambda: monitoring.respond(entry, form.response.data or "", form.version.data, current_person())  # noqa: E731
    done = submit(form, answer, "Your response is recorded.", _monitoring_url(review))
    return done or _monitoring_page(review, response_form=form)


# --- the family's involvement ---------------------------------------------------------------


def _family_url(review: Review) -> str:
    return url_for("reviews.review_family", review_id=review.id)


def _family_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    contacts = family.contacts_of(review)
    drawn = {"family_form": f.FamilyContactForm(formdata=None, happened_on=uk_today())}
    return page_of_forms(
        "reviews/records/family.html",
        drawn,
        refused,
        review=review,
        contacts=contacts,
        advocacy=family.advocacy_offered(contacts),
        is_dhr=review.review_type.code == "DHR",
    )


FAMILY = FormsPage(_family_page, _family_url)
FAMILY.route(
    bp, "/<int:review_id>/family", "review_family", loads(Review, may="see_family", options=WITH_PEOPLE)
)


@bp.route("/<int:review_id>/family", methods=["POST"])
@loads(Review, may="manage", options=WITH_PEOPLE)
@FAMILY.posts("family_form", f.FamilyContactForm, "Added to the family involvement log.")
def review_family_add(review: Review, form: f.FamilyContactForm) -> FamilyContact:
    return family.add_contact(review, form.details(), current_person())


# --- an entry corrected on a page of its own ------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """How a register's entry is corrected on its page: its model, the page's route and the
    route's name for the entry's id, the form drawn from it, the service that saves the change,
    and the register's page to go back to."""

    model: type[ParallelProcess | MonitoringEntry | FamilyContact]
    rule: str
    argument: str
    form: type[VersionedForm]
    save: Callable[[Any, Any], object]
    done: str
    register: Callable[[Review], str]
    template: str
    name: str  # the entry's name in the template


CORRECTIONS = {
    "review_process_edit": Correction(
        ParallelProcess,
        "/<int:review_id>/processes/<int:process_id>",
        "process_id",
        f.ProcessForm,
        lambda process, form: processes.update_process(process, form.details(), form.version.data),
        "Process updated.",
        _processes_url,
        "reviews/records/process_edit.html",
        "process",
    ),
    "review_monitoring_edit": Correction(
        MonitoringEntry,
        "/<int:review_id>/monitoring/<int:monitoring_id>",
        "monitoring_id",
        f.MonitoringEditForm,
        lambda entry, form: monitoring.update_entry(
            entry, form.recorded_on.data, form.text.data or "", form.version.data
        ),
        "Entry corrected.",
        _monitoring_url,
        "reviews/records/monitoring_edit.html",
        "entry",
    ),
    "review_family_edit": Correction(
        FamilyContact,
        "/<int:review_id>/family/<int:contact_id>",
        "contact_id",
        f.FamilyContactForm,
        lambda contact, form: family.update_contact(contact, form.details(), form.version.data),
        "Entry corrected.",
        _family_url,
        "reviews/records/family_edit.html",
        "contact",
    ),
}


@loads(Review, may="manage")
def review_entry_edit(review: Review, correction: str, **ids: int) -> ResponseReturnValue:
    how = CORRECTIONS[correction]
    entry = part_of(review, how.model, ids[how.argument])
    form = correction_form(how.form, entry)
    done = submit(form, lambda: how.save(entry, form), how.done, how.register(review))
    return done or page_with_form(how.template, form, review=review, **{how.name: entry})


route_each(
    bp,
    review_entry_edit,
    "correction",
    {endpoint: (endpoint, how.rule) for endpoint, how in CORRECTIONS.items()},
    methods=["GET", "POST"],
)
