"""What hangs off a review, built through the services: contribution requests with entries and
files, recommendations with actions, stored documents. Call inside ``with app.app_context():``
with rows of the current session; each builder commits. And the details of parallel processes a
review may wait on, to add to its register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ParamSpec, TypeVar

from casework.actions import services as actions
from casework.actions.models import Action, Recommendation
from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.documents.storage import store_upload
from casework.reviews.models import ProcessKind, ProcessStatus, Review
from casework.reviews.records.processes import ProcessDetails
from tests.support.files import PDF, upload

P = ParamSpec("P")
T = TypeVar("T")
ASKED = "Your agency's contact with the family during the scope period."


def make_request(
    review: Review,
    agency: Agency,
    by: User,
    *,
    kind: ContributionKind = ContributionKind.CHRONOLOGY,
    entries: tuple[str, ...] = (),
    document: str | None = None,
) -> ContributionRequest:
    """A request to ``agency`` on a commissioned review, due in 30 days; its agency lead adds an
    entry for each text of ``entries`` and uploads a PDF named ``document``."""
    [request] = contributions.request_contributions(
        review, [agency], kind, ASKED, uk_today() + timedelta(days=30), by
    )
    db.session.commit()
    if entries or document:
        lead = db.session.scalars(
            db.select(User).where(User.agency_id == agency.id, User.role == Role.AGENCY_LEAD)
        ).first()
        assert lead is not None, f"{agency.name} has no agency lead to answer the request"
        for days, text in enumerate(entries):
            row = ChronologyRow(uk_today() - timedelta(days=90 - days), None, "Health visitor", text, "")
            contributions.add_chronology_entry(request, row, lead)
        if document:
            contributions.attach_document(request, upload(PDF, document), lead)
        db.session.commit()
    return request


def make_recommendation(
    review: Review,
    by: User,
    *,
    agencies: list[Agency] = (),
    text: str = "Share incidents with a baby present.",
) -> Recommendation:
    """A recommendation to ``agencies`` (none: to the partnership)."""
    made = actions.add_recommendation(review, text, not agencies, list(agencies), [], by)
    db.session.commit()
    return made


def plan_action(
    recommendation: Recommendation,
    by: User,
    *,
    agency: Agency | None = None,
    owner: User | None = None,
    description: str = "Brief every team on the new referral pathway.",
    measure: str = "An audit of 20 cases.",
    due_in: int = 40,
) -> Action:
    """An action of ``agency`` (None: the partnership's), owned by ``owner`` (default: ``by``),
    due in ``due_in`` days, added through the service and left to the caller's transaction."""
    return actions.add_action(
        recommendation, description, agency, owner or by, uk_today() + timedelta(days=due_in), measure, by
    )


def _committed(build: Callable[P, T]) -> Callable[P, T]:
    """``build``, then a commit: the builder that leaves its rows to the caller's transaction,
    for a caller with nothing else to add to it."""

    def made(*args: P.args, **kwargs: P.kwargs) -> T:
        result = build(*args, **kwargs)
        db.session.commit()
        return result

    return made


# An action of the plan, committed (for the tests that only need it there).
make_action = _committed(plan_action)


def make_document(
    by: User, *, review: Review | None = None, name: str = "notes.pdf", content: bytes = PDF
) -> Document:
    """A file stored through the upload checks (in the app's UPLOAD_FOLDER), filed on ``review``."""
    document = store_upload(upload(content, name), uploaded_by=by, review=review)
    db.session.commit()
    return document


def trial_and_care_proceedings(today: date) -> tuple[ProcessDetails, ProcessDetails]:
    """Two processes a review waits on or waited on, seen from ``today``: the father's criminal
    trial, under way since ten days before and expected to end on 3 March 2027; and care
    proceedings that began 100 days before and concluded five days before."""
    trial = ProcessDetails(
        kind=ProcessKind.CRIMINAL,
        description="Trial of the father",
        status=ProcessStatus.UNDER_WAY,
        started_on=today - timedelta(days=10),
        expected_end_on=date(2027, 3, 3),
    )
    care = ProcessDetails(
        kind=ProcessKind.FAMILY_PROCEEDINGS,
        description="Care proceedings",
        status=ProcessStatus.CONCLUDED,
        started_on=today - timedelta(days=100),
        ended_on=today - timedelta(days=5),
    )
    return trial, care
