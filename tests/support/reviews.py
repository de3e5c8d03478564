"""Review builders: the seeded review types, and real reviews built through the services.

Call them inside ``with app.app_context():``; what they return keeps its loaded attributes (and
the review's type, clocks, steps, agencies and deadlines) usable after the context ends, unless
a later commit in the same context expires them.
"""

from __future__ import annotations

import functools
import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy import inspect

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.clock import Deadline, deadlines_for
from casework.reviews.drafts import services as drafts
from casework.reviews.models import (
    AssignmentRole,
    DecisionOutcome,
    PanelResponse,
    QualityStep,
    RapidReviewRecommendation,
    Review,
    ReviewMandate,
    ReviewType,
)
from casework.reviews.notices import services as notices
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.commissioning import TermsDetails, commission_review
from casework.reviews.referral.decision import DecisionDetails, record_decision
from casework.reviews.referral.rapid_review import (
    RapidReviewDetails,
    begin_rapid_review,
    complete_rapid_review,
    refer_for_decision,
    save_rapid_review,
)
from casework.reviews.referral.referral import ReferralDetails, create_referral
from casework.reviews.stages import ReviewStage
from tests.support.files import docx_with, upload
from tests.support.people import make_agency, make_user

_pseudonyms = itertools.count(1)
_DEFAULT: Any = object()

# The stages make_review can reach through the services, in the order a review reaches them.
REACHABLE_STAGES = (
    ReviewStage.REFERRAL,
    ReviewStage.RAPID_REVIEW,
    ReviewStage.DECISION,
    ReviewStage.COMMISSIONING,
    ReviewStage.AWAITING_REVIEWER,
    ReviewStage.NO_REVIEW,
    ReviewStage.NATIONAL_REVIEW,
)
# The stages after commissioning make_review reaches too, each from the one before: a lead
# reviewer appointed and accepted; a draft uploaded; the draft marked final; the report published.
LATER_STAGES = (
    ReviewStage.CONTRIBUTIONS,
    ReviewStage.DRAFTING,
    ReviewStage.PUBLICATION,
    ReviewStage.ACTION_PLANNING,
)
# The report a built review's lead reviewer uploads: nothing in it identifies anyone.
CLEAN_REPORT = ("Child A was seven months old.", "Agencies did not share what they knew.")

# The dates make_review records, in order, each with its default gap in days after the latest
# date before it (given or not), never later than today. The incident defaults to 60 days ago.
INCIDENT_DAYS_AGO = 60
DATE_CHAIN: tuple[tuple[str, int], ...] = (
    ("incident_on", 0),
    ("became_aware_on", 4),
    ("panel_notified_on", 2),  # a CSPR only
    ("meeting_on", 9),
    ("sent_to_panel_on", 1),
    ("panel_responded_on", 9),
    ("decided_on", 5),
    ("commissioned_on", 10),
)
DATE_NAMES = frozenset(name for name, _ in DATE_CHAIN) | {
    "scope_from",
    "scope_to",
    "target_completion_on",
    "la_became_aware_on",
}


def load(instance: Any) -> Any:
    """Load every column of an instance (it may have been expired by a commit)."""
    if instance is not None:
        for attribute in inspect(instance).mapper.column_attrs:
            getattr(instance, attribute.key)
    return instance


def review_type(code: str) -> ReviewType:
    """The seeded review type with this code (CSPR, SAR, DHR), its clocks loaded."""
    found = db.session.execute(db.select(ReviewType).where(ReviewType.code == code)).scalar_one()
    load(found)
    for clock in found.clocks:
        load(clock)
    return found


def _user(by: User | None) -> User:
    if by is None:
        return make_user(Role.BOARD_MANAGER)
    return db.session.get(User, by.id) or by


def review_dates(code: str = "CSPR", **overrides: date | None) -> dict[str, date | None]:
    """The dates make_review would record: each follows the one before it, none in the future."""
    unknown = set(overrides) - DATE_NAMES
    if unknown:
        raise TypeError(f"make_review() does not record {', '.join(sorted(unknown))}")
    today = uk_today()
    dates: dict[str, date | None] = {}
    for name, gap in DATE_CHAIN:
        if name in overrides:
            dates[name] = overrides[name]
        elif name == "panel_notified_on" and code != "CSPR":
            dates[name] = None  # only a CSPR is notified to the Panel
        elif not dates:
            dates[name] = today - timedelta(days=INCIDENT_DAYS_AGO)
        else:
            latest = max(value for value in dates.values() if value is not None)
            dates[name] = min(latest + timedelta(days=gap), today)
    dates["scope_from"] = overrides.get("scope_from", dates["incident_on"] - timedelta(days=365))  # type: ignore[operator]
    dates["scope_to"] = overrides.get("scope_to", dates["incident_on"])
    dates["target_completion_on"] = overrides.get("target_completion_on")  # None: the clock's due date
    dates["la_became_aware_on"] = overrides.get("la_became_aware_on")  # None: not recorded (a CSPR only)
    return dates


