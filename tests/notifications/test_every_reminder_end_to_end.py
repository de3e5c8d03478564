"""The daily pass goes the whole way: reminders of every kind (a request, an accuracy answer, an
action escalated to the board managers, a statutory clock, an appointment not accepted) become
one digest per person, queued with the pass, taken from the queue (a SQLite file, then Redis) by a
worker and delivered to a real SMTP server on loopback; a second pass the same day sends nothing."""

from __future__ import annotations

import re

from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.reminders import run_daily_pass
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from tests.notifications.due_world import (
    ADDRESS,
    CHILD_NAME,
    TODAY,
    World,
    add_action,
    add_answer,
    add_request,
    on,
    working_days,
)
from tests.support.http import client_as
from tests.support.queue import run_worker
from tests.support.reviews import make_review
from tests.support.smtp import MailServer

LINK = re.compile(r"https?://[^/\s]+(/\S*)")


def _something_of_every_kind_due(app: Flask, world: World) -> dict[str, str]:
    """What each digest must name: a line of every kind of reminder, by the text it shows."""
    with app.app_context(), on(working_days(-5)):
        review = db.session.get(Review, world.reviews["CSPR"])
        appointments.assign_reviewer(review, world.user("R"), AssignmentRole.LEAD, world.user("M1"))
        db.session.commit()
    with app.app_context(), on(TODAY):
        add_request(world, "X", working_days(-2))
        add_answer(world, "X", working_days(1))
        add_answer(world, "Y", working_days(-3))  # escalated to the board managers
        add_action(world, "Y", working_days(-10), owner="LY")
        late = make_review(
            "CSPR", by=world.user("M1"), became_aware_on=working_days(-8), panel_notified_on=None
        )
        return {"clock": f"{late.reference} ({late.pseudonym}): Notify the Panel"}


def _deliver(app: Flask) -> None:
    with app.app_context(), on(TODAY):
        run_daily_pass(TODAY)  # commits: the commit wakes delivery
        assert "deliver_mail" in run_worker()


def test_every_kind_of_reminder_reaches_its_people_in_one_digest_through_the_queue(
    mail_app: Flask, smtp: MailServer, queue_backend: str, world: World
) -> None:
    expected = _something_of_every_kind_due(mail_app, world)
    with mail_app.app_context():
        addresses = {key: world.email(key) for key in ("LX", "LX2", "LY", "M1", "M2")}
    _deliver(mail_app)

    digests = {
        address: r.message
        for r in smtp.received
        for address in r.recipients
        if "your Casework digest" in str(r.message["Subject"])
    }
    assert set(digests) == set(addresses.values())  # the inactive lead and manager get nothing
    bodies = {}
    for address, message in digests.items():
        plain, html = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
        assert plain is not None and html is not None
        bodies[address] = plain.get_content()
        for part in (str(message["Subject"]), plain.get_content(), html.get_content()):
            assert CHILD_NAME not in part and ADDRESS not in part
    lead, other_lead, manager = bodies[addresses["LX"]], bodies[addresses["LY"]], bodies[addresses["M1"]]
    assert "Chronology from Northshire Police" in lead and "Factual accuracy answer" in lead
    assert "Action on recommendation" in other_lead
    assert "ESCALATED TO YOU" in manager and "Action on recommendation" in manager
    assert expected["clock"] in manager
    assert "not yet accepted" in manager
    with mail_app.app_context():
        statuses = db.session.execute(
            db.select(OutboxMessage.status).where(OutboxMessage.kind == "digest")
        ).scalars()
        assert set(statuses) == {MailStatus.SENT}

    # The pass again the same day (a second scheduler, a re-run): nothing more is sent.
    sent = len(smtp.received)
    with mail_app.app_context(), on(TODAY):
        run_daily_pass(TODAY)
        run_worker()
    assert len(smtp.received) == sent


def test_every_link_in_every_digest_opens_for_the_person_it_was_sent_to(app: Flask, world: World) -> None:
    _something_of_every_kind_due(app, world)
    with app.app_context(), on(TODAY):
        run_daily_pass(TODAY)
        digests = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "digest")).scalars()
        links = {(row.recipient_id, path) for row in digests for path in LINK.findall(row.text_body)}
        people = {user_id: db.session.get(User, user_id) for user_id, _ in links}
    assert {path.split("/")[1] for _, path in links} >= {"agencies", "reviews", "actions"}
    with on(TODAY):
        for user_id, path in sorted(links):
            response = client_as(app, people[user_id]).get(path, follow_redirects=True)
            assert response.status_code == 200, (
                f"{people[user_id].email}: {path} answered {response.status_code}"
            )
