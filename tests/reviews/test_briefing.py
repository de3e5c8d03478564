"""The 7-minute briefing and its dissemination: drafted from the review without identifying
details, approved, exported as a Word document whose sections are read back, offered on the
public register only once the review is published, sent to agencies whose own leads acknowledge
it, and the dissemination record's refusals of bad input."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import docx
import pytest
from flask import Flask

from casework.actions import services as actions
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.learning import dissemination, services
from casework.reviews.learning.export import section_headings
from casework.reviews.learning.models import (
    SECTIONS,
    BriefingRecipient,
    LearningBriefing,
    LearningEvent,
    PracticeAudit,
)
from casework.reviews.models import Publication, Review
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from tests.support.copies import replayed
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_agency, make_user
from tests.support.reviews import make_review, publication_details

NAME = "Jamie Tester"
FINDING = f"Nobody asked {NAME} or the family what help they needed."
OTHER_FINDING = "Agencies did not share what they knew about domestic abuse."


@dataclass(frozen=True)
class Case:
    review_id: int
    reference: str
    manager_id: int
    reviewer_id: int
    agencies: dict[str, int]  # "X", "Y" -> agency id
    leads: dict[str, int]  # "X", "Y" -> their lead's user id
    recommendations: list[int]


@pytest.fixture
def case(app: Flask, folder) -> Case:  # type: ignore[no-untyped-def]
    """A CSPR at publication (final version signed off, not published), a child's name recorded,
    two findings (one naming the child) and two recommendations; two agencies with a lead each."""
    return replayed(app, "briefing case", lambda: _build_case(app))


def _build_case(app: Flask) -> Case:
    with app.app_context():
        manager, reviewer = make_user(Role.BOARD_MANAGER), make_user(Role.REVIEWER)
        agencies = {key: make_agency(f"Agency {key}") for key in "XY"}
        leads = {key: make_user(Role.AGENCY_LEAD, agency=agency) for key, agency in agencies.items()}
        review = make_review("CSPR", "publication", by=manager, agencies=[agencies["X"]], reviewer=reviewer)
        manager = db.session.get(User, manager.id)
        save_identifiers(
            review, [PersonDetails(NAME, date_of_birth=date(2025, 9, 1))], [], "1 Example Street", None
        )
        actions.add_finding(review, FINDING, [], manager)
        actions.add_finding(review, OTHER_FINDING, [], manager)
        recommendations = [
            actions.add_recommendation(review, "Ask the family what help they need.", True, [], [], manager),
            actions.add_recommendation(
                review, "Share domestic abuse incidents.", False, [agencies["X"]], [], manager
            ),
        ]
        db.session.commit()
        return Case(
            review.id,
            review.reference,
            manager.id,
            reviewer.id,
            {key: agency.id for key, agency in agencies.items()},
            {key: lead.id for key, lead in leads.items()},
            [recommendation.id for recommendation in recommendations],
        )


def _loaded(case: Case) -> tuple[Review, User]:
    return db.session.get(Review, case.review_id), db.session.get(User, case.manager_id)  # type: ignore[return-value]


def _approved(app: Flask, case: Case) -> None:
    with app.app_context():
        review, manager = _loaded(case)
        briefing = services.draft_from_review(review, manager)
        services.approve_briefing(briefing, manager, None)
        db.session.commit()


def _publish(app: Flask, case: Case) -> None:
    with app.app_context():
        review, manager = _loaded(case)
        assert checks.run_anonymisation_check(review, manager).passed
        publication_details(review, manager, sent=review.terms.commissioned_on)
        publishing.publish_review(review, uk_today(), manager, None)
        db.session.commit()


def _sections_of(content: bytes) -> list[tuple[str, str]]:
    """The Word document's section headings in order, each with the text that follows it."""
    document = docx.Document(io.BytesIO(content))
    sections: list[tuple[str, str]] = []
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            sections.append((paragraph.text, ""))
        elif sections:
            heading, text = sections[-1]
            sections[-1] = (heading, "\n".join(filter(None, [text, paragraph.text])))
    return sections


# --- drafting and approving ------------------------------------------------------------------