def make_review(
    code: str = "CSPR",
    stage: ReviewStage | str = ReviewStage.REFERRAL,
    by: User | None = None,
    *,
    panel_response: PanelResponse | None = _DEFAULT,
    agencies: list[Agency] | None = None,
    pseudonym: str | None = None,
    reviewer: User | None = None,
    report: bytes | None = None,
    looked_after_child_died: bool = False,
    **dates: date | None,
) -> Review:
    """A review of type ``code`` taken to ``stage`` through the service functions, then committed.

    Stages: referral, rapid_review (CSPR: started, nothing recorded yet), decision (CSPR: rapid
    review recorded, sent to the Panel and answered, completed), commissioning (local review
    decided), awaiting_reviewer (commissioned), no_review, national_review (CSPR only).
    ``looked_after_child_died`` and ``la_became_aware_on`` (a CSPR only) go on the referral.
    ``panel_response``: the Panel's answer recorded with a CSPR's rapid review (default: it will
    do a national review when ``stage`` is national_review, else it agrees with the local
    decision; None: no answer yet). Dates (see DATE_CHAIN) default to a plausible past sequence.
    Past awaiting_reviewer (LATER_STAGES): ``reviewer`` (default: a new one) is appointed lead and
    accepts (contributions); uploads ``report`` (default: a DOCX of CLEAN_REPORT) as a draft
    (drafting); it is marked final, signed off on the commissioning day (publication); checked,
    described and published today (action_planning). Uploads go to the app's UPLOAD_FOLDER.
    """
    stage = ReviewStage(stage)
    if stage not in REACHABLE_STAGES + LATER_STAGES:
        raise ValueError(f"make_review cannot reach {stage.value}: no service leads there yet")
    kind = review_type(code)
    if not kind.has_stage(stage):
        raise ValueError(f"A {code} has no {stage.value} stage")
    on = review_dates(code, **dates)
    user = _user(by)
    involved = agencies if agencies is not None else [make_agency()]
    involved = [db.session.get(Agency, agency.id) or agency for agency in involved]
    if panel_response is _DEFAULT:
        panel_response = (
            PanelResponse.NATIONAL_REVIEW
            if stage == ReviewStage.NATIONAL_REVIEW
            else PanelResponse.AGREES_LOCAL
        )

    first = ReviewStage.AWAITING_REVIEWER if stage in LATER_STAGES else stage
    review = _build(kind, first, on, user, involved, panel_response, pseudonym, looked_after_child_died)
    for later in LATER_STAGES[: LATER_STAGES.index(stage) + 1] if stage in LATER_STAGES else ():
        _take_later_step(review, later, user, reviewer, report)
    assert review.stage == stage, (review.stage, stage)
    # Loaded before the commit, from what the build already holds, and kept by the commit rather
    # than read again row by row: the rows are what this session wrote.
    db.session.flush()
    loaded_review(review)
    committed_as_loaded()
    return review


def review_aware_on(
    code: str,
    incident_on: date,
    became_aware_on: date,
    stage: ReviewStage | str = ReviewStage.REFERRAL,
    by: User | None = None,
    **more: Any,
) -> Review:
    """make_review with the incident and the day the partnership became aware of it given: the
    day the review's rules and clocks are worked out from."""
    return make_review(code, stage, by, incident_on=incident_on, became_aware_on=became_aware_on, **more)


