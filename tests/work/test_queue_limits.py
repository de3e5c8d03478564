"""A home page shows the most urgent lines of each kind, however many years of work pile up, and
says how many there are in all: the board manager's "Needs your attention" lists the ten most
overdue red actions and the ten latest contributions of dozens, with a link to all of them."""

from __future__ import annotations

import lxml.html
from flask import Flask
from sqlalchemy import select

from casework.actions.models import Action, ActionStatus
from casework.actions.rag import Rag, rag_sql, soon_limit
from casework.core.extensions import db
from casework.notifications.due import SOURCES, open_query
from casework.notifications.models import ReminderKind
from casework.notifications.waiting import WAITING, WaitingKind, waiting_from
from casework.reviews.models import AccuracyAnswer, AnonymisationCheck, AnonymisationFinding
from casework.work.queues import SHOWN, Need, attention, most_urgent, most_urgent_of_many, red_while_open
from tests.notifications.due_world import (
    TODAY,
    add_action,
    add_answer,
    add_request,
    build_world,
    on,
    working_days,
)
from tests.support.http import client_as
from tests.support.sql import statements

RED_ACTIONS, LATE_REQUESTS = SHOWN + 14, SHOWN + 3


def test_each_section_lists_its_most_urgent_lines_and_counts_them_all(app: Flask) -> None:
    world = build_world(app)
    with app.app_context(), on(TODAY):
        # Overdue by 1 to 24 working days, added in no particular order.
        late_by = [(number * 7) % RED_ACTIONS + 1 for number in range(RED_ACTIONS)]
        actions = {days: add_action(world, "X", working_days(-days)) for days in late_by}
        for days in range(1, LATE_REQUESTS + 1):
            add_request(world, "Y" if days % 2 else "X", working_days(-days))
        client = client_as(app, world.user("M1"))
        response = client.get("/reviews/dashboard")
    with app.test_request_context(), on(TODAY):
        found = attention(TODAY)
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))

    counts = [
        " ".join(li.text_content().split()) for li in tree.xpath('//*[@data-testid="attention-counts"]/li')
    ]
    assert f"Red actions: {RED_ACTIONS}" in counts and f"Late contributions: {LATE_REQUESTS}" in counts
    assert tree.xpath('string(//h3[@id="red-actions"])') == f"Red actions ({RED_ACTIONS})"
    red = tree.xpath('//*[@data-testid="attention-red-actions"]//tbody/tr')
    assert len(red) == SHOWN
    # The most overdue first, and none of the less overdue ones.
    shown = [row.xpath("string(.//a/@href)") for row in red]
    assert shown == [f"/actions/{actions[days]}" for days in range(RED_ACTIONS, RED_ACTIONS - SHOWN, -1)]
    more = " ".join(tree.xpath('string(//*[@data-testid="attention-red-actions-more"])').split())
    assert more == f"The {SHOWN} most urgent of {RED_ACTIONS}. See all {RED_ACTIONS} red actions"
    assert tree.xpath('//*[@data-testid="attention-red-actions-more"]//a/@href') == ["/actions/?rag=red"]
    late = tree.xpath('//*[@data-testid="attention-late-contributions"]//tbody/tr')
    assert len(late) == SHOWN and f"{LATE_REQUESTS} working days overdue" in late[0].text_content()
    assert tree.xpath('//*[@data-testid="attention-late-contributions-more"]//a/@href') == [
        "/agencies/contributions?overdue=1"
    ]
    # A section with fewer lines than the limit says nothing more.
    assert not tree.xpath('//*[@data-testid="attention-clocks-more"]')
    assert all(len(items) <= SHOWN for items in found.sections.values())


def test_the_database_picks_the_lines(app: Flask) -> None:
    """Every kind in one statement; each kind's query returns its first lines only, with the count
    of all its rows on each."""
    world = build_world(app)
    with app.test_request_context(), on(TODAY):
        made = [add_action(world, "X", working_days(-days)) for days in range(1, RED_ACTIONS + 1)]
        with statements() as issued:
            found = attention(TODAY)
        rows = db.session.execute(
            most_urgent(select(Action.id, Action.deadline.label("due_on")), "due_on", shown=3)
        ).all()
    assert len([sql for sql in issued if "UNION ALL" in sql]) == 1, issued
    assert found.totals[Need.RED_ACTION] == RED_ACTIONS and len(found.sections[Need.RED_ACTION]) == SHOWN
    assert [row.id for row in rows] == made[-1:-4:-1]  # the three earliest deadlines
    assert {row.in_all for row in rows} == {RED_ACTIONS}


