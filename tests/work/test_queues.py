"""The work queues on each role's home: the board manager's "Needs your attention", the agency
lead's "What your agency owes" and the reviewer's "Your tasks". Each kind appears for the right
person, in urgency order, and never for someone else; every link answers that person; the pages
say so when there is nothing; hostile query strings change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.notifications.due_world import TODAY, on
from tests.support.http import client_as
from tests.support.readonly import built_once
from tests.work.queue_world import QueueWorld, build_queue_world

DASHBOARD, AGENCY, REVIEWER = "/reviews/dashboard", "/work/agency", "/work/reviewer"


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[QueueWorld]:
    with built_once(app, lambda: build_queue_world(app), may_add_to={"audit_events"}) as built:
        yield built


def page(app: Flask, world: QueueWorld, person: str, path: str) -> tuple[FlaskClient, lxml.html.HtmlElement]:
    with on(TODAY):
        client = client_as(app, world.people[person])
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return client, lxml.html.fromstring(response.get_data(as_text=True))


def rows(tree: lxml.html.HtmlElement, testid: str) -> list[str]:
    """Each row's text, whitespace squeezed, of the table(s) with that test id."""
    return [
        " ".join(row.text_content().split()) for row in tree.xpath(f'//*[@data-testid="{testid}"]//tbody/tr')
    ]


def links(tree: lxml.html.HtmlElement, testid: str) -> list[str]:
    return tree.xpath(f'//*[@data-testid="{testid}"]//tbody//a/@href')


def follow(app: Flask, client: FlaskClient, hrefs: list[str]) -> None:
    assert hrefs
    with on(TODAY):
        for href in hrefs:
            assert client.get(href).status_code == 200, href


pytestmark = pytest.mark.read_only


# --- the board manager ------------------------------------------------------------------------


def test_the_manager_sees_every_kind_with_its_count(app: Flask, world: QueueWorld) -> None:
    _, tree = page(app, world, "M1", DASHBOARD)
    counts = [
        " ".join(li.text_content().split()) for li in tree.xpath('//*[@data-testid="attention-counts"]/li')
    ]
    assert counts == [
        "Statutory deadlines overdue or due soon: 1",
        "Late contributions: 2",
        "Submissions to accept or return: 1",
        "Completed actions awaiting verification: 1",
        "Deadline changes asked for: 1",
        "Appointments not accepted: 1",
        "Factual accuracy answers overdue: 1",
        "Red actions: 2",
        "Anonymisation findings waiting for a decision: 1",
        "Outcome re-measures overdue or due soon: 0",
    ]
    # Each count links to its section, and each section is there.
    for anchor in tree.xpath('//*[@data-testid="attention-counts"]//a/@href'):
        assert tree.xpath(f'//*[@id="{anchor[1:]}"]'), anchor
    assert world.items["clock_label"] in rows(tree, "attention-clocks")[0]
    # The statutory clocks panel stays.
    assert tree.xpath('//*[@data-testid="upcoming-deadlines"]')


def test_the_managers_sections_are_in_urgency_order(app: Flask, world: QueueWorld) -> None:
    _, tree = page(app, world, "M1", DASHBOARD)
    late = rows(tree, "attention-late-contributions")
    # X is 3 working days late, Y 1: the most overdue first.
    assert "Northshire Police" in late[0] and "3 working days overdue" in late[0]
    assert "Riverside NHS Trust" in late[1] and "1 working day overdue" in late[1]
    red = rows(tree, "attention-red-actions")
    assert "overdue" in red[0] and "left" in red[1]  # overdue before off track with time left
    sections = [h.get("id") for h in tree.xpath("//h3[@id]")]
    # Overdue sections come before those that only wait on a decision.
    assert sections.index("late-contributions") < sections.index("submissions")
    assert sections.index("clocks") < sections.index("findings")


def test_every_link_of_the_managers_queue_answers_them(app: Flask, world: QueueWorld) -> None:
    client, tree = page(app, world, "M1", DASHBOARD)
    follow(app, client, tree.xpath('//*[starts-with(@data-testid, "attention-")]//tbody//a/@href'))


# --- the agency lead --------------------------------------------------------------------------