def _build(
    kind: ReviewType,
    stage: ReviewStage,
    on: dict[str, date | None],
    user: User,
    involved: list[Agency],
    panel_response: PanelResponse | None,
    pseudonym: str | None,
    looked_after_child_died: bool = False,
) -> Review:
    review = create_referral(
        kind,
        ReferralDetails(
            pseudonym=pseudonym or f"Child {next(_pseudonyms)}",
            incident_on=on["incident_on"],  # type: ignore[arg-type]
            incident_description="Admitted to hospital with injuries that were not explained.",
            became_aware_on=on["became_aware_on"],  # type: ignore[arg-type]
            panel_notified_on=on["panel_notified_on"],
            la_became_aware_on=on["la_became_aware_on"],
            looked_after_child_died=looked_after_child_died,
            notifying_organisation="Northshire Council",
            notifying_person="Head of Children's Services",
            known_agencies=involved,
        ),
        user,
    )
    # the main-path stages to walk through, up to the stage asked for (an ending: up to the decision)
    target = ReviewStage.DECISION if stage.is_ending else stage
    path = [s for s in REACHABLE_STAGES[:5] if kind.has_stage(s)]
    for step in path[1 : path.index(target) + 1]:
        _take_step(review, step, on, user, involved, stage, panel_response)
    if stage.is_ending:
        outcome = (
            DecisionOutcome.NO_REVIEW if stage == ReviewStage.NO_REVIEW else DecisionOutcome.NATIONAL_REVIEW
        )
        record_decision(review, decision_details(kind, outcome, on["decided_on"]), review.version, user)
    return review


def _take_step(
    review: Review,
    step: ReviewStage,
    on: dict[str, date | None],
    user: User,
    agencies: list[Agency],
    final: ReviewStage,
    panel_response: PanelResponse | None,
) -> None:
    kind = review.review_type
    if step == ReviewStage.RAPID_REVIEW:
        begin_rapid_review(review, review.version)
    elif step == ReviewStage.DECISION and kind.has_stage(ReviewStage.RAPID_REVIEW):
        recommendation = {
            ReviewStage.NO_REVIEW: RapidReviewRecommendation.NO_LOCAL_REVIEW,
            ReviewStage.NATIONAL_REVIEW: RapidReviewRecommendation.NATIONAL_REVIEW,
        }.get(final, RapidReviewRecommendation.LOCAL_REVIEW)
        save_rapid_review(
            review, rapid_review_details(on, recommendation, panel_response, agencies), review.version
        )
        complete_rapid_review(review, review.version)
    elif step == ReviewStage.DECISION:
        refer_for_decision(review, review.version)
    elif step == ReviewStage.COMMISSIONING:
        details = decision_details(kind, DecisionOutcome.LOCAL_REVIEW, on["decided_on"])
        record_decision(review, details, review.version, user)
    elif step == ReviewStage.AWAITING_REVIEWER:
        commission_review(review, terms_details(on, agencies), review.version, user)


def _take_later_step(
    review: Review, step: ReviewStage, manager: User, reviewer: User | None, report: bytes | None
) -> None:
    signed_off = review.terms.commissioned_on if review.terms else None
    if step == ReviewStage.CONTRIBUTIONS:
        lead = make_user(Role.REVIEWER) if reviewer is None else _user(reviewer)
        assignment = appointments.assign_reviewer(review, lead, AssignmentRole.LEAD, manager)
        appointments.accept_appointment(assignment, lead, declared=True)  # starts contributions
    elif step == ReviewStage.DRAFTING:
        lead = next(a.reviewer for a in review.assignments if a.role == AssignmentRole.LEAD)
        content = report if report is not None else clean_report()
        drafts.upload_draft(review, upload(content, "report.docx"), "First draft", lead, None)
    elif step == ReviewStage.PUBLICATION:
        drafts.mark_final(review, signed_off, manager, None)
    elif step == ReviewStage.ACTION_PLANNING:
        check = checks.run_anonymisation_check(review, manager)
        assert check.passed, "the report make_review publishes must pass the anonymisation check"
        steps = (review.review_type.publication_rules or {}).get("steps", [])
        publication_details(
            review,
            manager,
            sent=signed_off if "sent_to_panel" in steps else None,
            approved=signed_off if "home_office_approval" in steps else None,
        )
        publishing.publish_review(review, uk_today(), manager, None)


@functools.cache
def clean_report() -> bytes:
    """The DOCX of CLEAN_REPORT, made once: building a document costs more than the rest of a step."""
    return docx_with(*CLEAN_REPORT)