def test_the_draft_holds_the_findings_and_never_a_name_recorded_on_the_review(app: Flask, case: Case) -> None:
    with app.app_context():
        review, manager = _loaded(case)
        briefing = services.draft_from_review(review, manager)
        db.session.commit()
        text = "\n".join([briefing.title, *(text for _name, _heading, text in briefing.sections)])
        assert OTHER_FINDING in briefing.what_was_found
        assert "what help they needed" in briefing.what_was_found  # the finding stays, the name goes
        for word in ("Jamie", "Tester", "Example Street"):
            assert word.lower() not in text.lower()
        assert "Share domestic abuse incidents. (Agency X)" in briefing.what_to_do_now
        assert review.reference in briefing.background and review.pseudonym in briefing.background

        # A name typed back in by hand stops approval; the message names what, never the value.
        values = {name: getattr(briefing, name) for name in ("title", *services.SECTION_NAMES)}
        values["background"] += f"\nThe child, {NAME}, lived with her mother."
        services.save_briefing(briefing, values, manager, briefing.version)
        db.session.commit()
        with pytest.raises(DomainError, match="identifying details") as refused:
            services.approve_briefing(briefing, manager, briefing.version)
        assert "Tester" not in refused.value.message and "background" in refused.value.message
        db.session.rollback()

        # Every section must be written, and an approved briefing is frozen until reopened.
        briefing = db.session.get(LearningBriefing, case.review_id)
        values["background"], values["questions"] = "The review of Child A.", " "
        services.save_briefing(briefing, values, manager, briefing.version)
        with pytest.raises(DomainError, match="questions for reflection"):
            services.approve_briefing(briefing, manager, briefing.version)
        values["questions"] = "What would you do?"
        services.save_briefing(briefing, values, manager, briefing.version)
        stale = briefing.version - 1
        with pytest.raises(DomainError, match="Someone else changed this briefing"):
            services.approve_briefing(briefing, manager, stale)
        services.approve_briefing(briefing, manager, briefing.version)
        with pytest.raises(DomainError, match="Reopen it"):
            services.save_briefing(briefing, values, manager, briefing.version)
        db.session.commit()
        publication = db.session.get(Publication, case.review_id)
        assert publication is None or publication.briefing_document_id is None  # not published yet


# --- the Word document and the public register -----------------------------------------------------


def test_the_register_offers_the_approved_briefing_only_once_the_review_is_published(
    app: Flask, case: Case
) -> None:
    _approved(app, case)
    public = client_as(app, None)
    register = page_text(public.get("/published-reviews/"))
    assert "Learning briefing" not in register
    assert public.get(f"/published-reviews/{case.reference}/briefing").status_code == 404
    assert public.get(f"/published-reviews/{case.reference}/learning-briefing").status_code == 404

    _publish(app, case)  # the approved briefing goes public with the report
    register = page_text(public.get("/published-reviews/"))
    assert f'data-testid="briefing-{case.reference}"' in register
    assert f'data-testid="briefing-page-{case.reference}"' in register
    download = public.get(f"/published-reviews/{case.reference}/briefing")
    assert download.status_code == 200
    sections = _sections_of(download.data)
    assert [heading for heading, _text in sections] == section_headings()
    with app.app_context():
        briefing = db.session.get(LearningBriefing, case.review_id)
        expected = [text for _name, _heading, text in briefing.sections]
    assert [text for _heading, text in sections] == expected
    assert OTHER_FINDING in sections[2][1] and NAME not in download.data.decode("latin-1")
    page = page_text(public.get(f"/published-reviews/{case.reference}/learning-briefing"))
    assert [heading for _name, heading in SECTIONS] == [
        h for h in (heading for _n, heading in SECTIONS) if h in page
    ]
    assert OTHER_FINDING in page and "Tester" not in page

    # The board's own copy is the same document; reopening takes the public one off the register.
    board = client_as(app, case.manager_id)
    own = board.get(f"/reviews/{case.review_id}/briefing.docx")
    assert own.status_code == 200 and _sections_of(own.data) == sections
    with app.app_context():
        version = db.session.get(LearningBriefing, case.review_id).version
    briefing_page = f"/reviews/{case.review_id}/briefing"
    reopened = post_form(board, f"{briefing_page}/reopen", {"version": version}, token_from=briefing_page)
    assert reopened.status_code == 302
    assert "Learning briefing" not in page_text(public.get("/published-reviews/"))
    assert public.get(f"/published-reviews/{case.reference}/learning-briefing").status_code == 404


# --- sending and acknowledging ---------------------------------------------------------------


def test_only_a_lead_of_an_agency_it_was_sent_to_acknowledges_it(app: Flask, case: Case) -> None:
    _approved(app, case)
    with app.app_context():
        review, manager = _loaded(case)
        sent = dissemination.send_briefing(
            review, [db.session.get(Agency, case.agencies["X"])], uk_today(), manager
        )
        db.session.commit()
        recipient_id = sent[0].id
    url = f"/briefings/{recipient_id}"
    other_lead, lead = client_as(app, case.leads["Y"]), client_as(app, case.leads["X"])
    assert other_lead.get(url).status_code == 404
    assert post_form(other_lead, f"{url}/acknowledge", {}, token_from="/briefings/").status_code == 404
    assert client_as(app, case.reviewer_id).get(url).status_code == 200  # the review's reviewer reads it
    board = client_as(app, case.manager_id)
    assert board.get(url).status_code == 200
    assert post_form(board, f"{url}/acknowledge", {}, token_from=url).status_code == 403
    assert client_as(app, None).get(url).status_code == 302

    listed = page_text(lead.get("/briefings/"))
    assert "To acknowledge" in listed and "7-minute briefing" in listed
    owed = page_text(lead.get("/work/agency"))  # waiting on their agency
    assert "Acknowledge the 7-minute briefing" in owed and f"/briefings/{recipient_id}" in owed
    page = page_text(lead.get(url))
    assert OTHER_FINDING in page and "Tester" not in page
    assert lead.get(f"{url}/briefing.docx").status_code == 200
    assert post_form(lead, f"{url}/acknowledge", {}, token_from=url).status_code == 302
    again = post_form(lead, f"{url}/acknowledge", {}, token_from=url)
    assert again.status_code == 400 and "already acknowledged" in page_text(again)
    with app.app_context():
        recipient = db.session.get(BriefingRecipient, recipient_id)
        assert recipient.acknowledged_by_id == case.leads["X"] and recipient.acknowledged_at is not None
    assert "Acknowledge the 7-minute briefing" not in page_text(lead.get("/work/agency"))
    record = page_text(board.get(f"/reviews/{case.review_id}/dissemination"))
    assert "Sent to 1 agency; 1 of 1 acknowledged" in record


