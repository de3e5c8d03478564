"""The record of how a review's learning reached practice: the approved briefing sent to agencies
and each agency lead's acknowledgement, learning events with attendance by agency, and practice
audits some months later linked to the recommendations they test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from casework.actions.models import Recommendation
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.display import format_date, plural
from casework.core.errors import ConcurrentEditError, DomainError, check_version
from casework.core.extensions import db
from casework.core.timeutil import UK, utcnow
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.learning.models import (
    AuditResult,
    BriefingRecipient,
    EventAttendance,
    EventKind,
    LearningBriefing,
    LearningEvent,
    PracticeAudit,
)
from casework.reviews.learning.services import briefing_of
from casework.reviews.lifecycle import on_timeline
from casework.reviews.models import Review
from casework.reviews.publication.checks import require_manager

MAX_ATTENDING = 10000  # more from one agency at one event is a typing slip


# --- sending the briefing and acknowledging it ---------------------------------------------


def send_briefing(
    review: Review, agencies: list[Agency], sent_on: date | None, by: User
) -> list[BriefingRecipient]:
    require_manager(review, by)
    briefing = briefing_of(review)
    if briefing is None or not briefing.is_approved:
        raise DomainError("Approve the briefing before recording who it was sent to")
    required(agencies, "agencies", "Select the agencies the briefing was sent to")
    required(sent_on, "sent_on", "Enter the date the briefing was sent")
    not_future(sent_on, "sent_on", "The date it was sent")
    assert briefing.approved_at is not None
    approved_on = briefing.approved_at.astimezone(UK).date()
    not_before(
        sent_on,
        approved_on,
        "sent_on",
        f"The briefing cannot have been sent before it was approved ({format_date(approved_on)})",
    )
    already = {
        recipient.agency_id: recipient
        for recipient in db.session.execute(
            db.select(BriefingRecipient).where(BriefingRecipient.review_id == review.id)
        ).scalars()
    }
    repeated = [agency for agency in agencies if agency.id in already]
    if repeated:
        said = "; ".join(f"{a.name} on {format_date(already[a.id].sent_on)}" for a in repeated)
        raise DomainError(f"The briefing was already sent to {said}", field="agencies")
    assert sent_on is not None
    recipients = [
        BriefingRecipient(review_id=review.id, agency_id=agency.id, sent_on=sent_on, sent_by_id=by.id)
        for agency in agencies
    ]
    db.session.add_all(recipients)
    on_timeline(
        review,
        "briefing_sent",
        f"7-minute briefing sent to {', '.join(agency.name for agency in agencies)}",
        details={"on": sent_on.isoformat(), "count": len(agencies)},
    )
    return recipients


def acknowledge_briefing(recipient: BriefingRecipient, by: User, version: int | None) -> None:
    if not recipient.can_acknowledge(by):
        raise DomainError("Only a lead of the agency the briefing was sent to can acknowledge it")
    check_version(recipient, version, "this briefing's acknowledgement")
    if recipient.acknowledged_at is not None:
        raise DomainError("Your agency has already acknowledged this briefing")
    recipient.acknowledged_by_id, recipient.acknowledged_at = by.id, utcnow()
    on_timeline(
        recipient.review,
        "briefing_acknowledged",
        f"{recipient.agency.name} acknowledged the 7-minute briefing",
    )


def briefings_for_agency(user: User) -> Select[tuple[BriefingRecipient]]:
    """The briefings sent to the user's agency, those still to acknowledge first (a query, for
    the list to page)."""
    return (
        db.select(BriefingRecipient)
        .where(BriefingRecipient.agency_id == user.agency_id, BriefingRecipient.agency_id.is_not(None))
        .options(joinedload(BriefingRecipient.briefing).joinedload(LearningBriefing.review))
        .order_by(
            BriefingRecipient.acknowledged_at.is_not(None),
            BriefingRecipient.sent_on.desc(),
            BriefingRecipient.id.desc(),
        )
    )


# --- learning events -------------------------------------------------------------------------


@dataclass
class EventDetails:
    title: str = ""
    held_on: date | None = None
    kind: EventKind | None = None
    notes: str = ""
    attendance: dict[int, int] = field(default_factory=dict)  # agency id -> number attending


def record_event(review: Review, details: EventDetails, by: User) -> LearningEvent:
    require_manager(review, by)
    required(details.title, "title", "Enter the event's title")
    required(details.held_on, "held_on", "Enter the date of the event")
    not_future(details.held_on, "held_on", "The date of the event")
    required(details.kind, "kind", "Select the kind of event")
    if any(count < 0 for count in details.attendance.values()):
        raise DomainError("The number attending cannot be negative", field="attendance")
    if any(count > MAX_ATTENDING for count in details.attendance.values()):
        raise DomainError(
            f"The number attending from one agency must be {MAX_ATTENDING} or fewer", field="attendance"
        )
    attending = {agency_id: count for agency_id, count in details.attendance.items() if count > 0}
    if not attending:
        raise DomainError("Enter how many attended from at least one agency", field="attendance")
    known = set(db.session.execute(db.select(Agency.id).where(Agency.id.in_(attending))).scalars())
    if set(attending) - known:
        raise DomainError("Enter attendance only for agencies in the directory", field="attendance")
    assert details.held_on is not None and details.kind is not None
    event = LearningEvent(
        review_id=review.id,
        title=details.title.strip(),
        held_on=details.held_on,
        kind=details.kind,
        notes=details.notes.strip(),
        recorded_by_id=by.id,
        attendance=[
            EventAttendance(agency_id=agency_id, attended=count) for agency_id, count in attending.items()
        ],
    )
    db.session.add(event)
    on_timeline(
        review,
        "learning_event_recorded",
        f"Learning event recorded: {event.title}",
        details={
            "on": event.held_on.isoformat(),
            "kind": event.kind.value,
            "attended": sum(attending.values()),
        },
    )
    return event


# --- practice audits -------------------------------------------------------------------------


@dataclass
class AuditDetails:
    tested: str = ""
    planned_on: date | None = None
    carried_out_on: date | None = None
    findings: str = ""
    result: AuditResult | None = None
    recommendation_ids: set[int] = field(default_factory=set)


def _recommendations_of(review: Review, ids: set[int]) -> list[Recommendation]:
    required(sorted(ids), "recommendations", "Select the recommendations the audit tests")
    chosen = list(
        db.session.execute(
            db.select(Recommendation).where(Recommendation.id.in_(ids)).order_by(Recommendation.number)
        ).scalars()
    )
    if len(chosen) != len(ids) or any(recommendation.review_id != review.id for recommendation in chosen):
        raise DomainError("Select recommendations of this review", field="recommendations")
    return chosen


def _checked(review: Review, details: AuditDetails) -> list[Recommendation]:
    required(
        details.tested, "tested", "Say what the audit tests, for example referrals of bruising in babies"
    )
    required(details.planned_on, "planned_on", "Enter the date the audit is planned for")
    not_future(details.carried_out_on, "carried_out_on", "The date the audit was carried out")
    if details.result is not None and details.carried_out_on is None:
        raise DomainError(
            "Enter the date the audit was carried out, or leave the result blank", field="carried_out_on"
        )
    if details.carried_out_on is not None and details.result is None:
        raise DomainError("Select the audit's result", field="result")
    return _recommendations_of(review, details.recommendation_ids)


def _fill(audit: PracticeAudit, details: AuditDetails, recommendations: list[Recommendation]) -> None:
    assert details.planned_on is not None
    audit.tested, audit.planned_on, audit.carried_out_on = (
        details.tested.strip(),
        details.planned_on,
        details.carried_out_on,
    )
    audit.findings, audit.result = details.findings.strip(), details.result
    audit.recommendations = recommendations


def add_audit(review: Review, details: AuditDetails, by: User) -> PracticeAudit:
    require_manager(review, by)
    recommendations = _checked(review, details)
    audit = PracticeAudit(review_id=review.id, recorded_by_id=by.id)
    _fill(audit, details, recommendations)
    db.session.add(audit)
    on_timeline(review, "practice_audit_recorded", "Practice audit recorded", details=_audit_details(audit))
    return audit


def update_audit(
    review: Review, audit: PracticeAudit, details: AuditDetails, by: User, version: int | None
) -> PracticeAudit:
    require_manager(review, by)
    check_version(audit, version, "this audit")
    recommendations = _checked(review, details)
    _fill(audit, details, recommendations)
    try:
        db.session.flush()
    except StaleDataError as error:  # another save went first
        raise ConcurrentEditError("this audit") from error
    on_timeline(review, "practice_audit_updated", "Practice audit updated", details=_audit_details(audit))
    return audit


def _audit_details(audit: PracticeAudit) -> dict[str, object]:
    return {
        "planned_on": audit.planned_on.isoformat(),
        "on": audit.carried_out_on.isoformat() if audit.carried_out_on else None,
        "result": audit.result.value if audit.result else None,
        "recommendations": [recommendation.number for recommendation in audit.recommendations],
    }


# --- the record, for its page ------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyAttendance:
    agency: str
    attended: int


@dataclass
class Dissemination:
    briefing: LearningBriefing | None
    recipients: list[BriefingRecipient]
    events: list[LearningEvent]
    audits: list[PracticeAudit]

    @property
    def acknowledged(self) -> int:
        return sum(1 for recipient in self.recipients if recipient.is_acknowledged)

    @property
    def counts(self) -> str:
        sent = len(self.recipients)
        return f"Sent to {plural(sent, 'agency', 'agencies')}; {self.acknowledged} of {sent} acknowledged"

    @property
    def attendance_by_agency(self) -> list[AgencyAttendance]:
        totals: dict[str, int] = {}
        for event in self.events:
            for row in event.attendance:
                totals[row.agency.name] = totals.get(row.agency.name, 0) + row.attended
        return [
            AgencyAttendance(name, count)
            for name, count in sorted(totals.items(), key=lambda t: (-t[1], t[0]))
        ]

    @property
    def total_attending(self) -> int:
        return sum(event.total_attending for event in self.events)


def dissemination_of(review: Review) -> Dissemination:
    """Everything the page shows, in four queries (and one for each audit's recommendations and
    each event's attendance, by selectin: a fixed number whatever the data)."""
    recipients = db.session.execute(
        db.select(BriefingRecipient)
        .join(Agency, Agency.id == BriefingRecipient.agency_id)
        .where(BriefingRecipient.review_id == review.id)
        .options(joinedload(BriefingRecipient.agency), joinedload(BriefingRecipient.acknowledged_by))
        .order_by(Agency.name)
    ).scalars()
    events = db.session.execute(
        db.select(LearningEvent)
        .where(LearningEvent.review_id == review.id)
        .options(selectinload(LearningEvent.attendance).joinedload(EventAttendance.agency))
        .order_by(LearningEvent.held_on.desc(), LearningEvent.id.desc())
    ).scalars()
    audits = db.session.execute(
        db.select(PracticeAudit)
        .where(PracticeAudit.review_id == review.id)
        .options(selectinload(PracticeAudit.recommendations))
        .order_by(PracticeAudit.planned_on, PracticeAudit.id)
    ).scalars()
    return Dissemination(briefing_of(review), list(recipients), list(events), list(audits))
