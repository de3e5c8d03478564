"""What a reporting year's pack holds: a section per family of review (children, adults,
domestic abuse related deaths), its shares, tables and lists, and how each figure is counted
(figures.py counts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casework.insight.annual.year import ReportingYear
from casework.reviews.models import (
    DecisionOutcome,
    ReviewMandate,
)

CHILDREN, ADULTS, DEATHS = "CSPR", "SAR", "DHR"
FAMILIES: tuple[tuple[str, str], ...] = (
    (CHILDREN, "Children: child safeguarding practice reviews"),
    (ADULTS, "Adults: safeguarding adults reviews"),
    (DEATHS, "Domestic abuse related death reviews"),
)
PARTNERSHIP = "The partnership"
# Each family's target for concluding a review: in the report's sentences, and on a chart's bar.
TARGETS: dict[str, tuple[str, str]] = {
    CHILDREN: ("published within 6 months of the decision", "Published within 6 months"),
    ADULTS: ("completed within the board's target (6 months of the decision)", "Completed within 6 months"),
    DEATHS: (
        "sent to the Home Office within 6 months of the decision, of those concluded",
        "To the Home Office within 6 months",
    ),
}


@dataclass(frozen=True)
class Share:
    """``met`` of ``of`` were on time."""

    met: int = 0
    of: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.of) if self.of else None

    def __str__(self) -> str:
        if not self.of:
            return "None to count"
        return f"{self.met} of {self.of} ({self.percent}%)"


@dataclass(frozen=True)
class AgencyActions:
    agency: str
    created: int = 0
    completed: int = 0
    verified: int = 0
    overdue: int = 0
    verified_with_evidence: int = 0

    HEADINGS = ("Agency", "Created", "Completed", "Verified", "Overdue at year end", "Verified with evidence")

    def cells(self) -> tuple[str | int, ...]:
        """One row of the "Actions by agency" table, in the order of HEADINGS."""
        return (
            self.agency,
            self.created,
            self.completed,
            self.verified,
            self.overdue,
            self.verified_with_evidence,
        )


@dataclass(frozen=True)
class ConcludedReview:
    reference: str
    name: str  # the review's anonymised name, never an identifying detail
    concluded_on: date
    findings: tuple[str, ...]


@dataclass(frozen=True)
class DoneAction:
    reference: str
    recommendation: int
    description: str
    agency: str
    completed_on: date | None
    verified_on: date | None


@dataclass(frozen=True)
class NotActedOn:
    reference: str
    recommendation: int
    text: str


@dataclass(frozen=True)
class NotPursued:
    """A recommendation the partners decided not to pursue, and why."""

    reference: str
    name: str  # the review's anonymised name
    recommendation: int
    text: str
    reason: str
    decided_on: date  # England's day


@dataclass(frozen=True)
class Impact:
    """The recommendations' outcome measures in the year and at its end."""

    achieved: int = 0  # a re-measure in the year met the target
    short: int = 0  # re-measured in the year, the target not met by the year's end
    awaiting: int = 0  # at the year's end: set, open, the date to measure again still to come
    overdue: int = 0  # at the year's end: open, the date to measure again on or before it


