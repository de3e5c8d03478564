"""Learning kept when there is no local review (the rapid review's learning, or the Panel's
national review, becomes a local action plan), and themes that belong to review types: the
pickers offer a review's type's themes, and the migration kept every old tag."""

from __future__ import annotations

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import insert, select, text

from casework import create_app
from casework.actions import services
from casework.actions.models import ActionStatus, Recommendation, Theme, finding_themes
from casework.agencies.models import AgencyType
from casework.auth.models import Role
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.reviews.models import Review
from tests.conftest import make_config
from tests.support.http import client_as, page_text, post_form
from tests.support.people import insert_user_row, make_cast, make_user
from tests.support.records import make_action
from tests.support.reviews import make_review, review_type
from tests.support.rows import stored
from tests.test_migrations import scratch_database  # noqa: F401 (a fixture)

AGENCIES = {"X": ("Northshire Police", AgencyType.POLICE)}


# --- learning kept ------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["no_review", "national_review"])
def test_a_review_not_held_locally_keeps_its_learning_as_an_action_plan(app: Flask, ending: str) -> None:
    with app.app_context():
        cast = make_cast(AGENCIES)
        review = make_review("CSPR", ending, by=cast.user("board_manager"))
        review_id, people = review.id, dict(cast.user_ids)
    manager = client_as(app, people["board_manager"])
    url = f"/reviews/{review_id}/action-plan/learning"
    plan = page_text(manager.get(f"/reviews/{review_id}/action-plan"))
    assert url in plan  # offered on the plan of a review ended this way
    form = page_text(manager.get(url))
    # Prefilled with the rapid review's learning and immediate safety actions, one a line.
    assert "Information about the new partner was not shared.\nSiblings seen and safe" in form

    assert post_form(manager, url, {"recommendations": "  \n "}).status_code == 400
    lines = "Share information about new partners\n\n- Check siblings' safety plans at the strategy meeting"
    response = post_form(manager, url, {"recommendations": lines})
    assert response.status_code == 302
    with app.app_context():
        kept = list(
            db.session.execute(
                select(Recommendation)
                .where(Recommendation.review_id == review_id)
                .order_by(Recommendation.number)
            ).scalars()
        )
        assert [(r.number, r.text, r.to_partnership) for r in kept] == [
            (1, "Share information about new partners", True),
            (2, "- Check siblings' safety plans at the strategy meeting", True),
        ]
        # Actions with owners, and their progress, as on any plan.
        action = make_action(
            kept[0], cast.user("board_manager"), agency=cast.agency("X"), owner=cast.user("LX")
        )
        services.add_progress(action, ActionStatus.ON_TRACK, "Briefing planned.", [], cast.user("LX"), None)
        services.confirm_recommendations(stored(Review, review_id), cast.user("board_manager"))
        db.session.commit()
        assert stored(Review, review_id).plan_is_open
    assert "1 action" in page_text(manager.get(f"/reviews/{review_id}"))


def test_keeping_learning_is_only_for_a_review_not_held_locally(app: Flask) -> None:
    with app.app_context():
        cast = make_cast(AGENCIES)
        manager = cast.user("board_manager")
        local = make_review("CSPR", "commissioning", by=manager)
        with pytest.raises(DomainError, match="ended by a decision not to hold a local review"):
            services.keep_learning(stored(Review, local.id), ["Something"], manager)
        ended_id = make_review("CSPR", "no_review", by=manager).id
        ended = stored(Review, ended_id)
        with pytest.raises(DomainError, match="Only a board manager"):
            services.keep_learning(ended, ["Something"], cast.user("R1"))
        db.session.rollback()
        assert db.session.execute(select(Recommendation.id)).first() is None
    # Someone else may not even open the page.
    lead = client_as(app, cast.user_ids["LX"])
    assert lead.get(f"/reviews/{ended_id}/action-plan/learning").status_code == 404


# --- themes per type ----------------------------------------------------------------------------