def publication_details(
    review: Review, by: User, *, sent: date | None = None, approved: date | None = None
) -> None:
    """Save what the public register shows of ``review``, sent to the Panel and approved by the Home
    Office on the days given (None: not recorded)."""
    if approved is not None:  # through the Home Office loop: submitted, then approved
        notices.record_home_office_step(review, QualityStep.SUBMITTED, approved, "", by)
        notices.record_home_office_step(review, QualityStep.APPROVED, approved, "", by)
    publishing.save_publication_details(
        review,
        sent_to_panel_on=sent,
        public_summary="A seven-month-old baby was seriously injured.",
        learning="Share bruising concerns.",
        public_recommendations="1. Refer every bruise in a non-mobile baby.",
        by=by,
    )


def rapid_review_details(
    on: dict[str, date | None],
    recommendation: RapidReviewRecommendation | None = RapidReviewRecommendation.LOCAL_REVIEW,
    panel_response: PanelResponse | None = PanelResponse.AGREES_LOCAL,
    agencies: list[Agency] | None = None,
) -> RapidReviewDetails:
    return RapidReviewDetails(
        meeting_on=on["meeting_on"],
        facts_established="The child was seen by three agencies in the month before.",
        immediate_safety_actions="Siblings seen and safe; strategy discussion held.",
        learning_identified="Information about the new partner was not shared.",
        recommendation=recommendation,
        sent_to_panel_on=on["sent_to_panel_on"],
        panel_response=panel_response,
        panel_responded_on=on["panel_responded_on"] if panel_response else None,
        contributing_agencies=list(agencies or []),
    )


def decision_details(
    kind: ReviewType, outcome: DecisionOutcome, decided_on: date | None, **changes: Any
) -> DecisionDetails:
    local = outcome == DecisionOutcome.LOCAL_REVIEW
    # A SAR's local review is mandatory by default: every condition of s44(1)-(3) is met.
    mandatory = local and kind.has_mandate
    values: dict[str, Any] = {
        "outcome": outcome,
        "mandate": ReviewMandate.MANDATORY if mandatory else None,
        "criteria_met": (
            [c["key"] for c in kind.decision_criteria if "until" not in c]
            if mandatory
            else [kind.decision_criteria[0]["key"]]
            if local
            else []
        ),
        "regard_had_to": [],
        "rationale": "Agencies did not share what they knew about the risk to the child.",
        "decided_on": decided_on,
        "decided_by": "The three safeguarding partners",
    }
    return DecisionDetails(**(values | changes))


def terms_details(on: dict[str, date | None], agencies: list[Agency], **changes: Any) -> TermsDetails:
    values: dict[str, Any] = {
        "scope_from": on["scope_from"],
        "scope_to": on["scope_to"],
        "key_lines_of_enquiry": "How was the risk from the new partner assessed?",
        "method": "Systems approach with a practitioner learning event",
        "family_involvement": "The mother and grandmother will be invited to meet the reviewer.",
        "target_completion_on": on["target_completion_on"],
        "commissioned_on": on["commissioned_on"],
        "agencies_in_scope": list(agencies),
    }
    return TermsDetails(**(values | changes))


def committed_as_loaded() -> None:
    """Commit, keeping what the session has loaded (a commit otherwise expires it all)."""
    session = db.session()  # the session itself: the scoped proxy would take the setting as its own
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def loaded_review(review: Review) -> Review:
    """Load the review and what hangs off it, so it can be read after the app context ends."""
    load(review)
    kind = load(review.review_type)  # its clocks with it, as review_type() loads them
    for clock in kind.clocks:
        load(clock)
    for step in (review.referral, review.rapid_review, review.decision, review.terms, review.confidential):
        load(step)
    for rows in (
        review.pauses,
        review.extensions,
        review.deadlines,
        review.involvements,
        review.linked_reviews,
        review.assignments,
    ):
        for row in rows:
            load(row)
    for involvement in review.involvements:
        load(involvement.agency)
    load(review.created_by)
    return review


def send_notice(review: Review, key: str, on: date, by: User, reference: str = "", reason: str = "") -> Any:
    """Record the review's notice of requirement ``key`` as sent on ``on``."""
    notice = next(n for n in review.notices if n.requirement.key == key)
    return notices.record_sent(notice, sent_on=on, reference=reference, reason=reason, version=None, by=by)


def deadline_of(review: Review, clock_key: str) -> Deadline:
    """The review's one deadline on the clock ``clock_key``, as deadlines_for works it out today."""
    [deadline] = [d for d in deadlines_for(review) if d.clock.key == clock_key]
    return deadline
