"""Demo reviewers, appointments, contribution requests in every status and a merged chronology,
built through the services like everything else in the demo."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

from werkzeug.datastructures import FileStorage

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review

MARKER = "Demo: contributions loaded"
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

POLICE_EVENTS = [
    (
        "Response officer",
        "Called to the flat after a neighbour reported shouting; mother said all was well.",
        "Missed chance to ask about the baby",
    ),
    ("Neighbourhood officer", "Community visit; no answer at the door.", "Routine"),
    (
        "Call handler",
        "Anonymous call about a crying baby left alone; logged, no attendance.",
        "Should have been graded for attendance",
    ),
    (
        "Domestic abuse officer",
        "Risk assessment completed with mother at the station: medium risk.",
        "Assessment did not cover the children",
    ),
    (
        "Response officer",
        "Father arrested after an assault on mother; baby present.",
        "Child protection referral made the same day",
    ),
]
SOCIAL_CARE_EVENTS = [
    ("Duty social worker", "Referral from police received and screened.", "Threshold for assessment met"),
    ("Social worker", "Home visit; baby seen asleep, not undressed.", "Bruising would not have been seen"),
    (
        "Team manager",
        "Strategy discussion with police and health; section 47 enquiry agreed.",
        "Key decision point",
    ),
    ("Social worker", "Assessment closed after father moved out.", "Relied on mother's account"),
]
HEALTH_EVENTS = [
    ("Health visitor", "New birth visit; weight gain on track.", "No concerns recorded"),
    (
        "Emergency department nurse",
        "Baby brought in with a bruise to the cheek; explanation accepted.",
        "Non-mobile infant bruising protocol not followed",
    ),
    (
        "Paediatric registrar",
        "Skeletal survey after admission shows older fractures.",
        "Safeguarding referral made",
    ),
]


def _entries(
    request: ContributionRequest, events: list[tuple[str, str, str]], start: date, lead: User
) -> None:
    for number in range(12):
        role, event, significance = events[number % len(events)]
        when = start + timedelta(days=11 * number + 3 * (number % 4))
        contributions.add_chronology_entry(
            request,
            ChronologyRow(when, time(9 + number % 8, 15) if number % 3 else None, role, event, significance),
            lead,
        )


def load_demo_contributions(manager: User) -> list[str]:
    reviews = {r.pseudonym: r for r in db.session.execute(db.select(Review)).scalars()}
    child_d, adult_g = reviews.get("Child D"), reviews.get("Adult G")
    if child_d is None or adult_g is None or child_d.assignments:
        return []  # not the demo database, or already loaded
    agency = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    jo, sam = users["reviewer@northshire.example"], users["reviewer2@northshire.example"]
    police_lead = users["police.lead@northshire.example"]
    health_lead = users["health.lead@northshire.example"]
    care_lead = users["socialcare.lead@northshire.example"]
    police, care = agency["Northshire Police"], agency["Northshire Children's Social Care"]
    health, gp = agency["Northshire Hospitals NHS Foundation Trust"], agency["Riverside Medical Practice"]
    housing = agency["Northshire Housing Partnership"]

    # Jo Reid worked at the GP practice until two years ago: a conflict on Child D once the GP
    # joins its scope.
    appointments.save_profile(jo, "Reid Safeguarding Consultancy")
    appointments.add_affiliation(
        jo,
        gp,
        uk_today() - timedelta(days=9 * 365),
        uk_today() - timedelta(days=2 * 365),
        "Employed as practice safeguarding lead",
    )
    appointments.save_profile(sam, "Independent")
    for extra, note in (
        (gp, "The family's GP"),
        (health, "Emergency department and health visiting"),
        (housing, "The family's landlord"),
    ):
        appointments.add_to_scope(child_d, extra, note, child_d.version)
    lead_d = appointments.assign_reviewer(child_d, sam, AssignmentRole.LEAD, manager)
    appointments.accept_appointment(lead_d, sam, declared=True)
    lead_g = appointments.assign_reviewer(adult_g, jo, AssignmentRole.LEAD, manager)
    appointments.accept_appointment(lead_g, jo, declared=True)

    due = contributions.default_due_date(child_d)
    ask = "Your agency's contact with the family during the scope period."
    chronology = {
        a.name: contributions.request_contributions(
            child_d, [a], ContributionKind.CHRONOLOGY, ask, due, manager
        )[0]
        for a in (police, care, health)
    }
    start = child_d.terms.scope_from if child_d.terms else uk_today() - timedelta(days=400)
    for name, events, lead in (
        ("Northshire Police", POLICE_EVENTS, police_lead),
        ("Northshire Children's Social Care", SOCIAL_CARE_EVENTS, care_lead),
        ("Northshire Hospitals NHS Foundation Trust", HEALTH_EVENTS, health_lead),
    ):
        _entries(chronology[name], events, start, lead)
        contributions.submit_request(chronology[name], "Chronology from our case records.", lead, None)
    contributions.accept_request(chronology["Northshire Police"], manager, None)
    contributions.accept_request(chronology["Northshire Hospitals NHS Foundation Trust"], manager, None)
    # Children's social care stays submitted, waiting for the partnership.

    report = contributions.request_contributions(
        child_d,
        [police],
        ContributionKind.AGENCY_REPORT,
        "An analysis of your agency's practice.",
        due,
        manager,
    )[0]
    upload = FileStorage(
        io.BytesIO(TINY_PDF), filename="police-agency-report-draft.pdf", content_type="application/pdf"
    )
    contributions.attach_document(report, upload, police_lead)
    contributions.submit_request(report, "First draft.", police_lead, None)
    contributions.return_request(
        report, "Please analyse the decision not to attend the anonymous call.", manager, None
    )

    gp_report = contributions.request_contributions(
        child_d, [gp], ContributionKind.AGENCY_REPORT, "An analysis of your practice's contact.", due, manager
    )[0]
    # Demo only: backdate one request so the overdue state shows.
    gp_report.due_on = uk_today() - timedelta(days=5)

    housing_docs = contributions.request_contributions(
        child_d, [housing], ContributionKind.DOCUMENTS, "Tenancy records.", due, manager
    )[0]
    contributions.withdraw_request(
        housing_docs, "The tenancy records are not needed after all.", manager, None
    )
    db.session.flush()
    return [
        f"contributions for {child_d.reference} and appointments on {child_d.reference}, {adult_g.reference}"
    ]
