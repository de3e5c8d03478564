"""The review timeline in plain words: a sentence for every kind of event the app records against
a review, never a raw value (no stored codes, ISO dates or Python lists); reads left to the
audit log; paged newest first and filtered by kind, whatever the query string; and the review
page's queries the same whatever the length of its history."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, current_app
from flask_login import login_user
from sqlalchemy import event as sa_event

from casework.actions import services as actions
from casework.actions.models import ActionStatus
from casework.agencies import services as contributions
from casework.agencies.contributions import ContributionKind
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.core.workdays import working_calendar
from casework.reviews.models import Review
from casework.reviews.referral.pausing import pause_review, resume_review
from casework.reviews.referral.rapid_review import RapidReviewDetails, save_rapid_review
from casework.reviews.timeline import PAGE_SIZE, READS, TimelineKind, describe
from casework.reviews.timeline_phrases import PHRASES
from tests.support.files import PDF
from tests.support.http import client_as
from tests.support.people import make_agency, make_user
from tests.support.records import plan_action
from tests.support.reviews import make_review

CASEWORK = Path(__file__).resolve().parents[2] / "casework"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WORD_WITH_UNDERSCORE = re.compile(r"\w_\w")

# Events recorded against users, agencies, the directory or the partnership's settings, never a
# review: they are not on any timeline.
NOT_ABOUT_A_REVIEW = frozenset(
    {
        "account_locked",
        "account_unlocked",
        "authenticator_replaced",
        "authenticator_set_up",
        "recovery_code_used",
        "recovery_codes_made",
        "second_factor_failed",
        "second_factor_reset",
        "passkey_added",
        "passkey_failed",
        "passkey_removed",
        "session_ended",
        "other_sessions_ended",
        "sessions_ended_by_admin",
        "affiliation_declared",
        "affiliation_removed",
        "agency_created",
        "agency_deactivated",
        "agency_reactivated",
        "agency_updated",
        "closure_day_added",
        "closure_day_removed",
        "mail_retried",
        "password_changed",
        "password_set",
        "calendar_address_reset",
        "immediate_mail_chosen",
        "reminder_rule_added",
        "reminder_rule_changed",
        "reminder_rule_removed",
        "set_password_link_emailed",
        "reviewer_profile_updated",
        "set_password_link_created",
        "sign_in_failed",
        "signed_in",
        "signed_out",
        "theme_added",
        "user_created",
        "user_deactivated",
        "user_reactivated",
        "user_updated",
        "work_handed_over",
    }
)


def recorded_actions() -> set[str]:
    """Every event name the code writes to the audit trail, read from the source: the first
    string given to audit.record, on_timeline, record_changes or a domain's own helper."""
    calls = re.compile(
        r'(?:audit\.record|on_timeline|record_changes|_audit|_added)\(\s*(?:[\w.]+,\s*)*"([a-z_]+)"'
    )
    found: set[str] = set()
    for path in CASEWORK.rglob("*.py"):
        for name in calls.findall(path.read_text()):
            # "deadline_change_" + ("approved" if approve else "refused")
            found |= {name + "approved", name + "refused"} if name.endswith("_") else {name}
    return found


def test_every_event_recorded_against_a_review_has_its_words() -> None:
    recorded = recorded_actions()
    assert {"stage_changed", "document_downloaded", "finding_added", "signed_in"} <= recorded
    about_reviews = recorded - NOT_ABOUT_A_REVIEW
    assert about_reviews - set(PHRASES) - READS == set(), "add a phrase (timeline_phrases.py) or a read"
    assert not set(PHRASES) & READS


# --- a review taken through the whole lifecycle ------------------------------------------------


@contextmanager
def acting(user: User) -> Iterator[None]:
    """Steps taken by ``user`` as in a request of theirs, so the audit trail names them."""
    with current_app.test_request_context():
        login_user(user)
        yield


