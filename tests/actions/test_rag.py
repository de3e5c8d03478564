"""Red, amber, green (and awaiting verification, verified) for every status at every position of
the deadline, with the 10-working-day window counted across real England and Wales bank holidays.

The rule (casework/actions/rag.py), first match wins:
  verified               verified;
  awaiting verification  completed on or before the deadline, not yet verified;
  red                    off track, or past its deadline and not verified;
  amber                  at risk, or the deadline is within 10 working days and the action is
                         neither completed nor verified;
  green                  everything else.
In the table a completed action was completed today, so one whose deadline has passed was
completed late.
"""

from __future__ import annotations

from datetime import date

import pytest

from casework.actions.models import ActionStatus
from casework.actions.rag import SOON, Rag, is_overdue, rag_for, rag_of, soon_limit
from casework.core.workdays import WorkingCalendar

R, A, G, W, V = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.AWAITING, Rag.VERIFIED

NOT_STARTED = ActionStatus.NOT_STARTED
ON_TRACK = ActionStatus.ON_TRACK
AT_RISK = ActionStatus.AT_RISK
OFF_TRACK = ActionStatus.OFF_TRACK
COMPLETED = ActionStatus.COMPLETED
VERIFIED = ActionStatus.VERIFIED

POSITIONS = ("past", "today", "within", "exactly 10", "11", "far")

# The colour of each status with its deadline at each position, written out.
EXPECTED: dict[ActionStatus, tuple[Rag, ...]] = {
    #             past today within =10  11   far
    NOT_STARTED: (R,   A,    A,     A,   G,   G),
    ON_TRACK:    (R,   A,    A,     A,   G,   G),
    AT_RISK:     (R,   A,    A,     A,   A,   A),
    OFF_TRACK:   (R,   R,    R,     R,   R,   R),
    COMPLETED:   (R,   W,    W,     W,   W,   W),
    VERIFIED:    (V,   V,    V,     V,   V,   V),
}  # fmt: skip

# Each scenario: today, the end of the 10-working-day window (worked out by hand from the bank
# holidays), and the deadlines of the other positions ("today" is today, "exactly 10" the end).
DAYS: dict[str, tuple[str, str, str, str, str, str]] = {
    #                  today         window end    past          within        11            far
    # Mon 14 Dec 2026. Christmas Day is a Friday and Boxing Day a Saturday, so the bank holidays
    # are Fri 25 and Mon 28 December (the substitute day): working days 15, 16, 17, 18, 21, 22,
    # 23, 24, 29, 30 December. Ten weekdays alone would end on Mon 28 December; "within" is past
    # "ten weekdays", still inside the window.
    "christmas 2026": ("2026-12-14", "2026-12-30", "2026-12-11", "2026-12-29", "2026-12-31", "2027-03-01"),
    # Thu 24 Dec 2026, across the new year: 25 and 28 December and 1 January are bank holidays.
    # Working days 29, 30, 31 December, 4, 5, 6, 7, 8, 11, 12 January. "within" is New Year's
    # Day: a deadline on a bank holiday.
    "new year 2027": ("2026-12-24", "2027-01-12", "2026-12-23", "2027-01-01", "2027-01-13", "2027-06-30"),
    # Mon 22 Mar 2027. Good Friday is 26 March and Easter Monday 29 March: working days 23, 24,
    # 25, 30, 31 March, 1, 2, 5, 6, 7 April.
    "easter 2027": ("2027-03-22", "2027-04-07", "2027-03-21", "2027-04-06", "2027-04-08", "2027-09-01"),
}  # fmt: skip


def _scenario(days: tuple[str, ...]) -> tuple[date, date, dict[str, date]]:
    """Today, the end of the window, and the deadline at each position."""
    today, soon, past, within, eleven, far = (date.fromisoformat(day) for day in days)
    return today, soon, dict(zip(POSITIONS, (past, today, within, soon, eleven, far), strict=True))


SCENARIOS = {name: _scenario(days) for name, days in DAYS.items()}

CASES = [
    pytest.param(scenario, status, position, expected, id=f"{scenario}-{status.value}-{position}")
    for scenario in SCENARIOS
    for status, row in EXPECTED.items()
    for position, expected in zip(POSITIONS, row, strict=True)
]


def test_the_table_covers_every_status_and_position() -> None:
    assert SOON == 10
    assert set(EXPECTED) == set(ActionStatus)
    assert all(len(row) == len(POSITIONS) for row in EXPECTED.values())
    for _today, _soon, deadlines in SCENARIOS.values():
        assert tuple(deadlines) == POSITIONS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_window_is_ten_working_days_not_counting_bank_holidays(scenario: str) -> None:
    today, soon, deadlines = SCENARIOS[scenario]
    calendar = WorkingCalendar()
    assert soon_limit(today, calendar) == soon
    assert calendar.working_days_between(today, deadlines["exactly 10"]) == 10
    assert calendar.working_days_between(today, deadlines["11"]) == 11
    assert deadlines["past"] < today < deadlines["within"] < soon < deadlines["11"] < deadlines["far"]


