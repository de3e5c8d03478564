"""A publication delay names the parallel process that caused it: offered on the publication page
from the review's register, refused when it is not this review's (or is over), shown with the
delay and on the timeline, and first in the reasons the delay notice owes the Panel. Through the
pages, as the board manager who records it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.reviews.models import (
    NoticeRequirement,
    ParallelProcess,
    ProcessKind,
    ProcessStatus,
    PublicationDelay,
    Review,
    ReviewNotice,
)
from casework.reviews.publication import publishing
from casework.reviews.records import processes
from casework.reviews.timeline import describe_all
from tests.support.copies import replayed
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_user
from tests.support.records import trial_and_care_proceedings
from tests.support.reviews import make_review
from tests.support.rows import stored

TODAY = date(2026, 11, 18)  # a Wednesday
TRIAL = "Criminal investigation or prosecution: Trial of the father"


@dataclass(frozen=True)
class World:
    review_id: int
    manager_id: int
    trial_id: int  # under way, expected to end 3 March 2027
    inquest_id: int  # expected, started before the trial
    care_id: int  # care proceedings, concluded
    elsewhere_id: int  # a process of another review


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(app: Flask, folder: object, today: None) -> World:
    """A CSPR at publication with three processes on its register, and another review with one."""
    return replayed(app, "publication delays world", lambda: _build_world(app))


def _build_world(app: Flask) -> World:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review("CSPR", "publication", by=manager)
        other = make_review("CSPR", "awaiting_reviewer", by=manager)
        review, other = stored(Review, review.id), stored(Review, other.id)
        trial, care = trial_and_care_proceedings(TODAY)
        inquest = processes.ProcessDetails(
            kind=ProcessKind.INQUEST,
            description="Inquest into the death",
            status=ProcessStatus.EXPECTED,
            started_on=TODAY - timedelta(days=40),
        )
        elsewhere = processes.ProcessDetails(
            kind=ProcessKind.INQUEST, description="Another child's inquest", status=ProcessStatus.EXPECTED
        )
        added = [
            processes.add_process(on, details, manager)
            for on, details in ((review, trial), (review, inquest), (review, care), (other, elsewhere))
        ]
        db.session.commit()
        return World(review.id, manager.id, *(process.id for process in added))


def _client(app: Flask, world: World) -> FlaskClient:
    return client_as(app, world.manager_id)


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _delay(**changes: object) -> dict[str, object]:
    return {"reason": "Awaiting the criminal trial", "expected_until": _day(date(2027, 3, 31)), **changes}


def _url(world: World, part: str = "") -> str:
    return f"/reviews/{world.review_id}/publication{part}"


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _timeline(app: Flask, review_id: int) -> str:
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.review_id == review_id).order_by(AuditEvent.id)
        ).scalars()
        return " | ".join(event.sentence for event in describe_all(list(events)))


def _delays(app: Flask) -> list[int | None]:
    with app.app_context():
        return list(
            db.session.execute(select(PublicationDelay.process_id).order_by(PublicationDelay.id)).scalars()
        )


def _delay_notice_reason_box(app: Flask, client: FlaskClient, world: World) -> str:
    with app.app_context():
        notice_id = db.session.execute(
            select(ReviewNotice.id)
            .join(NoticeRequirement)
            .where(ReviewNotice.review_id == world.review_id, NoticeRequirement.key == "delay_reasons")
        ).scalar_one()
    page = page_text(client.get(f"/reviews/{world.review_id}/notices/{notice_id}"))
    box = re.search(r'<textarea[^>]*name="reason"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert box, "no reason box on the delay notice's page"
    return box.group(1).strip()


def test_a_delay_naming_a_process_shows_it_on_the_publication_page_and_the_timeline(
    app: Flask, world: World
) -> None:
    manager = _client(app, world)
    page = page_text(manager.get(_url(world)))
    # Offered: the review's processes not yet over; not the concluded one, not another review's.
    offered = re.search(r'<select[^>]*name="caused_by"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert offered
    assert f'value="{world.trial_id}"' in offered.group(1) and f'value="{world.inquest_id}"' in offered.group(
        1
    )
    assert f'value="{world.care_id}"' not in offered.group(1)
    assert f'value="{world.elsewhere_id}"' not in offered.group(1)

    response = post_form(manager, _url(world, "/delays"), _delay(caused_by=str(world.trial_id)))
    assert response.status_code == 302
    assert _delays(app) == [world.trial_id]
    listed = _words(page_text(manager.get(_url(world))))
    assert f"Awaiting the criminal trial (expected until 31 March 2027); caused by the {TRIAL}" in listed
    assert (
        "recorded a delay to publication because of the criminal investigation or prosecution "
        "(expected until 31 March 2027)" in _timeline(app, world.review_id)
    )


def test_a_process_of_another_review_or_one_that_is_over_is_refused_and_saves_nothing(
    app: Flask, world: World
) -> None:
    manager = _client(app, world)
    for process_id in (world.elsewhere_id, world.care_id, 999999):
        response = post_form(manager, _url(world, "/delays"), _delay(caused_by=str(process_id)))
        assert response.status_code == 400, process_id
        assert "Not a valid choice" in page_text(response), process_id
    # The service holds the same rule whatever calls it.
    with app.app_context():
        review, by = stored(Review, world.review_id), stored(User, world.manager_id)
        for process_id, message in (
            (world.elsewhere_id, "Select a process of this review"),
            (world.care_id, "The Family proceedings: Care proceedings is concluded"),
        ):
            with pytest.raises(DomainError, match=re.escape(message)) as refused:
                publishing.record_delay(review, "Awaiting the trial", None, by, process_id=process_id)
            assert refused.value.field == "caused_by"
            db.session.rollback()
    assert _delays(app) == []
    with app.app_context():
        delayed = select(func.count()).where(AuditEvent.action == "publication_delayed")
        assert db.session.execute(delayed).scalar_one() == 0


def test_the_delay_notice_reasons_start_from_the_named_process_without_repeating_it(
    app: Flask, world: World
) -> None:
    manager = _client(app, world)
    post_form(manager, _url(world, "/delays"), _delay(caused_by=str(world.trial_id)))
    post_form(manager, _url(world, "/delays"), _delay(reason="Trial moved", caused_by=str(world.trial_id)))
    trial = f"{TRIAL} (under way, expected to end 3 March 2027)"
    inquest = "Inquest: Inquest into the death (expected)"
    # The register orders the inquest first (it started first); the named trial leads instead.
    assert _delay_notice_reason_box(app, manager, world) == f"{trial}; {inquest}"

    # Once the trial is over it is still why publication waited: named, with its status now.
    with app.app_context():
        process = stored(ParallelProcess, world.trial_id)
        details = processes.ProcessDetails(
            kind=process.kind,
            description=process.description,
            status=ProcessStatus.CONCLUDED,
            started_on=process.started_on,
            expected_end_on=process.expected_end_on,
            ended_on=TODAY,
        )
        processes.update_process(process, details, process.version)
        db.session.commit()
    box = _delay_notice_reason_box(app, manager, world)
    assert box == f"{TRIAL} (concluded, expected to end 3 March 2027); {inquest}"


def test_a_delay_naming_no_process_works_as_before(app: Flask, world: World) -> None:
    manager = _client(app, world)
    # As a page drawn before the field existed would send it: no caused_by at all.
    assert post_form(manager, _url(world, "/delays"), _delay()).status_code == 302
    assert (
        post_form(manager, _url(world, "/delays"), _delay(reason="Inquest", caused_by="")).status_code == 302
    )
    assert _delays(app) == [None, None]
    listed = _words(page_text(manager.get(_url(world))))
    assert (
        "Awaiting the criminal trial (expected until 31 March 2027)" in listed and "caused by" not in listed
    )
    timeline = _timeline(app, world.review_id)
    assert "recorded a delay to publication (expected until 31 March 2027)" in timeline
    assert "because of" not in timeline
    # The notice's reasons are the processes still running, in the register's order.
    assert _delay_notice_reason_box(app, manager, world) == (
        f"Inquest: Inquest into the death (expected); {TRIAL} (under way, expected to end 3 March 2027)"
    )