def lifecycle_review(app: Flask) -> tuple[int, str]:
    """A CSPR from referral to action planning through the services, with an action plan, progress
    and verification, a pause, contributions, downloads and views of identifying details."""
    with app.app_context():
        police = make_agency("Northshire Police")
        lead = make_user(Role.AGENCY_LEAD, name="Pat Police", agency=police)
        manager = make_user(Role.BOARD_MANAGER, name="Sam Manager")
        review = make_review("CSPR", "action_planning", by=manager, agencies=[police])
        review, manager = db.session.get(Review, review.id), db.session.get(User, manager.id)
        police, lead = db.session.get(type(police), police.id), db.session.get(User, lead.id)
        with acting(manager):
            recommendation = actions.add_recommendation(review, "Share records", True, [police], [], manager)
            actions.add_finding(review, "Records were not shared", [], manager)
            action = plan_action(
                recommendation,
                manager,
                agency=police,
                owner=lead,
                description="Audit sharing",
                measure="Audit",
                due_in=60,
            )
        with acting(lead):
            actions.add_progress(action, ActionStatus.ON_TRACK, "Started", [], lead, None)
        with acting(manager):
            change = actions.request_deadline_change(
                action, action.deadline + timedelta(days=14), "Staff changes", manager
            )
            actions.decide_deadline_change(change, True, "Agreed", manager)
        with acting(lead):
            actions.add_progress(action, ActionStatus.COMPLETED, "Done", [_pdf_upload()], lead, None)
        with acting(manager):
            actions.verify_action(action, "Held", manager, None)
            audit.record("document_downloaded", "report.pdf downloaded", review=review)
            audit.record("identifiers_viewed", "Sam viewed the identifying details", review=review)
        db.session.commit()

        second = make_review("CSPR", "contributions", by=manager, agencies=[police])
        second, lead = db.session.get(Review, second.id), db.session.get(User, lead.id)
        due = working_calendar().add_working_days(uk_today(), 15)
        with acting(manager):
            [request] = contributions.request_contributions(
                second, [police], ContributionKind.AGENCY_REPORT, "Your report", due, manager
            )
        with acting(lead):
            contributions.attach_document(request, _pdf_upload(), lead)
            contributions.submit_request(request, "Attached", lead, None)
        with acting(manager):
            contributions.accept_request(request, manager, None)
            pause_review(second, uk_today(), "Criminal trial", "The partners", second.version, manager)
            resume_review(second, uk_today(), second.version)
        db.session.commit()
        return review.id, manager.email


def _pdf_upload():  # type: ignore[no-untyped-def]
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(PDF), filename="evidence.pdf", content_type="application/pdf")


def timeline_html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    start = page.index('id="timeline"')
    return page[start : page.index("</main>", start)]


