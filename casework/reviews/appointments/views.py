"""Appointing independent reviewers, their answers and profiles; scope and contribution requests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from casework.agencies import services as contributions
from casework.agencies.contributions import ContributionKind
from casework.agencies.forms import RequestForm
from casework.agencies.models import Agency
from casework.auth.access import roles
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import chosen_ids, page_with_form, submit
from casework.reviews import bp
from casework.reviews.appointments import forms as f
from casework.reviews.appointments import services as appointments
from casework.reviews.forms import MoveForm
from casework.reviews.loading import load_review, me, review_url
from casework.reviews.models import (
    Affiliation,
    AssignmentRole,
    Involvement,
    Review,
    ReviewerAssignment,
    ReviewerProfile,
)


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
@roles(Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)
def review_assign(review_id: int) -> ResponseReturnValue:
    review = load_review(
        review_id, manage=True, options=[selectinload(Review.involvements).joinedload(Involvement.agency)]
    )
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
            review, reviewer, role, me(), form.override_reason.data or "", form.version.data
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
@roles(Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)
def review_assignment_withdraw(review_id: int, assignment_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
    assignment = next((a for a in review.assignments if a.id == assignment_id), None) or abort(404)
    form = f.ReasonForm()
    done = submit(
        form,
        lambda: appointments.withdraw_appointment(assignment, form.reason.data or "", form.version.data),
        f"The appointment of {assignment.reviewer.name} has ended.",
        review_url(review),
    )
    return done or redirect(review_url(review))


@bp.route("/appointments/<int:assignment_id>", methods=["GET", "POST"])
@roles(Role.REVIEWER)
def appointment(assignment_id: int) -> ResponseReturnValue:
    """The reviewer's own answer. Before accepting they see only what they need to decide."""
    # What the page shows of the review, loaded with the assignment (its template never queries).
    assignment = db.session.get(
        ReviewerAssignment,
        assignment_id,
        options=[
            joinedload(ReviewerAssignment.review).options(
                joinedload(Review.review_type),
                joinedload(Review.terms),
                selectinload(Review.involvements).joinedload(Involvement.agency),
            )
        ],
    )
    if assignment is None or assignment.reviewer_id != me().id:
        abort(404)
    accept_form, decline_form = f.AcceptForm(), f.DeclineForm()
    if request.method == "POST" and "decline" in request.form:
        done = submit(
            decline_form,
            lambda: appointments.decline_appointment(assignment, me(), decline_form.reason.data or ""),
            "You have declined the appointment. The board manager has been told.",
            url_for("reviews.index"),
        )
    else:
        done = submit(
            accept_form,
            lambda: appointments.accept_appointment(assignment, me(), bool(accept_form.declared.data)),
            "You have accepted the appointment. The review is now open to you.",
            url_for("reviews.review_detail", review_id=assignment.review_id),
        )
    declining = request.method == "POST" and "decline" in request.form
    return done or page_with_form(
        "reviews/appointment.html",
        decline_form if declining else accept_form,
        assignment=assignment,
        review=assignment.review,
        accept_form=accept_form,
        decline_form=decline_form,
        declaration=appointments.DECLARATION,
    )


# --- reviewer profiles --------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@roles(Role.REVIEWER)
def reviewer_profile() -> ResponseReturnValue:
    user = me()
    profile = db.session.get(
        ReviewerProfile,
        user.id,
        options=[selectinload(ReviewerProfile.affiliations).joinedload(Affiliation.agency)],
    )
    profile_form, affiliation_form = f.ProfileForm(), f.AffiliationForm()
    affiliation_form.agency.choices = _active_agency_choices()
    if request.method == "GET":
        profile_form.organisation.data = profile.organisation if profile else ""
    done = None
    if request.method == "POST" and "declare" in request.form:
        done = submit(
            affiliation_form,
            lambda: appointments.add_affiliation(
                user,
                _agency(affiliation_form.agency.data),
                affiliation_form.started_on.data,
                affiliation_form.ended_on.data,
                affiliation_form.nature.data or "",
            ),
            "Link declared. Board managers see it when they appoint reviewers.",
            url_for("reviews.reviewer_profile"),
        )
    elif request.method == "POST":
        done = submit(
            profile_form,
            lambda: appointments.save_profile(user, profile_form.organisation.data or ""),
            "Organisation saved.",
            url_for("reviews.reviewer_profile"),
        )
    form = affiliation_form if affiliation_form.errors else profile_form
    return done or page_with_form(
        "reviews/profile.html",
        form,
        profile=profile,
        profile_form=profile_form,
        affiliation_form=affiliation_form,
    )


@bp.route("/profile/affiliations/<int:affiliation_id>/remove", methods=["POST"])
@roles(Role.REVIEWER)
def reviewer_affiliation_remove(affiliation_id: int) -> ResponseReturnValue:
    affiliation = db.session.get(Affiliation, affiliation_id)
    if affiliation is None or affiliation.reviewer_id != me().id:
        abort(404)
    form = MoveForm()
    if (
        submit(form, lambda: appointments.remove_affiliation(me(), affiliation), "Declaration removed.", "")
        is None
    ):
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
@roles(Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)
def review_scope_add(review_id: int) -> ResponseReturnValue:
    review = load_review(review_id, manage=True)
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
@roles(Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)
def review_request_new(review_id: int) -> ResponseReturnValue:
    review = load_review(
        review_id,
        manage=True,
        options=[
            joinedload(Review.review_type),
            selectinload(Review.involvements).joinedload(Involvement.agency),
        ],
    )
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
            me(),
        )

    done = submit(form, send, lambda made: f"{len(made)} request(s) sent.", review_url(review))
    return done or page_with_form("reviews/request_new.html", form, review=review)
