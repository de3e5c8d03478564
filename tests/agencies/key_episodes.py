"""Marking a chronology entry as a key episode, where the person may not: shared by the
contribution tests and the access matrix."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from casework.agencies.contributions import ChronologyEntry
from casework.core.extensions import db
from tests.support.http import post_form


def assert_not_marked(
    app: Flask, client: FlaskClient, review_id: int, entry: int, note: str, token_from: str
) -> None:
    """Marking ``entry`` through review ``review_id``'s chronology is not found (404: the person
    may not know it is there), and the entry stays unmarked."""
    response = post_form(
        client,
        f"/reviews/{review_id}/chronology/{entry}/key",
        {"mark": "1", "note": note},
        token_from=token_from,
    )
    assert response.status_code == 404, (review_id, response.status_code)
    with app.app_context():
        found = db.session.get(ChronologyEntry, entry)
        assert found is not None and found.key_episode is False
