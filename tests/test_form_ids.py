"""Forms name their fields so that browsers and assistive technology find them (a date's error
link goes to its Day box, forms sharing a page keep their ids apart), and the words fit the review."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from casework.agencies.forms import CsvForm, UploadForm
from tests.conftest import post_form


def test_a_date_error_in_the_summary_links_to_the_day_box(manager_client: FlaskClient) -> None:
    response = post_form(manager_client, "/reviews/working-days", {"day": ["", "", ""], "description": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page[page.index("govuk-error-summary") :]
    assert re.search(r'<a href="#day-day">\s*Enter the date the partnership is closed', summary)
    assert 'id="day-day"' in page  # the link has somewhere to go


def test_forms_sharing_a_page_keep_their_ids_apart_but_post_the_same_names(app: Flask) -> None:
    with app.test_request_context():
        csv, upload = CsvForm(formdata=None), UploadForm(formdata=None)
        assert (csv.file.id, upload.file.id) == ("csv-file", "upload-file")
        assert csv.file.name == upload.file.name == "file"
        assert 'id="csv-file"' in str(csv.file()) and 'for="csv-file"' in str(csv.file())


def test_the_subject_is_named_for_the_type_of_review(app: Flask) -> None:
    from casework.core.extensions import db
    from casework.reviews.models import ReviewType

    with app.app_context():
        types = {t.code: t for t in db.session.execute(db.select(ReviewType)).scalars()}
        label = "Child 1, Child 2: surname"
        assert types["CSPR"].for_subject(label) == label
        assert types["SAR"].for_subject(label) == "Adult 1, Adult 2: surname"
        assert types["DHR"].for_subject("Child 1: date of birth") == "Victim 1: date of birth"
        assert (types["SAR"].subject_plural, types["CSPR"].subject_plural) == ("Adults", "Children")
