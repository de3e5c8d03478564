"""Demo action plans: findings, recommendations and thirty actions on Child D and Adult G, in every
status and with their histories, built through the action services like the rest of the demo."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import Action, ActionStatus, Recommendation, Theme
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.models import AssignmentRole, AssignmentStatus, Review

POLICE = "Northshire Police"
SOCIAL_CARE = "Northshire Children's Social Care"
HEALTH = "Northshire Hospitals NHS Foundation Trust"
GP = "Riverside Medical Practice"
PARTNERSHIP = "the partnership"
LEADS = {
    POLICE: "police.lead@northshire.example",
    HEALTH: "health.lead@northshire.example",
    SOCIAL_CARE: "socialcare.lead@northshire.example",
}

ON_TRACK, AT_RISK, OFF_TRACK = ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.OFF_TRACK


# --- the steps an action goes through --------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    status: ActionStatus
    note: str


@dataclass(frozen=True)
class Complete:
    note: str
    evidence: str  # the file name of the generated PDF


@dataclass(frozen=True)
class Verify:
    note: str


@dataclass(frozen=True)
class Return:
    status: ActionStatus
    reason: str


@dataclass(frozen=True)
class NewDeadline:
    days_later: int
    reason: str
    approve: bool | None  # None: left waiting for a board manager


Step = Progress | Complete | Verify | Return | NewDeadline


@dataclass(frozen=True)
class DemoAction:
    owner: str  # an agency's name, or PARTNERSHIP
    description: str
    success_measure: str
    due_in_days: int
    steps: tuple[Step, ...] = ()
    overdue_by: int = 0  # days past its deadline, set after the steps (see _backdate)


@dataclass(frozen=True)
class DemoRecommendation:
    text: str
    to_partnership: bool
    agencies: tuple[str, ...]
    themes: tuple[str, ...]
    actions: tuple[DemoAction, ...]


@dataclass(frozen=True)
class DemoPlan:
    pseudonym: str
    findings: tuple[tuple[str, tuple[str, ...]], ...]
    recommendations: tuple[DemoRecommendation, ...]
    confirm: bool


CHILD_D = DemoPlan(
    "Child D",
    findings=(
        (
            "Police attended a domestic abuse incident with the baby in the flat and made no referral.",
            ("Domestic abuse", "Information sharing"),
        ),
        (
            "A bruise on a non-mobile baby was explained away; the protocol was not followed.",
            ("Vulnerability of babies", "Risk assessment"),
        ),
        (
            "The assessment relied on the mother's account and closed when the father moved out.",
            ("Professional curiosity", "Disguised compliance"),
        ),
        (
            "No agency had the full picture of who lived in the household.",
            ("Whole-family working", "Information sharing"),
        ),
    ),
    recommendations=(
        DemoRecommendation(
            "Northshire Police and Children's Social Care should make sure that every domestic abuse "
            "incident where a baby lives in the household leads to a referral, shared with health "
            "visiting within one working day.",
            False,
            (POLICE, SOCIAL_CARE),
            ("Domestic abuse", "Information sharing", "Vulnerability of babies"),
            (
                DemoAction(
                    POLICE,
                    "Add a mandatory question on children in the household, babies included, to the "
                    "domestic abuse incident log.",
                    "Quarterly audit of 50 incident logs: the question answered in at least 95%.",
                    120,
                    (
                        Progress(ON_TRACK, "Change request raised with the records system supplier."),
                        Progress(ON_TRACK, "Question built in the test system; guidance notes drafted."),
                        Complete(
                            "Question live. First audit of 50 logs: answered in 48 (96%).",
                            "police-incident-log-audit.pdf",
                        ),
                        Verify("Audit seen at the performance group; sustained over two quarters."),
                    ),
                ),
                DemoAction(
                    POLICE,
                    "Brief every response team on referring incidents where a baby is present, using "
                    "this review's learning.",
                    "All 14 response teams briefed; referrals for incidents with a baby present reach 90%.",
                    60,
                    (
                        Progress(ON_TRACK, "Briefing pack agreed with children's social care."),
                        Progress(ON_TRACK, "Eight of 14 teams briefed."),
                        Progress(AT_RISK, "Four teams not yet briefed because of shift patterns."),
                    ),
                ),
                DemoAction(
                    POLICE,
                    "Grade anonymous calls about a baby left alone for attendance, not for a log entry.",
                    "Dip sample of 20 such calls: all attended within the graded time.",
                    90,
                    overdue_by=3,
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Screen every police domestic abuse notification about a baby within 24 hours.",
                    "Monthly report: every notification about a baby screened within 24 hours.",
                    45,
                    (
                        Progress(ON_TRACK, "Screening rota changed to cover notifications daily."),
                        Progress(
                            OFF_TRACK,
                            "Backlog after two vacancies at the front door: 62% screened within 24 hours "
                            "last month. Escalated to the head of service.",
                        ),
                    ),
                    overdue_by=12,
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Agree a same-day route with health visiting for sharing notifications about babies.",
                    "Route agreed in writing and used in every notification in a one-month sample.",
                    9,
                    (Progress(ON_TRACK, "Draft route shared with the health visiting leads."),),
                ),
            ),
        ),
        DemoRecommendation(
            "The NHS trust and GP practices should follow the protocol for bruising in non-mobile "
            "babies every time, with a referral to children's social care and a paediatric assessment.",
            False,
            (HEALTH, GP),
            ("Vulnerability of babies", "Risk assessment"),
            (
                DemoAction(
                    HEALTH,
                    "Add a prompt for the non-mobile infant bruising protocol to emergency triage.",
                    "Audit: every non-mobile baby with a bruise referred and seen by a paediatrician.",
                    150,
                    (
                        Progress(ON_TRACK, "Prompt specified with the triage system supplier."),
                        NewDeadline(30, "The supplier's release moved back a month.", True),
                        Progress(ON_TRACK, "Prompt in testing."),
                        NewDeadline(
                            30, "Testing found a fault in the prompt; the fix is in the next release.", True
                        ),
                        Progress(ON_TRACK, "Fix tested; go-live booked."),
                    ),
                ),
                DemoAction(
                    HEALTH,
                    "Train emergency department nurses and paediatric registrars on the protocol.",
                    "95% of emergency department nursing and paediatric staff trained; confidence up in the "
                    "evaluation.",
                    100,
                    (
                        Progress(ON_TRACK, "Training sessions scheduled for every shift pattern."),
                        Progress(ON_TRACK, "150 of 220 staff trained."),
                        Complete(
                            "212 of 220 staff trained (96%); confidence up from 41% to 88%.",
                            "ed-protocol-training-report.pdf",
                        ),
                    ),
                ),
                DemoAction(
                    HEALTH,
                    "Health visitors to see babies undressed at the new birth and 6 to 8 week visits and "
                    "record a skin check.",
                    "Record audit in all four localities: a skin check recorded in at least 90% of visits.",
                    75,
                    (
                        Progress(ON_TRACK, "Recording template updated."),
                        Complete("Audit of 60 visits: skin check recorded in 57.", "skin-check-audit.pdf"),
                        Return(AT_RISK, "The audit covers one locality only. Show all four."),
                        Progress(AT_RISK, "Audits booked in the other three localities."),
                    ),
                ),
                DemoAction(
                    GP,
                    "Add the bruising protocol to the practice's safeguarding template and discuss this "
                    "case at a practice learning meeting.",
                    "Template in use; learning meeting minuted with actions for every clinician.",
                    60,
                    (Progress(ON_TRACK, "Template change agreed with the practice manager."),),
                ),
                DemoAction(
                    GP,
                    "Flag babies who live in households with a domestic abuse marker in GP records.",
                    "Search of the practice list: every such baby flagged.",
                    180,
                    (NewDeadline(60, "Waiting for the national coding guidance.", None),),
                ),
            ),
        ),
        DemoRecommendation(
            "Children's Social Care should make sure assessments test what parents say against what "
            "other agencies know before a case is closed.",
            False,
            (SOCIAL_CARE,),
            ("Professional curiosity", "Disguised compliance"),
            (
                DemoAction(
                    SOCIAL_CARE,
                    "Add a 'checked with partner agencies' step to the assessment closure form.",
                    "Audit of 30 closures: partner checks recorded in every one.",
                    60,
                    (
                        Progress(ON_TRACK, "Form change approved."),
                        Complete(
                            "Form live; audit of 30 closures: checks recorded in all.",
                            "closure-form-audit.pdf",
                        ),
                        Verify("Audit seen by the quality assurance subgroup."),
                    ),
                    overdue_by=20,
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Run reflective supervision sessions on disguised compliance for every assessment team.",
                    "All eight teams take part; case audit shows parental accounts tested.",
                    90,
                    (
                        Progress(ON_TRACK, "Facilitator booked."),
                        Progress(ON_TRACK, "Three of eight sessions held."),
                        Progress(AT_RISK, "Two sessions cancelled for court work."),
                        Progress(ON_TRACK, "Sessions rescheduled; five of eight held."),
                    ),
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Audit 30 closed assessments of children under two for checks with other agencies.",
                    "Audit report to the partnership with the proportion of closures checked.",
                    40,
                    (
                        Progress(ON_TRACK, "Sample of 30 cases drawn."),
                        Complete(
                            "Audit complete: checks recorded in 27 of 30.", "closed-assessments-audit.pdf"
                        ),
                    ),
                    overdue_by=5,
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Update the practice guidance on weighing parents' accounts against agency information.",
                    "Guidance published and referred to in supervision records.",
                    50,
                    (
                        Progress(AT_RISK, "Guidance draft delayed by the procedures review."),
                        NewDeadline(45, "The guidance has to wait for the new procedures manual.", False),
                        Progress(
                            OFF_TRACK,
                            "No author available this quarter; escalated to the principal social worker.",
                        ),
                    ),
                ),
            ),
        ),
        DemoRecommendation(
            "The partnership should check through multi-agency audit that the learning from this review "
            "has changed practice, and report to the safeguarding partners within a year.",
            True,
            (),
            ("Leadership and culture", "Whole-family working", "Information sharing"),
            (
                DemoAction(
                    PARTNERSHIP,
                    "Publish a 7 minute briefing on this review and use it in team meetings in every agency.",
                    "Every partner agency confirms the briefing was used; feedback from 100 practitioners.",
                    30,
                    (
                        Progress(ON_TRACK, "Briefing drafted with the reviewer."),
                        Complete(
                            "Briefing published and used by all agencies.", "child-d-7-minute-briefing.pdf"
                        ),
                        Verify("Feedback from 126 practitioners reviewed at the learning subgroup."),
                    ),
                ),
                DemoAction(
                    PARTNERSHIP,
                    "Multi-agency audit of 20 cases where a baby lives with domestic abuse.",
                    "Audit report to the partners with the proportion of cases referred and shared.",
                    200,
                ),
                DemoAction(
                    PARTNERSHIP,
                    "Report progress on this action plan to the safeguarding partners every quarter.",
                    "Four quarterly reports minuted by the partners.",
                    365,
                    (
                        Progress(ON_TRACK, "First quarterly report presented."),
                        Progress(
                            ON_TRACK, "Second quarterly report presented; drift on two actions escalated."
                        ),
                    ),
                ),
                DemoAction(
                    PARTNERSHIP,
                    "Agree an information-sharing protocol with Northshire Housing Partnership for "
                    "tenancies where a baby lives.",
                    "Protocol signed; housing officers' referrals recorded in the quarterly data.",
                    50,
                    (
                        Progress(ON_TRACK, "Draft protocol sent to the housing partnership."),
                        Progress(ON_TRACK, "Comments received; second draft agreed in principle."),
                    ),
                    overdue_by=15,
                ),
            ),
        ),
    ),
    confirm=True,
)

ADULT_G = DemoPlan(
    "Adult G",
    findings=(
        (
            "Adult G's move from children's to adult services left seven months with no allocated worker.",
            ("Whole-family working", "Leadership and culture"),
        ),
        (
            "Police reports of others staying at Adult G's flat were not recognised as possible cuckooing.",
            ("Risks outside the family", "Professional curiosity"),
        ),
        ("Missed hospital appointments were not followed up or shared.", ("Information sharing",)),
    ),
    recommendations=(
        DemoRecommendation(
            "Northshire Police should treat reports of others taking over a vulnerable adult's home as "
            "possible cuckooing and share them with adult safeguarding.",
            False,
            (POLICE,),
            ("Risks outside the family", "Information sharing"),
            (
                DemoAction(
                    POLICE,
                    "Add a cuckooing flag and a referral prompt to the vulnerable adult incident form.",
                    "Quarterly audit: every flagged incident referred to adult safeguarding.",
                    110,
                    (
                        Progress(ON_TRACK, "Form change specified."),
                        Progress(ON_TRACK, "Change approved by the force's change board."),
                    ),
                ),
                DemoAction(
                    POLICE,
                    "Neighbourhood teams to visit adults flagged at risk of cuckooing within 7 days.",
                    "Monthly report: visits within 7 days for at least 90% of flags.",
                    70,
                    (
                        Progress(ON_TRACK, "Process agreed with neighbourhood inspectors."),
                        Progress(AT_RISK, "Visits within 7 days for 70% of flags."),
                        Progress(OFF_TRACK, "Officers redeployed to a major operation; 45% last month."),
                    ),
                ),
                DemoAction(
                    POLICE,
                    "Train call handlers to recognise cuckooing.",
                    "All call handlers trained; dip sample shows calls graded correctly.",
                    8,
                    (Progress(ON_TRACK, "Training package ready; sessions this week and next."),),
                ),
            ),
        ),
        DemoRecommendation(
            "Children's Social Care and adult services should plan the transition of every young person "
            "with care and support needs from age 17, with a named worker until adult services take over.",
            True,
            (SOCIAL_CARE,),
            ("Whole-family working", "Leadership and culture"),
            (
                DemoAction(
                    SOCIAL_CARE,
                    "Start transition planning at 17 for every care leaver with care and support needs.",
                    "Audit: a transition plan in place by 17 and a half for every such young person.",
                    130,
                    (
                        Progress(ON_TRACK, "Transition tracker set up."),
                        Complete(
                            "Audit of 18 young people: plans in place for all.",
                            "transition-planning-audit.pdf",
                        ),
                        Verify("Audit seen by the Board's quality subgroup."),
                    ),
                ),
                DemoAction(
                    SOCIAL_CARE,
                    "Keep a named worker for each young person until adult services have allocated one.",
                    "No young person without an allocated worker in a quarterly check.",
                    100,
                ),
                DemoAction(
                    PARTNERSHIP,
                    "Agree a joint transitions protocol between children's and adult services.",
                    "Protocol signed by both directors and used in every transition in a six-month sample.",
                    95,
                    (
                        Progress(ON_TRACK, "Protocol drafted."),
                        Progress(AT_RISK, "Adult services' sign-off delayed by a restructure."),
                    ),
                ),
            ),
        ),
        DemoRecommendation(
            "The NHS trust should follow up missed appointments for adults with care and support needs "
            "and tell their GP and social worker.",
            False,
            (HEALTH,),
            ("Information sharing", "Professional curiosity"),
            (
                DemoAction(
                    HEALTH,
                    "Introduce a 'did not attend' follow-up pathway for adults with care and support needs.",
                    "Audit of 40 missed appointments: each followed up and shared.",
                    85,
                    (
                        Progress(ON_TRACK, "Pathway agreed with outpatient managers."),
                        Progress(ON_TRACK, "Pathway live in three of five clinics."),
                        Complete(
                            "Pathway live in all clinics; audit of 40: 38 followed up.",
                            "dna-pathway-audit.pdf",
                        ),
                    ),
                ),
                DemoAction(
                    HEALTH,
                    "Audit follow-up of missed outpatient appointments every quarter.",
                    "Quarterly audit reported to the trust safeguarding committee.",
                    160,
                ),
                DemoAction(
                    HEALTH,
                    "Share this review's learning at the trust's safeguarding forum.",
                    "Forum minutes; learning included in level 3 training.",
                    20,
                    (
                        Progress(ON_TRACK, "Slot booked at the forum."),
                        Complete(
                            "Learning presented; training slides updated.", "safeguarding-forum-minutes.pdf"
                        ),
                        Verify("Training slides checked."),
                    ),
                ),
            ),
        ),
        DemoRecommendation(
            "The Safeguarding Adults Board should seek assurance that the learning has changed practice.",
            True,
            (GP,),
            ("Leadership and culture",),
            (
                DemoAction(
                    PARTNERSHIP,
                    "Publish a learning briefing on Adult G.",
                    "Briefing published and used in team meetings by every Board partner.",
                    25,
                    (
                        Progress(ON_TRACK, "Briefing drafted with the reviewer."),
                        Complete("Briefing published.", "adult-g-learning-briefing.pdf"),
                    ),
                ),
                DemoAction(
                    GP,
                    "Check the records of adults with learning disabilities for missed annual health checks.",
                    "Every adult on the register offered a health check within the year.",
                    120,
                    (
                        Progress(ON_TRACK, "Register searched: 64 adults, 19 without a check this year."),
                        Progress(AT_RISK, "Practice nurse vacancy; 7 of 19 checks done."),
                    ),
                ),
                DemoAction(
                    PARTNERSHIP,
                    "Include this review's actions in the Board's annual report.",
                    "Annual report published with the actions and their progress.",
                    240,
                ),
            ),
        ),
    ),
    confirm=False,
)

PLANS = (CHILD_D, ADULT_G)


def evidence_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with the title on it."""
    safe = (
        title.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    )
    content = b"BT /F1 14 Tf 40 100 Td (Demo evidence: " + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def _lead_reviewer(review: Review, manager: User) -> User:
    """The review's accepted lead reviewer writes its findings and recommendations."""
    for assignment in review.assignments:
        if assignment.role == AssignmentRole.LEAD and assignment.status == AssignmentStatus.ACCEPTED:
            return assignment.reviewer
    return manager


