"""The public register: exactly the published reviews and the decisions not to publish, in the
right sections; nothing else about any review; downloads only of what was published."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from casework.auth.access import policy_of
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.display import format_date
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.documents.storage import store_upload
from casework.reviews.models import (
    ConfidentialRecord,
    DraftVersion,
    IdentifiedPerson,
    PersonKind,
    Publication,
    Review,
)
from tests.reviews.conftest import make_review
from tests.support.copies import replayed
from tests.support.files import pdf_labelled as pdf
from tests.support.http import client_as
from tests.support.people import make_user
from tests.support.readonly import built_once

REGISTER = "/published-reviews/"
STAFF_NAME = "Ottoline Grimsby-Vance"


@dataclass
class Case:
    """One review on (or kept off) the register, with everything recorded about it."""

    key: str
    reference: str = ""
    pseudonym: str = ""
    identifiers: list[str] = field(default_factory=list)
    draft_names: list[str] = field(default_factory=list)
    report_bytes: bytes | None = None
    briefing_bytes: bytes | None = None
    document_ids: list[int] = field(default_factory=list)
    stored_names: list[str] = field(default_factory=list)


# key: (type, pseudonym, published days ago, not published days ago, withdrawn days ago,
#       Publication row?, report?, briefing?)
PLAN: dict[str, tuple[str, str, int | None, int | None, int | None, bool, bool, bool]] = {
    "recent": ("CSPR", "Child Alder", 10, None, None, True, True, True),
    "last_year": ("SAR", "Adult Birch", 400, None, None, True, True, False),
    "not_published": ("CSPR", "Child Cedar", None, 30, None, True, False, False),
    "archived": ("CSPR", "Child Damson", 4 * 366, None, None, True, True, True),
    "withdrawn": ("CSPR", "Child Elm", 200, None, 5, True, True, True),
    "unpublished": ("CSPR", "Child Fir", None, None, None, True, False, False),
    "no_record": ("DHR", "Adult Gorse", None, None, None, False, False, False),
    "embargoed": ("CSPR", "Child Hazel", -7, None, None, True, True, True),  # a date still to come
}
PUBLIC = ("recent", "last_year", "not_published", "archived")
HIDDEN = ("withdrawn", "unpublished", "no_record", "embargoed")
# What a not-published review recorded for publication before the decision: never shown.
UNSHOWN_SUMMARY = "Summary drafted for Child Cedar before the decision"


def _upload(name: str, content: bytes, manager: User, review: Review) -> Document:
    return store_upload(
        FileStorage(io.BytesIO(content), filename=name, content_type="application/pdf"),
        uploaded_by=manager,
        review=review,
    )


def _build_case(key: str, manager: User, today: date) -> Case:
    code, pseudonym, published, not_published, withdrawn, has_row, has_report, has_briefing = PLAN[key]
    made = make_review(code, "awaiting_reviewer", by=manager, pseudonym=pseudonym)
    review = db.session.get(Review, made.id)
    assert review is not None
    case = Case(key, reference=review.reference, pseudonym=pseudonym)
    surname = key.replace("_", "").capitalize()

    # Identifying details, as the board manager records them: never on a public page.
    child, carer = f"Marigold Quenby{surname}", f"Thaddeus Quenby{surname}"
    address = f"17 Wistelow Crescent {surname}, Northshire"
    birth = date(2019, 3, 14)
    review.confidential = ConfidentialRecord(
        address=address,
        people=[
            IdentifiedPerson(
                kind=PersonKind.CHILD,
                position=1,
                full_name=child,
                other_names=f"Goldie{surname}",
                date_of_birth=birth,
            ),
            IdentifiedPerson(
                kind=PersonKind.PARENT_CARER,
                position=1,
                full_name=carer,
                relationship_to_child="Father",
            ),
        ],
    )
    case.identifiers = [child, carer, f"Goldie{surname}", address, "14 March 2019", "2019-03-14"]

    # Two draft versions, the second final, each under a working name.
    versions = []
    for number in (1, 2):
        name = f"{surname}-draft-v{number}-unredacted.pdf"
        content = pdf(f"{key} version {number}")
        document = _upload(name, content, manager, review)
        versions.append(
            DraftVersion(
                review_id=review.id,
                number=number,
                document_id=document.id,
                summary=f"Version {number} for {child}",
                uploaded_by_id=manager.id,
                final_signed_off_on=today - timedelta(days=3) if number == 2 else None,
            )
        )
        case.draft_names.append(name)
        case.document_ids.append(document.id)
        case.stored_names.append(document.stored_name)
    db.session.add_all(versions)
    db.session.flush()
    if has_report:
        case.report_bytes = pdf(f"{key} version 2")

    if has_row:
        publication = Publication(
            review_id=review.id,
            public_summary=UNSHOWN_SUMMARY if key == "not_published" else f"What happened to {pseudonym}.",
            learning=f"Learning from the review of {pseudonym}.",
            public_recommendations=f"Recommendations after the review of {pseudonym}.",
            published_by_id=manager.id if published is not None else None,
        )
        if published is not None:
            publication.published_on = today - timedelta(days=published)
            publication.published_version_id = versions[-1].id if has_report else None
            review.published_on = publication.published_on
        if not_published is not None:
            publication.not_published_on = today - timedelta(days=not_published)
            publication.not_published_reason = "Publishing could harm the child's surviving siblings."
            publication.improvement_information = "Health visitors now ask about new partners at every visit."
        if withdrawn is not None:
            publication.withdrawn_on = today - timedelta(days=withdrawn)
            publication.withdrawal_reason = f"Withdrawn: it named {child} by mistake"
            publication.withdrawn_by_id = manager.id
        if has_briefing:
            name = f"{surname}-briefing-working-copy.pdf"
            case.briefing_bytes = pdf(f"{key} briefing")
            briefing = _upload(name, case.briefing_bytes, manager, review)
            publication.briefing_document_id = briefing.id
            case.draft_names.append(name)
            case.document_ids.append(briefing.id)
            case.stored_names.append(briefing.stored_name)
        db.session.add(publication)
    db.session.commit()
    return case


@pytest.fixture
def register(app: Flask, tmp_path, monkeypatch) -> dict[str, Case]:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "register", lambda: build_register(app, tmp_path, monkeypatch))


def build_register(app: Flask, tmp_path, monkeypatch, keys=tuple(PLAN)) -> dict[str, Case]:  # type: ignore[no-untyped-def]
    """Reviews in every publication state, their files stored under ``tmp_path``."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER, name=STAFF_NAME)
        today = uk_today()
        return {key: _build_case(key, manager, today) for key in keys}


