"""The demo action plan of Child D: confirmed, its actions in every status and with their
histories (progress, evidence, verification, returns, deadline changes, overdue)."""

from __future__ import annotations

from casework.demo.plans import (
    AT_RISK,
    GP,
    HEALTH,
    OFF_TRACK,
    ON_TRACK,
    PARTNERSHIP,
    POLICE,
    SOCIAL_CARE,
    Complete,
    DemoAction,
    DemoPlan,
    DemoRecommendation,
    NewDeadline,
    Progress,
    Return,
    Verify,
)

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
            ("Professional curiosity", "Disguised compliance (apparent or superficial co-operation)"),
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
            different_this_time=(
                "Child M's recommendation went to the police alone and its actions were briefings; "
                "the notifications to health visiting were never shared on the day. This time "
                "children's social care owns the same-day route, it is audited monthly, and the "
                "incident log cannot be closed without the question about children answered."
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
            ("Professional curiosity", "Disguised compliance (apparent or superficial co-operation)"),
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