def _apply(action: Action, step: Step, owner: User, manager: User) -> None:
    if isinstance(step, Progress):
        services.add_progress(action, step.status, step.note, [], owner, None)
    elif isinstance(step, Complete):
        upload = FileStorage(
            io.BytesIO(evidence_pdf(step.evidence)), filename=step.evidence, content_type="application/pdf"
        )
        services.add_progress(action, ActionStatus.COMPLETED, step.note, [upload], owner, None)
    elif isinstance(step, Verify):
        services.verify_action(action, step.note, manager, None)
    elif isinstance(step, Return):
        services.return_action(action, step.reason, step.status, manager, None)
    else:
        proposed = action.deadline + timedelta(days=step.days_later)
        change = services.request_deadline_change(action, proposed, step.reason, owner)
        if step.approve is not None:
            note = "Agreed." if step.approve else "Not agreed: the partners expect this on time."
            services.decide_deadline_change(change, step.approve, note, manager)


def _backdate(action: Action, overdue_by: int) -> None:
    # Demo only: the services refuse a deadline in the past, so an overdue action is made by
    # moving its dates back after it was built. Nothing outside the demo does this.
    today = uk_today()
    action.deadline = today - timedelta(days=overdue_by)
    if action.deadline_changes == 0:
        action.original_deadline = action.deadline
    action.created_on = min(action.created_on, action.original_deadline - timedelta(days=120))