def test_the_agency_lead_sees_what_their_agency_owes_by_due_date(app: Flask, world: QueueWorld) -> None:
    _, tree = page(app, world, "LX", AGENCY)
    owed = rows(tree, "owed")
    kinds = [line.split(" Due ")[0] for line in owed]
    assert len(owed) == 5, owed  # late and later requests, the overdue check, two open actions
    assert "Action" in kinds[0] and "5 working days overdue" in owed[0]
    assert "Contribution request" in kinds[1] and "3 working days overdue" in owed[1]
    assert "Factual accuracy check" in kinds[2] and "2 working days overdue" in owed[2]
    assert "20 working days left" in owed[3] and "30 working days left" in owed[4]
    assert not any("Riverside" in line for line in owed)
    # Finished work is apart, folded away: the accepted request and the completed action.
    finished = tree.xpath('//details[@data-testid="finished"]')[0]
    assert finished.get("open") is None
    done = rows(tree, "finished-items")
    assert (
        len(done) == 2
        and any("Accepted" in line for line in done)
        and any("Completed" in line for line in done)
    )


def test_another_agencys_lead_sees_only_their_own(app: Flask, world: QueueWorld) -> None:
    client, tree = page(app, world, "LY", AGENCY)
    owed = rows(tree, "owed")
    assert len(owed) == 3, owed  # Y's late request, its check due later, its green action
    assert "1 working day overdue" in owed[0]
    hrefs = links(tree, "owed") + links(tree, "finished-items")
    mine = {f"/agencies/requests/{world.items['y_late']}", f"/actions/{world.items['y_green']}"}
    assert mine <= set(hrefs)
    assert f"/agencies/requests/{world.items['x_late']}" not in hrefs
    follow(app, client, hrefs)


def test_every_link_of_the_agency_queue_answers_its_lead(app: Flask, world: QueueWorld) -> None:
    client, tree = page(app, world, "LX", AGENCY)
    follow(app, client, links(tree, "owed") + links(tree, "finished-items"))


# --- the reviewer -----------------------------------------------------------------------------


def test_the_reviewer_sees_their_tasks_per_review(app: Flask, world: QueueWorld) -> None:
    client, tree = page(app, world, "R", REVIEWER)
    sections = tree.xpath('//section[starts-with(@data-testid, "tasks-")]')
    assert len(sections) == 1  # the CSPR: the SAR is not theirs
    tasks = [" ".join(row.text_content().split()) for row in sections[0].xpath(".//tbody/tr")]
    assert world.items["clock_label"] in tasks[0] and "overdue" in tasks[0]
    assert any("Contribution to read" in task and "Riverside NHS Trust" in task for task in tasks)
    assert any("Comment to answer" in task and "Northshire Police" in task for task in tasks)
    assert tree.xpath('//a[@href="/reviews/"]')  # the list of their reviews is a click away
    assert not tree.xpath('//input[@name="q"]')  # no search form
    follow(app, client, sections[0].xpath(".//tbody//a/@href"))


def test_a_reviewer_on_no_review_has_no_tasks(app: Flask, world: QueueWorld) -> None:
    _, tree = page(app, world, "R2", REVIEWER)
    assert tree.xpath('//*[@data-testid="tasks-empty"]')
    assert not tree.xpath('//section[starts-with(@data-testid, "tasks-")]')


def test_a_reviewer_offered_a_review_is_asked_to_answer(app: Flask, world: QueueWorld) -> None:
    client, tree = page(app, world, "R3", REVIEWER)
    offers = tree.xpath('//*[@data-testid="pending-appointments"]//a/@href')
    assert len(offers) == 1
    follow(app, client, offers)


# --- who lands where, and refusals --------------------------------------------------------------


@pytest.mark.parametrize(("person", "home"), [("M1", DASHBOARD), ("LX", AGENCY), ("R", REVIEWER)])
def test_each_role_lands_on_its_queue(app: Flask, world: QueueWorld, person: str, home: str) -> None:
    with on(TODAY):
        response = client_as(app, world.people[person]).get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(home)


@pytest.mark.parametrize(
    ("person", "path"), [("M1", AGENCY), ("M1", REVIEWER), ("LX", REVIEWER), ("R", AGENCY)]
)
def test_other_roles_are_refused(app: Flask, world: QueueWorld, person: str, path: str) -> None:
    with on(TODAY):
        assert client_as(app, world.people[person]).get(path).status_code == 403


@pytest.mark.parametrize(
    "query", ["?page=%00", "?kind=%00%ff", "?q=' OR 1=1 --", "?page=99999999999999999999"]
)
@pytest.mark.parametrize(("person", "path"), [("M1", DASHBOARD), ("LX", AGENCY), ("R", REVIEWER)])
def test_hostile_query_strings_change_nothing(
    app: Flask, world: QueueWorld, person: str, path: str, query: str
) -> None:
    with on(TODAY):
        response = client_as(app, world.people[person]).get(path + query)
    assert response.status_code in (200, 400)