@dataclass
class Section:
    code: str
    title: str
    referrals: int = 0
    notifications: Share = field(default_factory=Share)  # in time of those notified in the year
    rapid_reviews: Share = field(default_factory=Share)
    decisions: dict[DecisionOutcome, int] = field(default_factory=dict)
    arranged: int = 0
    mandates: dict[ReviewMandate | None, int] = field(default_factory=dict)
    commissioned: int = 0
    ongoing: int = 0
    concluded: int = 0
    published: int = 0
    not_published: int = 0
    concluded_in_time: Share = field(default_factory=Share)
    median_days: float | None = None  # from the decision to the conclusion
    themes: list[tuple[str, int]] = field(default_factory=list)
    recommendations: int = 0
    actions: list[AgencyActions] = field(default_factory=list)
    concluded_reviews: list[ConcludedReview] = field(default_factory=list)
    done: list[DoneAction] = field(default_factory=list)
    not_acted_on: list[NotActedOn] = field(default_factory=list)
    impact: Impact = field(default_factory=Impact)
    not_pursued: list[NotPursued] = field(default_factory=list)

    @property
    def action_totals(self) -> AgencyActions:
        return AgencyActions(
            "All",
            *(sum(getattr(line, name) for line in self.actions) for name in _ACTION_COUNTS),
        )

    def decision_rows(self) -> list[tuple[str, int]]:
        return [(outcome.label, self.decisions.get(outcome, 0)) for outcome in DecisionOutcome]

    def mandate_rows(self) -> list[tuple[str, int]]:
        return [
            ("Mandatory (section 44(1) to (3))", self.mandates.get(ReviewMandate.MANDATORY, 0)),
            ("Discretionary (section 44(4))", self.mandates.get(ReviewMandate.DISCRETIONARY, 0)),
            ("Mandate not recorded", self.mandates.get(None, 0)),
        ]

    def impact_rows(self) -> list[tuple[str, int]]:
        return [
            ("Recommendations achieved in the year (re-measured, target met)", self.impact.achieved),
            ("Recommendations re-measured in the year, target not yet met", self.impact.short),
            ("Measures awaiting their re-measure at the end of the year", self.impact.awaiting),
            ("Re-measures overdue at the end of the year", self.impact.overdue),
            ("Actions verified with evidence of impact", self.action_totals.verified_with_evidence),
        ]

    @property
    def is_children(self) -> bool:
        return self.code == CHILDREN

    @property
    def is_adults(self) -> bool:
        return self.code == ADULTS

    @property
    def concluded_word(self) -> str:
        return "completed (final report signed off)" if self.is_adults else "published, or not published"

    @property
    def target_words(self) -> str:
        return TARGETS.get(self.code, TARGETS[DEATHS])[0]

    @property
    def target_short(self) -> str:
        return TARGETS.get(self.code, TARGETS[DEATHS])[1]

    def summary_rows(self) -> list[tuple[str, str]]:
        """The section's headline figures, in the order the report gives them."""
        rows: list[tuple[str, str]] = [("Referrals received", str(self.referrals))]
        if self.is_children:
            rows += [
                ("Serious incident notifications to the Panel", str(self.notifications.of)),
                ("Notifications within 5 working days", str(self.notifications)),
                ("Rapid reviews sent to the Panel", str(self.rapid_reviews.of)),
                ("Rapid reviews within 15 working days", str(self.rapid_reviews)),
            ]
        rows += [
            ("Decisions made", str(sum(self.decisions.values()))),
            ("Reviews arranged (decision to hold a review)", str(self.arranged)),
            ("Reviews commissioned", str(self.commissioned)),
            ("Reviews ongoing at the end of the year", str(self.ongoing)),
            (f"Reviews concluded: {self.concluded_word}", str(self.concluded)),
            ("Reports published", str(self.published)),
            ("Decisions not to publish (improvement information published instead)", str(self.not_published)),
            (f"Reviews {self.target_words}", str(self.concluded_in_time)),
            ("Median days from the decision to the conclusion", _days(self.median_days)),
            ("Recommendations made", str(self.recommendations)),
        ]
        totals = self.action_totals
        rows += [
            ("Actions created", str(totals.created)),
            ("Actions completed", str(totals.completed)),
            ("Actions verified", str(totals.verified)),
            ("Actions overdue at the end of the year", str(totals.overdue)),
            ("Actions verified with evidence of impact", str(totals.verified_with_evidence)),
            ("Recommendations achieved in the year", str(self.impact.achieved)),
            ("Recommendations not pursued, with the reason recorded", str(len(self.not_pursued))),
        ]
        return rows


_ACTION_COUNTS = ("created", "completed", "verified", "overdue", "verified_with_evidence")


def _days(value: float | None) -> str:
    if value is None:
        return "None to count"
    return f"{value:g}"


@dataclass
class AnnualFigures:
    year: ReportingYear
    complete: bool  # the year has ended
    sections: list[Section]

    def section(self, code: str) -> Section:
        return next(section for section in self.sections if section.code == code)


# How each figure is counted, in the pack's own words (the page, the document and the workbook).
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Referrals received", "The partnership became aware of the case during the year."),
    (
        "Notifications",
        "Serious incident notifications to the Panel made during the year; on time when "
        "made within 5 working days of the local authority becoming aware.",
    ),
    (
        "Rapid reviews",
        "Sent to the Panel during the year; on time within 15 working days of the notification.",
    ),
    (
        "Decisions",
        "The review's current decision, made during the year (a decision the partners "
        "reconsidered counts once, as it now stands).",
    ),
    (
        "Reviews arranged",
        "A decision to hold a review made during the year; for adults, whether the "
        "review is mandatory (Care Act 2014 s44(1) to (3)) or discretionary (s44(4)).",
    ),
    (
        "Ongoing at the end of the year",
        "A review decided by 31 March and not concluded by then, whenever it began.",
    ),
    (
        "Concluded",
        "Children and domestic abuse related deaths: the report published, or the decision "
        "not to publish it made, during the year. Adults: the final report signed off during the year.",
    ),
    ("Timeliness", "Against the review's own clock, allowing for recorded pauses and agreed extensions."),
    (
        "Themes",
        "Of the findings and recommendations of the reviews concluded in the year, each theme "
        "counted once per review.",
    ),
    (
        "Actions overdue at the end of the year",
        "Created by 31 March, deadline passed by then, and "
        "neither completed nor verified by then (against the action's current deadline).",
    ),
    ("Evidence of impact", "Actions verified during the year with evidence attached to their updates."),
    (
        "Achieved",
        "Recommendations whose outcome was re-measured during the year and met its target, as the "
        "partners judged it (verifying the actions alone never achieves one).",
    ),
    (
        "Re-measured, target not yet met",
        "Recommendations re-measured during the year and not achieved by 31 March.",
    ),
    (
        "Awaiting re-measure, and overdue, at the end of the year",
        "Measures set by 31 March, neither achieved nor given up by then. Overdue when the date "
        "to measure again was 31 March or before; awaiting otherwise. That date is the measure's "
        "own when nothing was re-measured after 31 March, else the one the last re-measure by then "
        "set; a measure first re-measured after 31 March counts as awaiting.",
    ),
    (
        "Not acted on, with the reason",
        "Recommendations the partners decided during the year not to pursue, with the reason they recorded.",
    ),
    (
        "No action planned and no decision recorded",
        "Adults: recommendations confirmed, or whose review concluded, by 31 March with no action "
        "planned and no decision not to pursue them recorded by then, whatever the year they were made.",
    ),
)