def sentences(response) -> list[str]:  # type: ignore[no-untyped-def]
    found = re.findall(r'<li data-kind="\w+">\s*<p [^>]*>(.*?)</p>', timeline_html(response), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def test_the_whole_lifecycle_reads_as_plain_sentences(app: Flask, folder: Path) -> None:
    review_id, email = lifecycle_review(app)
    client = client_as(app, email)
    with app.app_context():
        events = (
            db.session.execute(
                db.select(AuditEvent).where(AuditEvent.review_id.is_not(None)).order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        kinds = {event.action for event in events}
        # every event has its phrase, and none falls back to the stored summary
        for event in events:
            if event.action not in READS:
                assert event.action in PHRASES, event.action
                assert PHRASES[event.action](event, event.details or {}) is not None, (
                    event.action,
                    event.summary,
                )
        entry = describe(
            next(e for e in events if e.action == "stage_changed" and e.details["to"] == "commissioning")
        )
        day = next(e for e in events if e.action == "stage_changed").occurred_at.astimezone(UK)
    assert {
        "stage_changed",
        "rapid_review_updated",
        "draft_uploaded",
        "action_progress",
        "review_paused",
    } <= kinds
    # steps the test kit took outside any request have nobody behind them
    assert entry.sentence.startswith("Casework moved the review from Decision to Commissioning (")
    assert f"on {day.day} {day:%B %Y} at " in entry.sentence

    for review in (review_id, review_id + 1):
        for kind in [None, *TimelineKind]:
            for page in (1, 2, 3):
                query = f"?page={page}" + (f"&kind={kind.value}" if kind else "")
                part = timeline_html(client.get(f"/reviews/{review}{query}"))
                shown = re.sub(r"<[^>]+>", " ", part)  # the words, not the markup
                assert not ISO_DATE.search(shown), (query, ISO_DATE.search(shown))
                assert not WORD_WITH_UNDERSCORE.search(shown), (query, WORD_WITH_UNDERSCORE.search(shown))
                assert "[" not in shown and "]" not in shown, query
                assert "(text)" not in shown and "(changed)" not in shown
                assert "downloaded" not in shown and "viewed the identifying details" not in shown

    everything = sentences(client.get(f"/reviews/{review_id}")) + sentences(
        client.get(f"/reviews/{review_id}?page=2")
    )
    text = "\n".join(everything)
    for expected in (
        "recorded the referral and created CSPR-",
        "moved the review from Referral to Rapid review on ",
        "recorded the rapid review on ",
        "moved the review from Commissioning to Awaiting reviewer (agencies in scope: Northshire Police",
        "accepted the appointment and declared independence on ",
        "uploaded draft version 1 on ",
        "ran the anonymisation check of version 1: ",
        "Sam Manager recorded recommendation 1 for The partnership, Northshire Police on ",
        "Pat Police reported progress on an action: on track on ",
        "Pat Police reported progress on an action: completed, awaiting verification, with 1 evidence file",
        "Sam Manager asked to move an action's deadline to ",
        "Sam Manager approved a change to an action's deadline on ",
        "Sam Manager verified an action on ",
    ):
        assert expected in text, expected
    second = "\n".join(sentences(client.get(f"/reviews/{review_id + 1}")))
    for expected in (
        "Sam Manager asked Northshire Police for: agency report, due ",
        "Pat Police submitted Northshire Police's agency report on ",
        "Sam Manager accepted Northshire Police's agency report on ",
        "Sam Manager paused the review from ",
        "(agreed by The partners) on ",
        ": Criminal trial",
        "Pat Police uploaded \u201cevidence.pdf\u201d for Northshire Police on ",
        "Sam Manager resumed the review after the pause from ",
    ):
        assert expected in second, expected


def test_the_timeline_is_paged_newest_first_and_filtered_by_kind(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("CSPR", "rapid_review", by=manager)
        row = db.session.get(Review, review.id)
        for number in range(PAGE_SIZE + 3):  # one edit per day, so each is a change
            day = uk_today() - timedelta(days=PAGE_SIZE + 10 - number)
            save_rapid_review(row, RapidReviewDetails(meeting_on=day), row.version)
            db.session.commit()
        audit.record("something_new", "A kind of event nobody has worded yet", review=row)
        db.session.commit()
        review_id, email = row.id, manager.email
    client = client_as(app, email)

    first = client.get(f"/reviews/{review_id}")
    shown = sentences(first)
    assert len(shown) == PAGE_SIZE
    assert "A kind of event nobody has worded yet" in shown[0]  # the newest, in its own words
    assert shown[1].endswith(":") and "recorded the rapid review" in shown[1]
    assert re.search(r"changed the meeting date from \d+ \w+ \d{4} to \d+ \w+ \d{4}", timeline_html(first))
    nav = timeline_html(first)
    next_link = re.search(r'href="([^"]+)" rel="next"', nav)
    assert next_link and html.unescape(next_link.group(1)) == f"/reviews/{review_id}?page=2#timeline"

    rest = sentences(client.get(f"/reviews/{review_id}?page=2")) + sentences(
        client.get(f"/reviews/{review_id}?page=3")
    )
    everything = shown + rest
    assert len(everything) == len(set(everything)) or len(everything) > PAGE_SIZE
    assert "created CSPR-" in everything[-1]  # the oldest last

    stages = sentences(client.get(f"/reviews/{review_id}?kind=stages"))
    assert stages and all("moved the review" in s or "created" in s for s in stages)
    other = client.get(f"/reviews/{review_id}?kind=other")
    assert any("nobody has worded" in s for s in sentences(other))
    assert 'aria-current="true"><strong>Other</strong>' in timeline_html(other)
    drafts = client.get(f"/reviews/{review_id}?kind=drafts")
    assert sentences(drafts) == [] and "Nothing of this kind has happened" in timeline_html(drafts)
    # the other pages of a filtered timeline keep the filter
    paged = client.get(f"/reviews/{review_id}?kind=other")
    assert f"/reviews/{review_id}?kind=other&amp;page=2#timeline" in timeline_html(paged)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999",
        "page=1e3",
        "page=%EF%BC%92",
        "kind=%3Cscript%3E",
        "kind=stages%27%20OR%201%3D1",
        "kind=&page=",
        "kind=stages&kind=other",
        "kind[]=x",
        "page=500",
    ],
)
def test_hostile_query_strings_show_a_page(app: Flask, manager: User, query: str) -> None:
    with app.app_context():
        review = make_review("CSPR", "decision", by=manager)
        review_id, email = review.id, manager.email
    response = client_as(app, email).get(f"/reviews/{review_id}?{query}")
    assert response.status_code == 200
    part = timeline_html(response)
    assert "<script>" not in part
    if query == "page=500":
        assert "There is no page 500 of the timeline" in part
    else:
        assert sentences(response)


def test_the_review_page_queries_the_same_whatever_the_history(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("CSPR", "rapid_review", by=manager)
        review_id, email = review.id, manager.email
    client = client_as(app, email)

    def statements(path: str) -> int:
        counted: list[str] = []
        listen = lambda *args: counted.append(args[2])  # noqa: E731
        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", listen)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", listen)
        return len(counted)

    path = f"/reviews/{review_id}"
    statements(path)
    short = statements(path), statements(path + "?kind=stages")
    with app.app_context():
        row = db.session.get(Review, review_id)
        for number in range(3 * PAGE_SIZE):
            day = uk_today() - timedelta(days=1 + number % 2)  # each save a change
            save_rapid_review(row, RapidReviewDetails(meeting_on=day), row.version)
            db.session.commit()
    long = statements(path), statements(path + "?kind=stages")
    assert long == short
    assert statements(path + "?page=3") == short[0]


def test_a_change_on_the_timeline_is_worded_from_its_details() -> None:
    event = AuditEvent(
        action="referral_updated",
        summary="Referral details changed",
        details={
            "incident_description": ["(text)", "(changed)"],
            "incident_on": ["2026-03-01", "2026-03-02"],
            "panel_notified_on": [None, "2026-03-04"],
            "known_agencies": [[], ["Northshire Police", "Riverside Medical Practice", "Oak School"]],
            "notifying_person": ["A Person", ""],
        },
        occurred_at=datetime(2026, 3, 3, 9, 5, tzinfo=UK),
    )
    entry = describe(event)
    assert entry.kind == TimelineKind.OTHER
    assert entry.sentence == "Casework changed the referral on 3 March 2026 at 09:05"
    assert entry.changes == [
        "changed the description of the incident",
        "changed the incident date from 1 March 2026 to 2 March 2026",
        "set the date the Panel was notified to 4 March 2026",
        "set the agencies known to be involved to Northshire Police, Riverside Medical Practice"
        " and Oak School",
        "cleared the notifying person (was A Person)",
    ]
    moved = AuditEvent(
        action="stage_changed",
        summary="CSPR-2026-001 moved from Decision to No review",
        details={
            "from": "decision",
            "to": "no_review",
            "move": "decide_no_review",
            "decided_on": "2026-03-02",
        },
        occurred_at=datetime(2026, 3, 3, 14, 30, tzinfo=UK),
    )
    assert describe(moved).sentence == (
        "Casework moved the review from Decision to Ended: no review (decided on 2 March 2026) "
        "on 3 March 2026 at 14:30"
    )
    odd = AuditEvent(
        action="stage_changed", summary="Moved", details=["not", "a", "dict"], occurred_at=moved.occurred_at
    )
    assert describe(odd).sentence == "Casework on 3 March 2026 at 14:30: Moved"  # the stored summary


def test_a_detail_recorded_empty_is_never_said_as_none() -> None:
    at = datetime(2026, 3, 3, 9, 5, tzinfo=UK)
    summary = "Notice to the Panel sent to the Panel on 2 March 2026"
    event = AuditEvent(action="notice_sent", summary=summary, details={"notice": "x"}, occurred_at=at)
    said = describe(event)
    assert said.sentence == f"Casework on 3 March 2026 at 09:05: {summary}"  # the stored summary
    worded = describe(
        AuditEvent(action="notice_sent", summary=summary, details={"sent_on": "2026-03-02"}, occurred_at=at)
    )
    assert "None" not in worded.sentence and "on 2 March 2026 on 3 March" in worded.sentence
