"""Appointing independent reviewers, their answers and profiles; scope and contribution requests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.agencies import services as contributions
from casework.agencies.contributions import ContributionKind
from casework.agencies.forms import RequestForm
from casework.agencies.models import Agency
from casework.auth.access import current_person, loads, roles
from casework.auth.models import Role, User
from casework.core.display import plural
from casework.core.extensions import db
from casework.core.forms import chosen_ids, page_with_form, submit
from casework.core.view_helpers import FormsPage
from casework.reviews import bp
from casework.reviews.appointments import forms as f
from casework.reviews.appointments import services as appointments
from casework.reviews.forms import MoveForm
from casework.reviews.models import (
    Affiliation,
    AssignmentRole,
    Involvement,
    Review,
    ReviewerAssignment,
    ReviewerProfile,
)
from casework.reviews.pages import page_of_forms, review_url


def _agency(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None


def _active_agency_choices(exclude: list[Agency] | None = None) -> list[SelectChoice]:
    excluded = {a.id for a in exclude or []}
    agencies = db.session.execute(
        db.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    ).scalars()
    return [SelectChoice(0, "Choose an agency")] + [
        SelectChoice(a.id, a.name) for a in agencies if a.id not in excluded
    ]


# --- appointing reviewers -----------------------------------------------------------------


@bp.route("/<int:review_id>/reviewers/assign", methods=["GET", "POST"])
@loads(Review, may="manage", options=[selectinload(Review.involvements).joinedload(Involvement.agency)])
def review_assign(review: Review) -> ResponseReturnValue:
    candidates = appointments.reviewers_to_choose(review)
    form = f.AssignForm()
    form.reviewer.choices = [
        SelectChoice(str(user.id), user.name + (" (possible conflict of interest)" if conflicts else ""))
        for user, conflicts in candidates
    ]
    if request.method == "GET":
        form.version.data = review.version
        has_lead = any(
            a.role == AssignmentRole.LEAD and a.status in appointments.LIVE for a in review.assignments
        )
        form.role.data = AssignmentRole.CO_REVIEWER.value if has_lead else AssignmentRole.LEAD.value

    def assign() -> ReviewerAssignment:
        reviewer = db.session.get(User, int(form.reviewer.data)) if form.reviewer.data else None
        role = AssignmentRole(form.role.data) if form.role.data else None
        return appointments.assign_reviewer(
            review, reviewer, role, current_person(), form.override_reason.data or "", form.version.data
        )

    done = submit(
        form,
        assign,
        lambda a: (
            f"{a.reviewer.name} has been appointed. The review opens to them once they accept "
            "and declare their independence."
        ),
        review_url(review),
    )
    return done or page_with_form("reviews/assign.html", form, review=review, candidates=candidates)


@bp.route("/<int:review_id>/reviewers/<int:assignment_id>/withdraw", methods=["POST"])
@loads(ReviewerAssignment, may="manage", argument="assignment_id")
def review_assignment_withdraw(review_id: int, assignment: ReviewerAssignment) -> ResponseReturnValue:
    if assignment.review_id != review_id:
        abort(404)
    form = f.ReasonForm()
    done = submit(
        form,
        lambda: appointments.withdraw_appointment(assignment, form.reason.data or "", form.version.data),
        f"The appointment of {assignment.reviewer.name} has ended.",
        review_url(assignment.review),
    )
    return done or redirect(review_url(assignment.review))


# What the appointment page shows of the review, loaded with it (its template never queries).
APPOINTMENT_OPTIONS = [
    joinedload(ReviewerAssignment.review).options(
        joinedload(Review.review_type),
        joinedload(Review.referral),  # the type's name as it was when the review started
        joinedload(Review.terms),
        selectinload(Review.involvements).joinedload(Involvement.agency),
    )
]


def _appointment_page(assignment: ReviewerAssignment, **forms: FlaskForm) -> ResponseReturnValue:
    """The reviewer's own answer. Before accepting they see only what they need to decide."""
    return page_of_forms(
        "reviews/appointment.html",
        {"accept_form": f.AcceptForm(formdata=None), "decline_form": f.DeclineForm(formdata=None)},
        forms,
        assignment=assignment,
        review=assignment.review,
        declaration=appointments.DECLARATION,
    )


ANSWERING = loads(ReviewerAssignment, may="answer", argument="assignment_id", options=APPOINTMENT_OPTIONS)


def _appointment_url(assignment: ReviewerAssignment) -> str:
    return url_for("reviews.appointment", assignment_id=assignment.id)


def _opened(assignment: ReviewerAssignment) -> str:
    return url_for("reviews.review_detail", review_id=assignment.review_id)


def _index(_assignment: ReviewerAssignment) -> str:
    return url_for("reviews.index")


# The reviewer's page of the appointment (theirs to answer); a refused answer shows it again with
# the form's errors.
APPOINTMENT_PAGE = FormsPage(_appointment_page, _appointment_url)
APPOINTMENT_PAGE.route(bp, "/appointments/<int:assignment_id>", "appointment", ANSWERING)
ACCEPTED = "You have accepted the appointment. The review is now open to you."
DECLINED = "You have declined the appointment. The board manager has been told."


@bp.route("/appointments/<int:assignment_id>", methods=["POST"])
@ANSWERING
@APPOINTMENT_PAGE.posts("accept_form", f.AcceptForm, ACCEPTED, then=_opened)
def appointment_accept(assignment: ReviewerAssignment, form: f.AcceptForm) -> None:
    appointments.accept_appointment(assignment, current_person(), bool(form.declared.data))


