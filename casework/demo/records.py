"""Demo registers: Child E's pause caused by a criminal prosecution on its register; Child D's
monitoring log with a written request to its lead reviewer, and the family's involvement; and
Child P, a CSPR with no local review whose rapid review's learning became a small action plan.
Built through the services like the rest of the demo; each part is added once."""

from __future__ import annotations

from datetime import date, timedelta

from casework.actions import services as actions
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo.reviews import demo_decision, demo_referral
from casework.reviews.models import (
    DecisionOutcome,
    FamilyContact,
    FamilyContactKind,
    MonitoringEntry,
    MonitoringKind,
    PanelResponse,
    ParallelProcess,
    ProcessKind,
    ProcessStatus,
    RapidReviewRecommendation,
    Review,
    ReviewType,
)
from casework.reviews.records import family, monitoring, processes
from casework.reviews.referral.rapid_review import (
    RapidReviewDetails,
    begin_rapid_review,
    complete_rapid_review,
    save_rapid_review,
)

CORONER = "Northshire Coroner's Office"


def load_demo_records(manager: User) -> list[str]:
    reviews = {r.pseudonym: r for r in db.session.execute(db.select(Review)).scalars()}
    added: list[str] = []
    child_e, child_d = reviews.get("Child E"), reviews.get("Child D")
    if child_e is not None and not _has(ParallelProcess, child_e):
        added += _prosecution(child_e, manager)
    if child_d is not None and not _has(MonitoringEntry, child_d) and monitoring.lead_reviewer(child_d):
        added += _monitoring(child_d, manager)
    if child_d is not None and not _has(FamilyContact, child_d):
        added += _family(child_d, manager)
    if "Child P" not in reviews:
        added += _no_review_learning(manager)
    return added


def demo_inquest(
    review: Review, description: str, status: ProcessStatus, by: User, **dates: date
) -> ParallelProcess:
    """An inquest by the demo's coroner on the review's register; ``dates``: when it started and
    when it is expected to end, where known."""
    details = processes.ProcessDetails(
        kind=ProcessKind.INQUEST,
        description=description,
        status=status,
        contact_organisation=CORONER,
        **dates,
    )
    return processes.add_process(review, details, by)


def _has(model: type[ParallelProcess | MonitoringEntry | FamilyContact], review: Review) -> bool:
    return db.session.execute(db.select(model.id).where(model.review_id == review.id)).first() is not None


def _prosecution(review: Review, manager: User) -> list[str]:
    pause = review.open_pause or (review.pauses[-1] if review.pauses else None)
    started = pause.started_on - timedelta(days=10) if pause else uk_today() - timedelta(days=100)
    process = processes.add_process(
        review,
        processes.ProcessDetails(
            kind=ProcessKind.CRIMINAL,
            description="Prosecution of the father, Northshire Crown Court",
            status=ProcessStatus.UNDER_WAY,
            started_on=started,
            expected_end_on=uk_today() + timedelta(days=120),
            contact_name="DI Rowe",
            contact_organisation="Northshire Police, Major Crime",
            contact_details="major.crime@northshire-police.example",
            notes="The police ask that practitioners are not interviewed before the trial.",
        ),
        manager,
    )
    demo_inquest(review, "Inquest opened and adjourned", ProcessStatus.EXPECTED, manager)
    if pause is not None and pause.process is None:
        processes.name_pause_cause(review, pause, process)
    return [f"parallel processes of {review.reference}"]


def _monitoring(review: Review, manager: User) -> list[str]:
    today = uk_today()
    monitoring.add_entry(
        review,
        MonitoringKind.MONITORING,
        today - timedelta(days=14),
        "Review group: the chronologies are late from two agencies; the timetable still holds if they "
        "arrive this month. The scope and method remain right.",
        manager,
    )
    monitoring.add_entry(
        review,
        MonitoringKind.WRITTEN_REQUEST,
        today - timedelta(days=7),
        "Please send the partners a short note of the emerging findings before the practitioner "
        "learning event, and confirm the date of the first draft.",
        manager,
    )
    return [f"monitoring log of {review.reference}"]


def _family(review: Review, manager: User) -> list[str]:
    aware = review.referral.became_aware_on
    start = max(aware, uk_today() - timedelta(days=60))
    for days, kind, who, how, summary in (
        (0, FamilyContactKind.CONTACT, "Mother", "Letter", "Told of the review and invited to take part."),
        (7, FamilyContactKind.CONSENT, "Mother", "Home visit", "Agreed to meet the reviewer; no recording."),
        (10, FamilyContactKind.TERMS_INPUT, "Mother", "Home visit", "Asked the review to look at housing."),
    ):
        family.add_contact(
            review,
            family.ContactDetails(
                kind=kind,
                happened_on=min(start + timedelta(days=days), uk_today()),
                who=who,
                how=how,
                summary=summary,
            ),
            manager,
        )
    return [f"family involvement of {review.reference}"]


def _no_review_learning(manager: User) -> list[str]:
    cspr = db.session.execute(db.select(ReviewType).where(ReviewType.code == "CSPR")).scalar_one_or_none()
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    leads = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    police, lead = agencies.get("Northshire Police"), leads.get("police.lead@northshire.example")
    if cspr is None or police is None or lead is None:
        return []
    aware = uk_today() - timedelta(days=70)
    story = "A toddler was admitted after swallowing a parent's medication."
    review = demo_referral(cspr, "Child P", story, aware, 3, police, manager)
    begin_rapid_review(review, review.version)
    meeting = aware + timedelta(days=12)
    save_rapid_review(
        review,
        RapidReviewDetails(
            meeting_on=meeting,
            facts_established="Single-agency contact; the medication was not stored safely.",
            immediate_safety_actions="- Safe storage advice given to the family by the health visitor",
            learning_identified="- Police officers attending domestic incidents do not ask about medication "
            "stored within a child's reach\n- Safe storage advice is not part of the police's referral",
            key_practice_episodes="The police attendance three weeks before the admission.",
            recommendation=RapidReviewRecommendation.NO_LOCAL_REVIEW,
            sent_to_panel_on=meeting + timedelta(days=2),
            panel_response=PanelResponse.AGREES_LOCAL,
            panel_responded_on=meeting + timedelta(days=12),
            contributing_agencies=[police],
        ),
        review.version,
    )
    complete_rapid_review(review, review.version)
    demo_decision(review, manager, meeting + timedelta(days=15), DecisionOutcome.NO_REVIEW)
    kept = actions.keep_learning(review, actions.learning_lines(review), manager)
    actions.add_action(
        kept[0],
        "Add a question about medicines within a child's reach to the domestic incident checklist.",
        police,
        lead,
        uk_today() + timedelta(days=60),
        "Checklist audit shows the question answered at nine in ten attendances.",
        manager,
    )
    return [f"review {review.reference} (Child P), no review, its learning kept"]
