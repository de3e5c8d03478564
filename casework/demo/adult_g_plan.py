"""The demo action plan of Adult G: recommendations not yet confirmed, their actions under way."""

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
    Progress,
    Verify,
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