def test_the_pickers_offer_only_the_themes_of_the_reviews_type(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        sar = make_review("SAR", "awaiting_reviewer", by=manager)
        cspr = make_review("CSPR", "awaiting_reviewer", by=manager)
        ids = (sar.id, cspr.id, manager.id)
    client = client_as(app, ids[2])
    sar_page = page_text(client.get(f"/reviews/{ids[0]}/action-plan"))
    cspr_page = page_text(client.get(f"/reviews/{ids[1]}/action-plan"))
    for theme in ("Self-neglect", "Organisational abuse", "Modern slavery", "Mental capacity"):
        assert theme in sar_page and theme not in cspr_page
    for theme in ("Extrafamilial harm", "Critical thinking and challenge", "Vulnerability of babies"):
        assert theme in cspr_page and theme not in sar_page
    for theme in ("Information sharing", "Domestic abuse"):  # shared by both types
        assert theme in sar_page and theme in cspr_page
    assert "Disguised compliance (apparent or superficial co-operation)" in cspr_page


def test_a_theme_of_another_type_posted_anyway_is_not_tagged(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        sar = make_review("SAR", "awaiting_reviewer", by=manager)
        babies = db.session.execute(
            select(Theme.id).where(Theme.name == "Vulnerability of babies")
        ).scalar_one()
        ids = (sar.id, manager.id)
    client = client_as(app, ids[1])
    url = f"/reviews/{ids[0]}/action-plan/findings"
    response = post_form(client, url, {"text": "A finding.", "themes": [str(babies)]}, token_from="/account")
    assert response.status_code == 400
    assert "Select options from the list" in page_text(response)


def test_the_migration_gives_every_old_theme_a_type_and_keeps_every_tag(scratch_database: str) -> None:  # noqa: F811
    app = create_app(make_config(scratch_database))
    with app.app_context():
        flask_migrate.upgrade(revision="3a7d5c1e9b20")
        manager_id = insert_user_row("manager@example.org", "Morgan Price")  # the table as it was then
        types = dict(db.session.execute(text("SELECT code, id FROM review_types")).all())
        themes = dict(db.session.execute(text("SELECT name, id FROM themes")).all())
        for name in ("Housing", "Online harms"):  # a partnership's own: one used on a SAR, one unused
            db.session.execute(
                text("INSERT INTO themes (name, active) VALUES (:n, :a)"), {"n": name, "a": True}
            )
        themes = dict(db.session.execute(text("SELECT name, id FROM themes")).all())
        review_id = db.session.execute(
            insert(Review.__table__)
            .values(
                review_type_id=types["SAR"],
                reference="SAR-2026-001",
                year=2026,
                number=1,
                pseudonym="Adult Q",
                stage="commissioning",
                created_by_id=manager_id,
                version=1,
            )
            .returning(Review.__table__.c.id)
        ).scalar_one()
        finding_id = db.session.execute(
            text(
                "INSERT INTO findings (review_id, number, text, created_by_id, created_at) "
                "VALUES (:r, 1, 'Found.', :u, CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"r": review_id, "u": manager_id},
        ).scalar_one()
        for name in ("Disguised compliance", "Housing"):
            db.session.execute(insert(finding_themes).values(finding_id=finding_id, theme_id=themes[name]))
        db.session.commit()

        flask_migrate.upgrade()
        linked = {
            (name, code)
            for name, code in db.session.execute(
                text(
                    "SELECT t.name, rt.code FROM theme_review_types x JOIN themes t ON t.id = x.theme_id "
                    "JOIN review_types rt ON rt.id = x.review_type_id"
                )
            )
        }
        renamed = "Disguised compliance (apparent or superficial co-operation)"
        # Seeded for children, and used on a SAR: valid for both, under the Panel's current words.
        assert {(renamed, "CSPR"), (renamed, "SAR")} <= linked and (renamed, "DHR") not in linked
        assert {code for name, code in linked if name == "Housing"} == {"SAR"}
        assert {code for name, code in linked if name == "Online harms"} == {"CSPR", "SAR", "DHR"}
        assert {
            ("Self-neglect", "SAR"),
            ("Coercive control", "DHR"),
            ("Extrafamilial harm", "CSPR"),
        } <= linked
        tags = set(db.session.execute(select(finding_themes.c.theme_id)).scalars())
        assert tags == {themes["Disguised compliance"], themes["Housing"]}  # the same rows, renamed
        assert db.session.get(Theme, themes["Disguised compliance"]).name == renamed

        db.session.commit()  # the downgrade drops tables this session has read
        flask_migrate.downgrade(revision="3a7d5c1e9b20")
        names = set(db.session.execute(text("SELECT name FROM themes")).scalars())
        assert "Disguised compliance" in names and "Self-neglect" not in names
        assert set(db.session.execute(select(finding_themes.c.theme_id)).scalars()) == tags
        db.session.remove()
        db.engine.dispose()


def test_the_themes_page_lists_each_types_themes(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        sar = review_type("SAR")
        services.add_theme("Hoarding", manager, [sar])
        db.session.commit()
        manager_id = manager.id
    page = client_as(app, manager_id).get("/actions/themes").get_data(as_text=True)
    sar_list = page.split('data-testid="themes-SAR"')[1].split("</ul>")[0]
    cspr_list = page.split('data-testid="themes-CSPR"')[1].split("</ul>")[0]
    assert "Hoarding" in sar_list and "Hoarding" not in cspr_list
    assert "Self-neglect" in sar_list and "Extrafamilial harm" in cspr_list