# --- refusals ----------------------------------------------------------------------------------


def test_bad_input_gets_a_message_by_its_field_and_saves_nothing(app: Flask, case: Case) -> None:
    board = client_as(app, case.manager_id)
    here = f"/reviews/{case.review_id}/dissemination"
    x, y = case.agencies["X"], case.agencies["Y"]
    today = uk_today()
    day = {"sent_on": [str(today.day), str(today.month), str(today.year)]}

    refused = post_form(board, f"{here}/sent", {"agencies": [str(x)], **day}, token_from=here)
    assert refused.status_code == 400 and "Approve the briefing before" in page_text(refused)
    _approved(app, case)
    refused = post_form(board, f"{here}/sent", day, token_from=here)
    assert refused.status_code == 400 and "Select the agencies the briefing was sent to" in page_text(refused)
    future = today + timedelta(days=3)
    refused = post_form(
        board,
        f"{here}/sent",
        {"agencies": [str(x)], "sent_on": [str(future.day), str(future.month), str(future.year)]},
        token_from=here,
    )
    assert refused.status_code == 400 and "must be today or in the past" in page_text(refused)

    event = {
        "title": "Workshop",
        "held_on": [str(today.day), str(today.month), str(today.year)],
        "kind": "workshop",
    }
    for attendance, message in [
        ({}, "Enter how many attended from at least one agency"),
        ({f"attendance-{x}": "-3"}, "as a whole number"),
        ({f"attendance-{x}": "ten", f"attendance-{y}": "4"}, "as a whole number"),
        ({f"attendance-{x}": "0"}, "Enter how many attended from at least one agency"),
    ]:
        refused = post_form(board, f"{here}/events", {**event, **attendance}, token_from=here)
        text = page_text(refused)
        assert refused.status_code == 400 and message in text, attendance
        assert 'id="event-attendance-error"' in refused.get_data(as_text=True)
    done = post_form(
        board, f"{here}/events", {**event, f"attendance-{x}": "12", f"attendance-{y}": ""}, token_from=here
    )
    assert done.status_code == 302

    # An audit tests this review's recommendations, and only a carried-out audit has a result.
    with app.app_context():
        other = make_review("CSPR", "awaiting_reviewer", by=db.session.get(User, case.manager_id))
        foreign = actions.add_recommendation(
            other, "Elsewhere.", True, [], [], db.session.get(User, case.manager_id)
        )
        db.session.commit()
        foreign_id = foreign.id
    planned = today + timedelta(days=90)
    audit = {
        "tested": "Referrals of bruising",
        "planned_on": [str(planned.day), str(planned.month), str(planned.year)],
    }
    for extra, message in [
        ({}, "Select the recommendations the audit tests"),
        ({"recommendations": [str(foreign_id)]}, "Select options from the list"),
        (
            {"recommendations": [str(case.recommendations[0])], "result": "met"},
            "Enter the date the audit was carried out",
        ),
    ]:
        refused = post_form(board, f"{here}/audits", {**audit, **extra}, token_from=here)
        assert refused.status_code == 400 and message in page_text(refused), extra
    with app.app_context():
        review, manager = _loaded(case)
        with pytest.raises(DomainError, match="Select recommendations of this review"):
            dissemination.add_audit(
                review,
                dissemination.AuditDetails(tested="x", planned_on=planned, recommendation_ids={foreign_id}),
                manager,
            )
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count()).select_from(PracticeAudit)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(BriefingRecipient)).scalar() == 0
        events = list(db.session.execute(db.select(LearningEvent)).scalars())
        assert [(e.title, e.total_attending) for e in events] == [("Workshop", 12)]
    done = post_form(
        board,
        f"{here}/audits",
        {**audit, "recommendations": [str(r) for r in case.recommendations]},
        token_from=here,
    )
    assert done.status_code == 302
    record = page_text(board.get(here))
    assert "Recommendation 1" in record and "Recommendation 2" in record and "Not yet carried out" in record