def test_the_agency_lead_sees_the_soonest_due_of_everything_their_agency_owes(app: Flask) -> None:
    world = build_world(app)
    shown = SHOWN * 2
    with app.app_context(), on(TODAY):
        due = {days: add_action(world, "X", working_days(days)) for days in range(shown + 5, 0, -1)}
        late = add_request(world, "X", working_days(-2))
        add_action(world, "Y", working_days(-9), owner="LY")  # another agency's: never counted here
        client = client_as(app, world.user("LX"))
        response = client.get("/work/agency")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    hrefs = tree.xpath('//*[@data-testid="owed"]//tbody//a/@href')
    assert hrefs == [f"/agencies/requests/{late}"] + [f"/actions/{due[days]}" for days in range(1, shown)]
    more = " ".join(tree.xpath('string(//*[@data-testid="owed-more"])').split())
    assert more.startswith(f"The {shown} soonest due of {shown + 6} open requests, checks and actions")


def test_the_red_actions_are_the_open_actions_the_tracker_calls_red(app: Flask) -> None:
    """ "Needs your attention" finds its red actions by a plainer test than the tracker's colours,
    one an index can answer: for every open action it picks the same ones."""
    world = build_world(app)
    with app.test_request_context(), on(TODAY):
        for status in ActionStatus:
            for days in (-30, -1, 0, 1, 5, 30):
                add_action(world, "X", working_days(days), status=status)
        open_actions = open_query(SOURCES[ReminderKind.ACTION]).with_only_columns(Action.id)
        tracker = rag_sql(TODAY, soon_limit(TODAY)) == Rag.RED.value
        red = set(db.session.scalars(open_actions.where(red_while_open(TODAY))))
        assert red == set(db.session.scalars(open_actions.where(tracker)))
        assert len(red) == 2 * 4 + 4  # overdue in any of the four open statuses, or off track
        assert attention(TODAY).totals[Need.RED_ACTION] == len(red)


def test_the_lines_and_the_count_of_a_kind_that_piles_up(app: Flask) -> None:
    """The first lines of a kind that piles up with the years are an ordered, limited select of
    its rows (an index can give them without reading the rest) and its count a count of the same
    rows: no window over all of them."""
    world = build_world(app)
    with app.test_request_context(), on(TODAY):
        made = [add_action(world, "X", working_days(-days)) for days in (3, 1, 4, 2)]
        query = select(Action.id, Action.deadline.label("due_on")).where(Action.id.in_(made))
        rows = db.session.execute(most_urgent_of_many(query, "due_on", shown=2)).all()
        none = db.session.execute(most_urgent_of_many(query.where(Action.id < 0), "due_on", shown=2)).all()
    sql = str(most_urgent_of_many(query, "due_on", shown=2))
    assert "over" not in sql.lower() and "LIMIT" in sql
    assert sorted(row.id for row in rows) == sorted([made[2], made[0]])  # 4 and 3 working days overdue
    assert {row.in_all for row in rows} == {4}
    assert none == []


def test_only_the_latest_check_of_a_version_has_findings_waiting(app: Flask) -> None:
    """A finding of an earlier check is decided no more: only the findings of each version's
    latest anonymisation check wait for a decision."""
    world = build_world(app)
    with app.test_request_context(), on(TODAY):
        answer = db.session.get(AccuracyAnswer, add_answer(world, "X", working_days(3)))
        found = {}
        for label in ("Found by the first check", "Found by the second check"):
            check = AnonymisationCheck(
                version_id=answer.check.version_id, ran_by_id=world.people["M1"], extractable=True
            )
            db.session.add(check)
            db.session.flush()
            finding = AnonymisationFinding(
                check_id=check.id, kind="name", label=label, location="Page 2", context=""
            )
            db.session.add(finding)
            db.session.flush()
            found[label] = f"finding:{finding.id}"
        db.session.commit()
        waiting = waiting_from(WAITING[WaitingKind.FINDING], db.session)
    assert [item.item for item in waiting] == [found["Found by the second check"]]