@pytest.mark.parametrize(("scenario", "status", "position", "expected"), CASES)
def test_rag_for_every_status_and_deadline(
    scenario: str, status: ActionStatus, position: str, expected: Rag
) -> None:
    today, _soon, deadlines = SCENARIOS[scenario]
    soon = soon_limit(today, WorkingCalendar())
    assert rag_for(status, deadlines[position], today, soon, completed_on=today) == expected


def test_a_verified_action_past_its_deadline_is_verified_not_red() -> None:
    today = date(2026, 12, 14)
    soon = soon_limit(today, WorkingCalendar())
    for deadline in (date(2026, 12, 11), date(2026, 1, 5), date(2020, 6, 1)):
        assert rag_for(VERIFIED, deadline, today, soon, completed_on=deadline) == Rag.VERIFIED
        assert rag_for(COMPLETED, deadline, today, soon, completed_on=today) == Rag.RED


def test_completed_in_time_waits_for_verification_without_turning_red() -> None:
    """Completed on or before the deadline: "awaiting verification" however long the board takes."""
    deadline = date(2026, 12, 11)
    for completed_on in (date(2026, 11, 2), deadline):
        for today in (date(2026, 12, 1), deadline, date(2026, 12, 14), date(2027, 6, 30)):
            soon = soon_limit(today, WorkingCalendar())
            assert rag_for(COMPLETED, deadline, today, soon, completed_on) == Rag.AWAITING
            assert not is_overdue(_Action(COMPLETED, deadline, completed_on), today)  # type: ignore[arg-type]


def test_completed_after_its_deadline_is_red_until_verified() -> None:
    today = date(2026, 12, 14)
    soon = soon_limit(today, WorkingCalendar())
    deadline = date(2026, 12, 11)
    late = date(2026, 12, 12)
    assert rag_for(COMPLETED, deadline, today, soon, late) == Rag.RED
    assert is_overdue(_Action(COMPLETED, deadline, late), today)  # type: ignore[arg-type]
    # a completion with no recorded day is never taken as in time
    assert rag_for(COMPLETED, deadline, today, soon, None) == Rag.RED
    assert rag_for(VERIFIED, deadline, today, soon, late) == Rag.VERIFIED


def test_the_window_counts_from_a_weekend_or_a_bank_holiday() -> None:
    """Today itself need not be a working day: the window is the next ten that are."""
    calendar = WorkingCalendar()
    # Christmas Day (a Friday) and the Saturday after: 29, 30, 31 December, 4 to 8 and 11, 12 January
    assert soon_limit(date(2026, 12, 25), calendar) == date(2027, 1, 12)
    assert soon_limit(date(2026, 12, 26), calendar) == date(2027, 1, 12)
    assert soon_limit(date(2027, 3, 26), calendar) == date(2027, 4, 12)  # Good Friday


def test_closure_days_also_push_the_window_out() -> None:
    closures = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    calendar = WorkingCalendar(closures=closures)
    soon = soon_limit(date(2026, 12, 14), calendar)
    assert soon == date(2027, 1, 5)  # 15 to 24 December (8), then 4 and 5 January
    assert rag_for(ON_TRACK, date(2027, 1, 5), date(2026, 12, 14), soon) == A
    assert rag_for(ON_TRACK, date(2027, 1, 6), date(2026, 12, 14), soon) == G


class _Action:
    """Just the fields rag_of and is_overdue read."""

    def __init__(self, status: ActionStatus, deadline: date, completed_on: date | None = None) -> None:
        self.status, self.deadline, self.completed_on = status, deadline, completed_on


@pytest.mark.parametrize("status", list(ActionStatus))
@pytest.mark.parametrize("position", POSITIONS)
def test_rag_of_and_overdue_follow_the_same_rule(status: ActionStatus, position: str) -> None:
    today, soon, deadlines = SCENARIOS["christmas 2026"]
    action = _Action(status, deadlines[position], today if status in (COMPLETED, VERIFIED) else None)
    assert rag_of(action, today, soon) == rag_for(status, deadlines[position], today, soon, today)  # type: ignore[arg-type]
    # completed today: overdue only if the deadline had already passed
    assert is_overdue(action, today) == (position == "past" and status != VERIFIED)  # type: ignore[arg-type]