class _Sections(HTMLParser):
    """The review sections (data-testid="review-...") found inside each register section."""

    SECTIONS = {"published", "not-published", "archive"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.found: dict[str, list[str]] = {name: [] for name in self.SECTIONS}
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag != "section":
            return
        testid = dict(attrs).get("data-testid")
        self.stack.append(testid)
        if testid and testid.startswith("review-"):
            outer = next((name for name in reversed(self.stack) if name in self.SECTIONS), None)
            assert outer is not None, f"{testid} is outside every register section"
            self.found[outer].append(testid.removeprefix("review-"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.stack.pop()


def sections(html: str) -> _Sections:
    parser = _Sections()
    parser.feed(html)
    return parser


def _page(client: FlaskClient) -> str:
    response = client.get(REGISTER)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the register ---------------------------------------------------------------------------


@pytest.fixture(scope="class")
def shared_register(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Case]]:
    """The register of every publication state, built once for a class of tests that only read."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        uploads = tmp_path_factory.mktemp("uploads")
        with built_once(app, lambda: build_register(app, uploads, monkeypatch)) as register:
            yield register


@pytest.mark.read_only
class TestReadOnlyRegister:
    """What the register shows a signed-out visitor; these tests only read."""

    def test_the_register_lists_exactly_the_public_reviews_in_their_sections(
        self, app: Flask, client: FlaskClient, shared_register: dict[str, Case]
    ) -> None:
        html = _page(client)
        found = sections(html).found
        ref = {key: case.reference for key, case in shared_register.items()}
        assert found["published"] == [ref["recent"], ref["last_year"]]  # newest first
        assert found["not-published"] == [ref["not_published"]]
        assert found["archive"] == [ref["archived"]]

        assert app.config["PARTNERSHIP_NAME"] in html
        assert "We have not yet published any reviews." not in html
        for key in ("recent", "last_year", "archived"):
            case = shared_register[key]
            assert f"{case.pseudonym} ({case.reference})" in html
            assert f"What happened to {case.pseudonym}." in html
            assert f"Learning from the review of {case.pseudonym}." in html
            assert f"Recommendations after the review of {case.pseudonym}." in html
        assert "Safeguarding Adults Review" in html and "Child Safeguarding Practice Review" in html
        # the one review of that type is not public: its type is explained, never listed
        listed = html.split('data-testid="review-types"')[0] + html.split("</details>", 1)[-1]
        assert "Domestic Abuse Related Death Review" not in listed
        for key in ("recent", "last_year"):
            published_on = uk_today() - timedelta(days=PLAN[key][2])  # type: ignore[operator]
            assert f'<time datetime="{published_on.isoformat()}">{format_date(published_on)}</time>' in html
        decided_on = uk_today() - timedelta(days=30)
        assert f'<time datetime="{decided_on.isoformat()}">{format_date(decided_on)}</time>' in html

        # Not published: the reason and the improvements, nothing written for publication before.
        assert "Publishing could harm the child&#39;s surviving siblings." in html
        assert "Health visitors now ask about new partners at every visit." in html
        assert UNSHOWN_SUMMARY not in html
        assert "Learning from the review of Child Cedar." not in html

    def test_downloads_are_offered_for_what_was_published_and_described_with_their_type(
        self, client: FlaskClient, shared_register: dict[str, Case]
    ) -> None:
        html = _page(client)
        recent, last_year, not_published = (
            shared_register["recent"],
            shared_register["last_year"],
            shared_register["not_published"],
        )
        assert f'href="/published-reviews/{recent.reference}/report"' in html
        assert f'href="/published-reviews/{recent.reference}/briefing"' in html
        assert f'href="/published-reviews/{last_year.reference}/report"' in html
        assert f'href="/published-reviews/{last_year.reference}/briefing"' not in html  # it has none
        assert f"/published-reviews/{not_published.reference}/" not in html
        links = re.findall(
            r'<a class="govuk-link" href="/published-reviews/[^"]+"[^>]*>(.*?)</a>', html, re.S
        )
        assert len(links) == 5
        assert all(re.search(r"\(PDF, \d+ bytes\)$", link) for link in links), links

    def test_last_updated_is_the_latest_publication_decision_or_withdrawal(
        self, client: FlaskClient, shared_register: dict[str, Case]
    ) -> None:
        html = _page(client)
        withdrawn_on = uk_today() - timedelta(days=5)  # later than every publication still shown
        assert re.search(rf'Last updated <time datetime="{withdrawn_on.isoformat()}">', html), html

    def test_headings_run_in_order(self, client: FlaskClient, shared_register: dict[str, Case]) -> None:
        levels = sections(_page(client)).headings
        main = levels[levels.index(1) :]
        assert main.count(1) == 1
        assert all(later <= earlier + 1 for earlier, later in pairwise(main)), main

    def test_nothing_unpublished_leaks_to_a_signed_out_visitor(
        self, app: Flask, client: FlaskClient, shared_register: dict[str, Case]
    ) -> None:
        html = _page(client)
        for key in HIDDEN:
            case = shared_register[key]
            assert case.reference not in html, key
            assert case.pseudonym not in html, key
            for what in ("report", "briefing"):
                response = client.get(f"/published-reviews/{case.reference}/{what}")
                assert response.status_code == 404, (key, what)
                assert b"%PDF" not in response.data

        # A decision not to publish shows the improvements, never the report.
        decided = shared_register["not_published"].reference
        for what in ("report", "briefing"):
            assert client.get(f"/published-reviews/{decided}/{what}").status_code == 404

        every_id = [i for case in shared_register.values() for i in case.document_ids]
        guesses = [
            "CSPR-2026-999",
            "cspr-2026-001",
            shared_register["recent"].reference.lower(),
            shared_register["recent"].reference + " ",
            "1",
            "0",
            "-1",
            "null",
            "%25",
            "..%2F..%2Fdocuments%2F1",
            *[str(i) for i in every_id],
            *[case.stored_names[0] for case in shared_register.values()],
            *[case.pseudonym for case in shared_register.values()],
        ]
        for guess in guesses:
            for what in ("report", "briefing"):
                response = client.get(f"/published-reviews/{guess}/{what}")
                assert response.status_code == 404, (guess, what, response.status_code)
                assert b"%PDF" not in response.data

        # Identifiers, working file names, staff and case notes: for every review, public or not.
        for case in shared_register.values():
            for secret in case.identifiers + case.draft_names + case.stored_names:
                assert secret not in html, (case.key, secret)
            assert f"Version 1 for {case.identifiers[0]}" not in html
        for secret in (
            STAFF_NAME,
            "Admitted to hospital with injuries that were not explained.",  # the referral
            "Information about the new partner was not shared.",  # the rapid review
            "Northshire Council",
            "Head of Children",
            "Withdrawn: it named",
            "Version 2 for",
        ):
            assert secret not in html, secret
        with app.app_context():
            downloads = db.session.execute(
                db.select(AuditEvent).where(AuditEvent.action == "document_downloaded")
            ).all()
        assert downloads == []  # nothing left the store


def test_with_nothing_published_the_register_says_so(app: Flask, client: FlaskClient) -> None:
    html = _page(client)
    assert "We have not yet published any reviews." in html
    assert "Last updated" not in html
    assert sections(html).found == {"published": [], "not-published": [], "archive": []}


def test_reviews_on_their_way_to_publication_leave_the_register_empty(
    app: Flask, client: FlaskClient, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cases = build_register(app, tmp_path, monkeypatch, keys=("unpublished", "no_record", "embargoed"))
    html = _page(client)
    assert "We have not yet published any reviews." in html
    assert "Last updated" not in html
    for case in cases.values():
        assert case.reference not in html and case.pseudonym not in html


def test_only_old_reviews_point_to_the_archive(
    app: Flask, client: FlaskClient, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cases = build_register(app, tmp_path, monkeypatch, keys=("archived",))
    html = _page(client)
    assert "We have not yet published any reviews." not in html
    assert "We have not published any reviews in the last 3 years." in html
    assert sections(html).found["archive"] == [cases["archived"].reference]


# --- nothing leaks ---------------------------------------------------------------------------


def test_a_published_report_and_briefing_download_signed_out_and_are_audited(
    app: Flask, client: FlaskClient, register: dict[str, Case]
) -> None:
    recent = register["recent"]
    report = client.get(f"/published-reviews/{recent.reference}/report")
    assert report.status_code == 200
    assert report.data == recent.report_bytes  # the final version, not the first draft
    assert report.mimetype == "application/pdf"
    disposition = report.headers["Content-Disposition"]
    assert disposition == f"attachment; filename={recent.reference}-report.pdf"
    assert report.headers["Cache-Control"] == "no-store"

    briefing = client.get(f"/published-reviews/{recent.reference}/briefing")
    assert briefing.status_code == 200
    assert briefing.data == recent.briefing_bytes
    assert briefing.headers["Content-Disposition"].endswith(f"{recent.reference}-learning-briefing.pdf")

    archived = client.get(f"/published-reviews/{register['archived'].reference}/report")
    assert archived.status_code == 200 and archived.data == register["archived"].report_bytes

    with app.app_context():
        events = (
            db.session.execute(
                db.select(AuditEvent)
                .where(AuditEvent.action == "document_downloaded")
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert [(event.subject_type, event.subject_id) for event in events] == [
            ("Document", recent.document_ids[1]),
            ("Document", recent.document_ids[2]),
            ("Document", register["archived"].document_ids[1]),
        ]
        assert all(event.actor_id is None for event in events)
        review_id = db.session.execute(
            db.select(Review.id).where(Review.reference == recent.reference)
        ).scalar_one()
        assert events[0].review_id == review_id


def test_a_signed_in_download_from_the_register_names_who_took_it(
    app: Flask, client: FlaskClient, register: dict[str, Case]
) -> None:
    with app.app_context():
        reader = make_user(Role.AGENCY_LEAD)
    client = client_as(app, reader)
    assert client.get(f"/published-reviews/{register['recent'].reference}/report").status_code == 200
    assert client.get(f"/published-reviews/{register['withdrawn'].reference}/report").status_code == 404
    with app.app_context():
        event = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "document_downloaded")
        ).scalar_one()
        assert event.actor_id == reader.id


# --- access and caching ------------------------------------------------------------------------


def test_the_register_routes_are_public(app: Flask) -> None:
    with app.test_request_context():
        for endpoint in ("public.register", "public.report", "public.briefing"):
            policy = policy_of(endpoint)
            assert policy is not None and policy.kind == "public", endpoint


def test_a_shared_cache_may_keep_the_register_only_for_signed_out_visitors(
    app: Flask, client: FlaskClient, register: dict[str, Case]
) -> None:
    response = client.get(REGISTER)
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers

    assert client.get("/published-reviews/CSPR-1999-001/report").headers["Cache-Control"] == "no-store"
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"

    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    client = client_as(app, user)
    signed_in = client.get(REGISTER)
    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert f"Signed in as {user.name}" in signed_in.get_data(as_text=True)
    assert client.get("/reviews/").headers["Cache-Control"] == "no-store"


def test_a_visitor_with_a_message_waiting_is_not_cached(app: Flask, client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Only for this visitor")]
    response = client.get(REGISTER)
    assert "Only for this visitor" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
