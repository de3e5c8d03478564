"""Each home page says so when there is nothing to do."""

from __future__ import annotations

import lxml.html
from flask import Flask

from casework.auth.models import Role
from casework.core.extensions import db
from tests.support.http import client_as
from tests.support.people import make_agency, make_user


def test_each_home_says_when_there_is_nothing(app: Flask) -> None:
    with app.app_context():
        people = [
            make_user(Role.BOARD_MANAGER).id,
            make_user(Role.AGENCY_LEAD, agency=make_agency("Quiet agency")).id,
            make_user(Role.REVIEWER).id,
        ]
        db.session.commit()
    homes = ("/reviews/dashboard", "/work/agency", "/work/reviewer")
    for person, path, empty in zip(
        people, homes, ("attention-empty", "owed-empty", "tasks-empty"), strict=True
    ):
        response = client_as(app, person).get(path)
        tree = lxml.html.fromstring(response.get_data(as_text=True))
        assert response.status_code == 200 and tree.xpath(f'//*[@data-testid="{empty}"]'), path