@bp.route("/appointments/<int:assignment_id>/decline", methods=["POST"])
@ANSWERING
@APPOINTMENT_PAGE.posts("decline_form", f.DeclineForm, DECLINED, then=_index)
def appointment_decline(assignment: ReviewerAssignment, form: f.DeclineForm) -> None:
    appointments.decline_appointment(assignment, current_person(), form.reason.data or "")


# --- reviewer profiles --------------------------------------------------------------------


def _profile_page(**forms: FlaskForm) -> ResponseReturnValue:
    """The reviewer's profile, with a refused form shown again (400) where one is given."""
    profile = db.session.get(
        ReviewerProfile,
        current_person().id,
        options=[selectinload(ReviewerProfile.affiliations).joinedload(Affiliation.agency)],
    )
    affiliation_form = f.AffiliationForm(formdata=None)
    affiliation_form.agency.choices = _active_agency_choices()
    drawn = {
        "profile_form": f.ProfileForm(formdata=None, organisation=profile.organisation if profile else ""),
        "affiliation_form": affiliation_form,
    }
    return page_of_forms("reviews/profile.html", drawn, forms, profile=profile)


@bp.route("/profile")
@roles(Role.REVIEWER)
def reviewer_profile() -> ResponseReturnValue:
    return _profile_page()


@bp.route("/profile", methods=["POST"])
@roles(Role.REVIEWER)
def reviewer_profile_save() -> ResponseReturnValue:
    form = f.ProfileForm()
    done = submit(
        form,
        lambda: appointments.save_profile(current_person(), form.organisation.data or ""),
        "Organisation saved.",
        url_for("reviews.reviewer_profile"),
    )
    return done or _profile_page(profile_form=form)


@bp.route("/profile/affiliations", methods=["POST"])
@roles(Role.REVIEWER)
def reviewer_affiliation_add() -> ResponseReturnValue:
    form = f.AffiliationForm()
    form.agency.choices = _active_agency_choices()
    done = submit(
        form,
        lambda: appointments.add_affiliation(
            current_person(),
            _agency(form.agency.data),
            form.started_on.data,
            form.ended_on.data,
            form.nature.data or "",
        ),
        "Link declared. Board managers see it when they appoint reviewers.",
        url_for("reviews.reviewer_profile"),
    )
    return done or _profile_page(affiliation_form=form)


@bp.route("/profile/affiliations/<int:affiliation_id>/remove", methods=["POST"])
@loads(Affiliation, may="remove")
def reviewer_affiliation_remove(affiliation: Affiliation) -> ResponseReturnValue:
    form = MoveForm()
    remove = lambda: appointments.remove_affiliation(current_person(), affiliation)  # noqa: E731
    if submit(form, remove, "Declaration removed.", "") is None:
        flash("The form had expired. Try again.", "error")
    return redirect(url_for("reviews.reviewer_profile"))


@bp.route("/reviewers")
@roles(Role.BOARD_MANAGER)
def reviewers() -> ResponseReturnValue:
    people = db.session.execute(
        db.select(User).where(User.role == Role.REVIEWER).order_by(User.active.desc(), User.name)
    ).scalars()
    profiles = {
        p.user_id: p
        for p in db.session.execute(
            db.select(ReviewerProfile).options(
                selectinload(ReviewerProfile.affiliations).joinedload(Affiliation.agency)
            )
        ).scalars()
    }
    return render_template("reviews/reviewers.html", people=people.all(), profiles=profiles)


# --- scope and requests -------------------------------------------------------------------


@bp.route("/<int:review_id>/scope/add", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_scope_add(review: Review) -> ResponseReturnValue:
    form = f.ScopeForm()
    form.agency.choices = _active_agency_choices(exclude=review.agencies_where("in_scope"))
    if request.method == "GET":
        form.version.data = review.version
    found: list[str] = []

    def add() -> None:
        found.extend(
            appointments.add_to_scope(
                review, _agency(form.agency.data), form.role_note.data or "", form.version.data
            )
        )

    done = submit(form, add, "Agency added to the scope.", review_url(review))
    if done and found:
        flash("Possible conflicts of interest found: " + "; ".join(found), "error")
    return done or page_with_form("reviews/scope_add.html", form, review=review)


@bp.route("/<int:review_id>/requests/new", methods=["GET", "POST"])
@loads(
    Review,
    may="manage",
    options=[
        joinedload(Review.review_type),
        selectinload(Review.involvements).joinedload(Involvement.agency),
    ],
)
def review_request_new(review: Review) -> ResponseReturnValue:
    form = RequestForm()
    in_scope = review.agencies_where("in_scope")
    form.agencies.choices = [SelectChoice(str(a.id), a.name) for a in in_scope if a.active]
    if request.method == "GET":
        form.due_on.data = contributions.default_due_date(review)
        form.agencies.data = [str(a.id) for a in in_scope if a.active]

    def send() -> list[object]:
        chosen = chosen_ids(form.agencies.data)
        return contributions.request_contributions(
            review,
            [a for a in in_scope if a.id in chosen],
            ContributionKind(form.kind.data) if form.kind.data else None,
            form.instructions.data or "",
            form.due_on.data,
            current_person(),
        )

    done = submit(form, send, lambda made: f"{plural(len(made), 'request')} sent.", review_url(review))
    return done or page_with_form("reviews/request_new.html", form, review=review)
