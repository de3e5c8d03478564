"""A small partnership with known answers for every insight chart, built once per module.

Reviews (dates fixed in the past, so their reporting years are known whatever today is):
  R1  CSPR ended with no review; aware 1 May 2024; rapid review sent 13 May 2024 (2024/25)
  R2  CSPR at the rapid review, nothing recorded yet; aware 1 August 2024
  R3  CSPR commissioned; aware 1 June 2025; rapid review sent 13 June 2025 (2025/26)
  R4  SAR commissioned; aware 1 July 2025
Clocks (the computed rows replaced by these, see DEADLINES), themes (THEMES) and actions
(ACTIONS) are chosen so each figure has a small answer worked out by hand in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask

from casework.actions import services
from casework.actions.models import Action, ActionStatus, Recommendation, Theme
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.models import Review, ReviewDeadline
from tests.support.files import PDF, upload
from tests.support.people import make_agency, make_user
from tests.support.reviews import make_review

# key: (type, stage, became aware, rapid review sent)
REVIEWS = {
    "R1": ("CSPR", "no_review", date(2024, 5, 1), date(2024, 5, 13)),
    "R2": ("CSPR", "rapid_review", date(2024, 8, 1), None),
    "R3": ("CSPR", "awaiting_reviewer", date(2025, 6, 1), date(2025, 6, 13)),
    "R4": ("SAR", "awaiting_reviewer", date(2025, 7, 1), None),
}
# (review, clock key, original due, due, met; None: not met and running)
DEADLINES = (
    ("R1", "notification", date(2024, 6, 10), date(2024, 6, 10), date(2024, 6, 7)),  # within
    ("R2", "notification", date(2024, 9, 10), date(2024, 9, 20), date(2024, 9, 15)),  # 5 days late, agreed
    ("R3", "notification", date(2025, 2, 1), date(2025, 2, 1), date(2025, 2, 21)),  # 20 days late
    ("R1", "rapid_review", date(2025, 5, 1), date(2025, 5, 1), None),  # overdue, still running
    ("R3", "publication", date(2025, 4, 10), date(2025, 4, 10), date(2025, 4, 1)),  # within
    ("R4", "panel_response", date(2025, 4, 10), date(2025, 4, 10), date(2025, 8, 1)),  # not a reported step
)
# the next one is measured only once its time runs out
RUNNING_IN_TIME = ("R2", "rapid_review")
# (review, finding or recommendation, theme indexes)
THEMES = (
    ("R1", "finding", (0, 1)),
    ("R1", "recommendation", (0,)),
    ("R3", "finding", (0,)),
    ("R3", "recommendation", (2,)),
    ("R4", "recommendation", (0, 2)),
)


@dataclass(frozen=True)
class ActionSpec:
    key: str
    review: str
    agency: bool  # False: the partnership's, owned by the board manager
    status: ActionStatus
    created_ago: int
    deadline_ago: int  # days before today (negative: after)
    completed_ago: int | None = None


ACTIONS = (
    ActionSpec("green", "R3", True, ActionStatus.ON_TRACK, 10, -120),
    ActionSpec("off-track", "R3", True, ActionStatus.OFF_TRACK, 10, -90),
    ActionSpec("overdue", "R1", False, ActionStatus.ON_TRACK, 100, 40),
    ActionSpec("verified-late", "R3", True, ActionStatus.VERIFIED, 200, 150, 120),
)
AGENCY = "=Xylem Health Trust"  # a name a spreadsheet would run as a formula


@dataclass(frozen=True)
class World:
    manager_id: int
    reviews: dict[str, int]
    themes: list[str]  # the names of the three themes used, by index
    type_ids: dict[str, int]
    today: date
    outsiders: dict[Role, int]  # a reviewer, an agency lead and an administrator


def build_world(app: Flask) -> World:
    with app.app_context():
        today = uk_today()
        agency = make_agency(AGENCY)
        lead = make_user(Role.AGENCY_LEAD, agency=agency)
        manager = make_user(Role.BOARD_MANAGER)
        outsiders = {role: make_user(role).id for role in (Role.REVIEWER, Role.AGENCY_LEAD, Role.ADMIN)}
        reviews: dict[str, Review] = {}
        for key, (code, stage, aware, sent) in REVIEWS.items():
            dates = {"incident_on": aware - timedelta(days=2), "became_aware_on": aware}
            if sent is not None:
                dates |= {
                    "panel_notified_on": aware + timedelta(days=2),
                    "meeting_on": sent - timedelta(days=1),
                    "sent_to_panel_on": sent,
                }
            reviews[key] = make_review(
                code, stage, by=manager, agencies=[agency], pseudonym=f"Insight {key}", **dates
            )
        ids = {key: review.id for key, review in reviews.items()}
        manager = db.session.get(User, manager.id)
        lead = db.session.get(User, lead.id)
        agency = db.session.merge(agency)

        # The computed clocks, replaced by known ones.
        db.session.execute(db.delete(ReviewDeadline).where(ReviewDeadline.review_id.in_(ids.values())))
        for position, (key, clock, original, due, met) in enumerate(DEADLINES):
            db.session.add(_deadline(ids[key], clock, original, due, met, position))
        db.session.add(
            _deadline(
                ids[RUNNING_IN_TIME[0]],
                RUNNING_IN_TIME[1],
                today + timedelta(days=10),
                today + timedelta(days=10),
                None,
                9,
            )
        )

        themes = list(db.session.execute(db.select(Theme).order_by(Theme.id)).scalars())[:3]
        for key, kind, indexes in THEMES:
            review = db.session.get(Review, ids[key])
            chosen = [themes[index] for index in indexes]
            if kind == "finding":
                services.add_finding(review, f"A finding of {key}", chosen, manager)
            else:
                services.add_recommendation(review, f"A recommendation of {key}", True, [], chosen, manager)
        db.session.flush()

        for spec in ACTIONS:
            recommendation = db.session.execute(
                db.select(Recommendation).where(Recommendation.review_id == ids[spec.review])
            ).scalar_one()
            owner = lead if spec.agency else manager
            action = services.add_action(
                recommendation,
                f"Action {spec.key}",
                agency if spec.agency else None,
                owner,
                today + timedelta(days=30),
                "An audit",
                manager,
            )
            if spec.status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED):
                services.add_progress(
                    action, ActionStatus.COMPLETED, "Done", [upload(PDF, "audit.pdf")], owner, None
                )
                if spec.status == ActionStatus.VERIFIED:
                    services.verify_action(action, "Seen", manager, None)
            elif spec.status != ActionStatus.NOT_STARTED:
                services.add_progress(action, spec.status, "Going", [], owner, None)
            _backdate(action, spec, today)
        db.session.commit()
        return World(
            manager.id,
            ids,
            [theme.name for theme in themes],
            {code: reviews[key].review_type_id for key, (code, *_) in REVIEWS.items()},
            today,
            outsiders,
        )


def _deadline(
    review_id: int, key: str, original: date, due: date, met: date | None, position: int
) -> ReviewDeadline:
    return ReviewDeadline(
        review_id=review_id,
        clock_key=key,
        label=key,
        statutory=True,
        position=position,
        starts_on=original - timedelta(days=7),
        original_due_on=original,
        due_on=due,
        met_on=met,
        running=met is None,
    )


def _backdate(action: Action, spec: ActionSpec, today: date) -> None:
    # The services date an action today and refuse a past deadline: its dates are set here.
    action.created_on = today - timedelta(days=spec.created_ago)
    action.deadline = action.original_deadline = today - timedelta(days=spec.deadline_ago)
    if spec.completed_ago is not None:
        action.completed_on = today - timedelta(days=spec.completed_ago)
