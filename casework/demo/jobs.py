"""Demo work done in the background: the police chronology for Adult G, imported from a CSV file by
the import job (run here as the worker would run it), then submitted and accepted. Its page,
/jobs/<id>, shows a finished import."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import TEMPLATE_COLUMNS
from casework.agencies.chronology_jobs import start_chronology_import
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.jobs import services as background
from casework.reviews.models import Review

FILE_NAME = "police-chronology-adult-g.csv"
EVENTS = [
    ("Call handler", "Neighbour reported that Adult G had not been seen for a week.", "Welfare check graded"),
    ("Response officer", "Welfare visit; Adult G at home, the flat cold and without food.", "Not referred"),
    ("Neighbourhood officer", "Adult G's son said he was managing her money.", "Possible financial abuse"),
    ("Response officer", "Called by a paramedic after a fall; no crime recorded.", "Self-neglect not raised"),
    ("Safeguarding hub officer", "Adult protection referral sent to the local authority.", "First referral"),
    ("Detective constable", "Enquiry into the son's use of Adult G's bank card.", "Investigation opened"),
]


def _demo_csv() -> bytes:
    start = uk_today() - timedelta(days=400)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for number, (role, event, significance) in enumerate(EVENTS):
        day = start + timedelta(days=37 * number)
        writer.writerow(
            [f"{day:%d/%m/%Y}", f"{9 + number}:30" if number % 2 else "", role, event, significance]
        )
    return out.getvalue().encode()


def load_demo_jobs(manager: User) -> list[str]:
    adult_g = db.session.execute(db.select(Review).where(Review.pseudonym == "Adult G")).scalar_one_or_none()
    police = db.session.execute(
        db.select(Agency).where(Agency.name == "Northshire Police")
    ).scalar_one_or_none()
    lead = db.session.execute(
        db.select(User).where(User.email == "police.lead@northshire.example")
    ).scalar_one_or_none()
    if adult_g is None or police is None or lead is None or adult_g.is_ended:
        return []  # not the demo database
    asked = db.session.execute(
        db.select(ContributionRequest.id).where(
            ContributionRequest.review_id == adult_g.id,
            ContributionRequest.agency_id == police.id,
            ContributionRequest.kind == ContributionKind.CHRONOLOGY,
        )
    ).first()
    if asked is not None:
        return []  # already loaded
    [request] = contributions.request_contributions(
        adult_g,
        [police],
        ContributionKind.CHRONOLOGY,
        "Your force's contact with Adult G during the scope period.",
        contributions.default_due_date(adult_g),
        manager,
    )
    job = start_chronology_import(request, _demo_csv(), FILE_NAME, lead)
    db.session.info.pop(background.JOBS_STARTED, None)  # run here, not by a worker
    background.run_job(job.id)  # commits, as the worker does
    request = db.session.get(ContributionRequest, request.id)
    assert request is not None
    contributions.submit_request(request, "Imported from our records system.", lead, None)
    contributions.accept_request(request, manager, None)
    db.session.flush()
    return [f"a chronology imported in the background for {adult_g.reference}"]