def load_demo_actions(manager: User) -> list[str]:
    """The action plans of Child D and Adult G; nothing if they have one already, or if the demo's
    reviews or people are missing."""
    reviews = {r.pseudonym: r for r in db.session.execute(db.select(Review)).scalars()}
    chosen = [reviews.get(plan.pseudonym) for plan in PLANS]
    if any(review is None or review.terms is None or review.is_ended for review in chosen):
        return []
    ids = [review.id for review in chosen if review is not None]
    if db.session.execute(db.select(Recommendation.id).where(Recommendation.review_id.in_(ids))).first():
        return []
    users = {u.email: u for u in db.session.execute(db.select(User).where(User.active.is_(True))).scalars()}
    if any(email not in users for email in LEADS.values()):
        return []
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    if any(name not in agencies for name in (*LEADS, GP)):
        return []
    themes = {t.name: t for t in db.session.execute(db.select(Theme)).scalars()}
    owners: dict[str, tuple[Agency | None, User]] = {
        name: (agencies[name], users[email]) for name, email in LEADS.items()
    }
    owners[PARTNERSHIP] = (None, manager)
    gp_lead = (
        db.session.execute(
            db.select(User)
            .where(User.role == Role.AGENCY_LEAD, User.agency_id == agencies[GP].id, User.active.is_(True))
            .order_by(User.id)
        )
        .scalars()
        .first()
    )
    # The demo has no GP agency lead: the partnership holds the GP's actions unless one exists.
    owners[GP] = (agencies[GP], gp_lead) if gp_lead else (None, manager)

    count = 0
    for plan, review in zip(PLANS, chosen, strict=True):
        assert review is not None
        writer = _lead_reviewer(review, manager)
        for text, names in plan.findings:
            services.add_finding(review, text, [themes[name] for name in names if name in themes], writer)
        for demo in plan.recommendations:
            recommendation = services.add_recommendation(
                review,
                demo.text,
                demo.to_partnership,
                [agencies[name] for name in demo.agencies],
                [themes[name] for name in demo.themes if name in themes],
                writer,
            )
            for planned in demo.actions:
                agency, owner = owners[planned.owner]
                action = services.add_action(
                    recommendation,
                    planned.description,
                    agency,
                    owner,
                    uk_today() + timedelta(days=planned.due_in_days),
                    planned.success_measure,
                    manager,
                )
                for step in planned.steps:
                    _apply(action, step, owner, manager)
                if planned.overdue_by:
                    _backdate(action, planned.overdue_by)
                count += 1
        if plan.confirm:
            services.confirm_recommendations(review, manager)
    db.session.flush()
    references = " and ".join(review.reference for review in chosen if review is not None)
    return [f"action plans for {references} ({count} actions)"]
