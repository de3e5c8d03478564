"""The agency directory over HTTP: adding, correcting, deactivating and reactivating agencies;
refused input changes nothing; every change is audited; lists filter; only board managers get in."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.agencies import directory
from casework.agencies.models import Agency, AgencyType, agencies_for_new_work
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.reviews.models import Involvement, Review
from tests.conftest import client_as, csrf_token, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.readonly import built_once

_VERSION = re.compile(r'name="version"[^>]*value="([^"]*)"')


def _agency(app: Flask, name: str, agency_type: AgencyType = AgencyType.POLICE, **values: object) -> Agency:
    with app.app_context():
        agency = make_agency(name, agency_type)
        if values:
            agency = db.session.get(Agency, agency.id)
            for key, value in values.items():
                setattr(agency, key, value)
            db.session.commit()
            db.session.refresh(agency)
        return agency


def _reload(app: Flask, agency_id: int) -> Agency:
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        assert agency is not None
        db.session.refresh(agency)
        return agency


def _all_agencies(app: Flask) -> list[tuple[str, str, str, bool]]:
    with app.app_context():
        rows = db.session.execute(db.select(Agency).order_by(Agency.id)).scalars()
        return [(a.name, a.agency_type.value, a.area, a.active) for a in rows]


def _events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).where(AuditEvent.action.like("agency_%")).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.execute(query).scalars())


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def _follow(client: FlaskClient, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, _text(response)[:2000]
    return _text(client.get(response.headers["Location"]))


def _version_on(client: FlaskClient, path: str) -> str:
    match = _VERSION.search(client.get(path).get_data(as_text=True))
    assert match, f"no version field on {path}"
    return match.group(1)


def _details(name: str = "Northshire Police", agency_type: str = "police", area: str = "Northshire"):  # type: ignore[no-untyped-def]
    return {"name": name, "agency_type": agency_type, "area": area}


# --- adding ------------------------------------------------------------------------------


def test_board_manager_adds_an_agency(app: Flask, manager: User, manager_client: FlaskClient) -> None:
    form = _text(manager_client.get("/agencies/new"))
    assert "Add an agency" in form and "Integrated care board" in form  # the types by their labels

    response = post_form(manager_client, "/agencies/new", _details(name="  Northshire   Police "))

    assert _all_agencies(app) == [("Northshire Police", "police", "Northshire", True)]
    with app.app_context():
        agency_id = db.session.execute(db.select(Agency.id)).scalar_one()
    assert response.headers["Location"] == f"/agencies/{agency_id}"
    page = _follow(manager_client, response)
    assert "Northshire Police has been added to the directory." in page
    [event] = _events(app)
    assert event.action == "agency_created"
    assert event.actor_id == manager.id
    assert (event.subject_type, event.subject_id) == ("Agency", agency_id)
    assert event.details == {
        "name": [None, "Northshire Police"],
        "agency_type": [None, "police"],
        "area": [None, "Northshire"],
        "active": [None, True],
    }


def test_area_is_optional(app: Flask, manager_client: FlaskClient) -> None:
    response = post_form(manager_client, "/agencies/new", _details(name="Safe Homes Trust", area=""))
    assert response.status_code == 302
    assert _all_agencies(app) == [("Safe Homes Trust", "police", "", True)]


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (_details(name=""), "Enter the agency's name"),
        (_details(name="    "), "Enter the agency's name"),
        (_details(name="N" * 201), "The agency's name must be 200 characters or fewer"),
        (_details(agency_type=""), "Select the type of agency"),
        (_details(area="A" * 201), "The area must be 200 characters or fewer"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(
    app: Flask, manager_client: FlaskClient, details: dict[str, str], message: str
) -> None:
    response = post_form(manager_client, "/agencies/new", details)
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    assert "<title>Error: " in page
    assert _all_agencies(app) == []
    assert _events(app) == []


def test_a_name_200_characters_long_is_accepted(app: Flask, manager_client: FlaskClient) -> None:
    assert post_form(manager_client, "/agencies/new", _details(name="N" * 200)).status_code == 302
    assert _all_agencies(app)[0][0] == "N" * 200


@pytest.mark.parametrize("name", ["northshire police", "NORTHSHIRE POLICE", " Northshire  police "])
def test_a_name_already_used_in_another_case_is_refused(
    app: Flask, manager_client: FlaskClient, name: str
) -> None:
    _agency(app, "Northshire Police")
    before = _all_agencies(app)

    response = post_form(manager_client, "/agencies/new", _details(name=name, agency_type="education"))

    assert response.status_code == 400
    assert "There is already an agency called Northshire Police" in _text(response)
    assert _all_agencies(app) == before
    assert _events(app) == []


def test_a_name_used_by_an_inactive_agency_is_refused_with_a_hint(
    app: Flask, manager_client: FlaskClient
) -> None:
    _agency(app, "Old Trust", AgencyType.NHS_TRUST, active=False)
    response = post_form(manager_client, "/agencies/new", _details(name="old trust"))
    assert response.status_code == 400
    assert "There is already an agency called Old Trust (inactive: reactivate it instead)" in _text(response)
    assert len(_all_agencies(app)) == 1


def test_non_ascii_names_are_compared_without_case(app: Flask, manager_client: FlaskClient) -> None:
    _agency(app, "Ysgol Ŵyn")
    response = post_form(manager_client, "/agencies/new", _details(name="YSGOL ŴYN"))
    assert response.status_code == 400
    assert len(_all_agencies(app)) == 1


# --- correcting --------------------------------------------------------------------------


def test_board_manager_corrects_an_agency_and_the_change_is_audited(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    agency = _agency(app, "Northshire Police", area="Northshire")
    path = f"/agencies/{agency.id}/edit"
    form = _text(manager_client.get(path))
    assert 'value="Northshire Police"' in form

    response = post_form(
        manager_client,
        path,
        {
            **_details(name="Northshire Constabulary", area="North and South Northshire"),
            "version": _version_on(manager_client, path),
        },
    )

    page = _follow(manager_client, response)
    assert "Changes to Northshire Constabulary saved." in page
    assert _all_agencies(app) == [("Northshire Constabulary", "police", "North and South Northshire", True)]
    [event] = _events(app, "agency_updated")
    assert event.actor_id == manager.id and event.subject_id == agency.id
    assert event.details == {
        "name": ["Northshire Police", "Northshire Constabulary"],
        "area": ["Northshire", "North and South Northshire"],
    }
    assert "Northshire Police" in event.summary and "Northshire Constabulary" in event.summary


def test_saving_without_changes_records_nothing(app: Flask, manager_client: FlaskClient) -> None:
    agency = _agency(app, "Northshire Police", area="Northshire")
    path = f"/agencies/{agency.id}/edit"
    response = post_form(manager_client, path, {**_details(), "version": _version_on(manager_client, path)})
    assert "No changes to save." in _follow(manager_client, response)
    assert _events(app) == []


def test_an_agency_may_change_the_case_of_its_own_name(app: Flask, manager_client: FlaskClient) -> None:
    agency = _agency(app, "northshire police")
    path = f"/agencies/{agency.id}/edit"
    response = post_form(manager_client, path, {**_details(), "version": _version_on(manager_client, path)})
    assert response.status_code == 302
    assert _reload(app, agency.id).name == "Northshire Police"


def test_renaming_to_another_agencys_name_in_another_case_is_refused(
    app: Flask, manager_client: FlaskClient
) -> None:
    _agency(app, "Northshire Police")
    other = _agency(app, "Southshire Police", area="Southshire")
    before = _all_agencies(app)
    path = f"/agencies/{other.id}/edit"

    response = post_form(
        manager_client,
        path,
        {**_details(name="NORTHSHIRE police"), "version": _version_on(manager_client, path)},
    )

    assert response.status_code == 400
    assert "There is already an agency called Northshire Police" in _text(response)
    assert _all_agencies(app) == before
    assert _events(app) == []


def test_blank_name_on_edit_is_refused(app: Flask, manager_client: FlaskClient) -> None:
    agency = _agency(app, "Northshire Police")
    path = f"/agencies/{agency.id}/edit"
    response = post_form(
        manager_client, path, {**_details(name=" "), "version": _version_on(manager_client, path)}
    )
    assert response.status_code == 400
    assert "Enter the agency's name" in _text(response)
    assert _reload(app, agency.id).name == "Northshire Police"


@pytest.mark.parametrize(
    "meanwhile",
    [
        {"name": "Northshire Constabulary"},
        {"agency_type": AgencyType.OTHER},
        {"area": "Somewhere else"},
        {"active": False},
    ],
)
def test_a_concurrent_edit_is_refused_and_a_deliberate_second_save_succeeds(
    app: Flask, manager_client: FlaskClient, meanwhile: dict[str, object]
) -> None:
    agency = _agency(app, "Northshire Police", area="Northshire")
    path = f"/agencies/{agency.id}/edit"
    drawn = _version_on(manager_client, path)
    with app.app_context():  # someone else saves first
        row = db.session.get(Agency, agency.id)
        for key, value in meanwhile.items():
            setattr(row, key, value)
        db.session.commit()
        saved_meanwhile = _all_agencies(app)

    response = post_form(manager_client, path, {**_details(area="Mine"), "version": drawn})

    assert response.status_code == 400
    page = _text(response)
    assert "Someone else changed this agency while you were editing it." in page
    assert _all_agencies(app) == saved_meanwhile
    assert _events(app) == []
    # The page now carries the latest details: saving again overrides them, knowingly.
    fresh = _VERSION.search(response.get_data(as_text=True))
    assert fresh and fresh.group(1) != drawn
    again = post_form(manager_client, path, {**_details(area="Mine"), "version": fresh.group(1)})
    assert again.status_code == 302
    assert _reload(app, agency.id).area == "Mine"


def test_an_edit_without_the_version_is_refused(app: Flask, manager_client: FlaskClient) -> None:
    agency = _agency(app, "Northshire Police")
    response = post_form(manager_client, f"/agencies/{agency.id}/edit", _details(area="Elsewhere"))
    assert response.status_code == 400
    assert _reload(app, agency.id).area == ""


# --- deactivating and reactivating -------------------------------------------------------


def _leads(app: Flask, agency: Agency, active: int, inactive: int = 0) -> None:
    with app.app_context():
        row = db.session.get(Agency, agency.id)
        for _ in range(active):
            make_user(Role.AGENCY_LEAD, agency=row)
        for _ in range(inactive):
            make_user(Role.AGENCY_LEAD, agency=row, active=False)


def _post_button(client: FlaskClient, agency: Agency, action: str):  # type: ignore[no-untyped-def]
    return post_form(client, f"/agencies/{agency.id}/{action}", {}, token_from=f"/agencies/{agency.id}")


def test_deactivating_keeps_history_and_says_how_many_leads_remain(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    agency = _agency(app, "Northshire Police")
    _leads(app, agency, active=2, inactive=1)
    review = _review_involving(app, manager, agency, "Attended the strategy discussion")

    page = _follow(manager_client, _post_button(manager_client, agency, "deactivate"))

    assert "Northshire Police is now inactive." in page
    assert "It still has 2 active agency leads" in page
    assert _reload(app, agency.id).active is False
    with app.app_context():  # nothing is deleted or unlinked
        assert (
            db.session.execute(db.select(Involvement).where(Involvement.agency_id == agency.id))
            .scalar_one()
            .review_id
            == review.id
        )
        assert len(db.session.get(Agency, agency.id).leads) == 3
    [event] = _events(app)
    assert event.action == "agency_deactivated" and event.actor_id == manager.id
    assert event.details == {"active": [True, False], "active_agency_leads": 2}
    assert "Inactive" in page and review.reference in page


def test_deactivating_an_agency_without_leads_says_nothing_about_leads(
    app: Flask, manager_client: FlaskClient
) -> None:
    agency = _agency(app, "Northshire Police")
    _leads(app, agency, active=0, inactive=1)
    page = _follow(manager_client, _post_button(manager_client, agency, "deactivate"))
    assert "Northshire Police is now inactive." in page
    assert "agency leads, who" not in page and "active agency lead" not in page


def test_deactivating_with_one_lead_says_so(app: Flask, manager_client: FlaskClient) -> None:
    agency = _agency(app, "Northshire Police")
    _leads(app, agency, active=1)
    page = _follow(manager_client, _post_button(manager_client, agency, "deactivate"))
    assert "It still has 1 active agency lead, who can still sign in" in page


def test_reactivating_brings_an_agency_back(app: Flask, manager: User, manager_client: FlaskClient) -> None:
    agency = _agency(app, "Northshire Police", active=False)
    page = _follow(manager_client, _post_button(manager_client, agency, "reactivate"))
    assert "Northshire Police is active again" in page
    assert _reload(app, agency.id).active is True
    [event] = _events(app)
    assert event.action == "agency_reactivated" and event.details == {"active": [False, True]}


def test_deactivating_twice_or_reactivating_an_active_agency_changes_nothing(
    app: Flask, manager_client: FlaskClient
) -> None:
    inactive = _agency(app, "Old Trust", active=False)
    active = _agency(app, "Northshire Police")
    token = csrf_token(manager_client, f"/agencies/{active.id}")  # pages show only the fitting button

    first = manager_client.post(f"/agencies/{inactive.id}/deactivate", data={"csrf_token": token})
    assert "Old Trust is already inactive" in _follow(manager_client, first)
    second = manager_client.post(f"/agencies/{active.id}/reactivate", data={"csrf_token": token})
    assert "Northshire Police is already active" in _follow(manager_client, second)
    assert _reload(app, inactive.id).active is False and _reload(app, active.id).active is True
    assert _events(app) == []


def test_inactive_agencies_are_left_out_of_choices_for_new_work(app: Flask) -> None:
    active = _agency(app, "Northshire Police")
    inactive = _agency(app, "Old Trust", active=False)
    with app.app_context():
        assert [a.name for a in agencies_for_new_work()] == ["Northshire Police"]
        kept = agencies_for_new_work(keeping=[db.session.get(Agency, inactive.id)])
        assert [a.id for a in kept] == [active.id, inactive.id]


# --- reviews involving an agency ----------------------------------------------------------


def _review_involving(app: Flask, manager: User, agency: Agency, note: str = ""):  # type: ignore[no-untyped-def]
    with app.app_context():
        review = make_review("CSPR", "referral", by=manager, agencies=[agency], pseudonym="Child M")
        involvement = db.session.execute(
            db.select(Involvement).where(Involvement.review_id == review.id)
        ).scalar_one()
        involvement.role_note = note
        db.session.commit()
        db.session.refresh(review)  # loaded, so usable after the app context ends
        return review


# --- the list, the agency page and access: one directory, only read ---------------------

DIRECTORY_PAGES = ["/agencies/", "/agencies/new", "/agencies/{id}", "/agencies/{id}/edit"]
DIRECTORY_POSTS = [
    "/agencies/new",
    "/agencies/{id}/edit",
    "/agencies/{id}/deactivate",
    "/agencies/{id}/reactivate",
]


@dataclass
class Directory:
    """Five agencies, two of them inactive; Northshire Police has two active leads and one
    deactivated, and is involved in a review; the Academy Trust is involved in another."""

    agencies: dict[str, int]  # name -> id
    review: Review  # the one Northshire Police is involved in
    people: dict[str, int]  # "manager", "lead" (Priya Shah, of Northshire Police), "reviewer", "admin"


DIRECTORY = {
    "Northshire Police": (AgencyType.POLICE, "Northshire", True),
    "Southshire Police": (AgencyType.POLICE, "", False),
    "Northshire Academy Trust": (AgencyType.EDUCATION, "", True),
    "100% Kids_Club": (AgencyType.EARLY_YEARS, "", True),
    "Old Trust": (AgencyType.NHS_TRUST, "", False),
}


@pytest.fixture(scope="class")
def directory_world(app: Flask) -> Iterator[Directory]:
    def build() -> Directory:
        agencies = {
            name: _agency(app, name, kind, area=area, active=active).id
            for name, (kind, area, active) in DIRECTORY.items()
        }
        with app.app_context():
            police = db.session.get(Agency, agencies["Northshire Police"])
            lead = make_user(
                Role.AGENCY_LEAD, agency=police, name="Priya Shah", email="priya.shah@police.example"
            )
            make_user(Role.AGENCY_LEAD, agency=police, name="Ali Khan")
            make_user(
                Role.AGENCY_LEAD, agency=police, name="Sam Old", email="sam.old@police.example", active=False
            )
            people = {
                "lead": lead.id,
                "reviewer": make_user(Role.REVIEWER).id,
                "admin": make_user(Role.ADMIN).id,
            }
            manager = make_user(
                Role.BOARD_MANAGER, name="Morgan Price"
            )  # made last: loaded after the context
            people["manager"] = manager.id
        police, school = (
            _reload(app, agencies[name]) for name in ("Northshire Police", "Northshire Academy Trust")
        )
        involved = _review_involving(app, manager, police, "Attended the strategy discussion")
        _review_involving(app, manager, school, "Not this one")
        return Directory(agencies, involved, people)

    with built_once(app, build, may_add_to={"audit_events"}) as world:
        yield world


@pytest.fixture(scope="class")
def directory_client(app: Flask, directory_world: Directory) -> FlaskClient:
    return client_as(app, directory_world.people["manager"])


def _listed_names(page: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/agencies/\d+">([^<]+)</a>', page)


@pytest.mark.read_only
class TestTheDirectory:
    """Lists, pages and refusals that only read: the directory is built once for the class."""

    def test_list_shows_every_agency_with_its_status_and_active_leads(
        self, directory_world: Directory, directory_client: FlaskClient
    ) -> None:
        page = _text(directory_client.get("/agencies/"))

        assert "5 agencies" in page
        rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)[1:]
        assert [name for row in rows for name in _listed_names(row)] == sorted(DIRECTORY)
        police = next(row for row in rows if ">Northshire Police</a>" in row)
        assert "Police" in police and "Northshire" in police
        assert "Active" in police and re.search(
            r"numeric\">2</td>", police
        )  # the deactivated lead is not counted
        assert f'href="/agencies/{directory_world.agencies["Northshire Police"]}"' in police
        old = next(row for row in rows if ">Old Trust</a>" in row)
        assert "NHS trust" in old and "Inactive" in old

    def test_list_filters_by_type_status_and_name(self, directory_client: FlaskClient) -> None:
        def listed(query: str) -> list[str]:
            page = directory_client.get(f"/agencies/?{query}")
            assert page.status_code == 200
            return _listed_names(_text(page))

        assert listed("") == [
            "100% Kids_Club",
            "Northshire Academy Trust",
            "Northshire Police",
            "Old Trust",
            "Southshire Police",
        ]
        assert listed("type=police") == ["Northshire Police", "Southshire Police"]
        assert listed("status=inactive") == ["Old Trust", "Southshire Police"]
        assert listed("status=active&type=police") == ["Northshire Police"]
        assert listed("q=NORTHSHIRE") == ["Northshire Academy Trust", "Northshire Police"]
        assert listed("q=shire+pol") == ["Northshire Police", "Southshire Police"]
        assert listed("q=%25") == ["100% Kids_Club"]  # wildcards are matched literally
        assert listed("q=North_hire") == []  # "_" would match the "s" of Northshire as a wildcard
        assert listed("q=Kids_Club&type=nonsense&status=nonsense") == ["100% Kids_Club"]
        assert listed("type=nonsense&status=nonsense") == listed("")  # unknown filters are ignored
        empty = _text(directory_client.get("/agencies/?q=Nowhere"))
        assert "No agencies match these filters." in empty

    def test_agency_page_shows_leads_and_the_reviews_it_is_involved_in(
        self, directory_world: Directory, directory_client: FlaskClient
    ) -> None:
        review = directory_world.review
        page = _text(directory_client.get(f"/agencies/{directory_world.agencies['Northshire Police']}"))

        assert "Priya Shah" in page and "priya.shah@police.example" in page
        assert "Sam Old" in page and "Deactivated" in page
        assert review.reference in page and "Child M" in page and "Attended the strategy discussion" in page
        assert f'href="/reviews/{review.id}"' in page
        assert "Not this one" not in page
        assert "Deactivate agency" in page and "Reactivate agency" not in page

    def test_unknown_agencies_are_not_found(self, directory_client: FlaskClient) -> None:
        for path in ["/agencies/999999", "/agencies/999999/edit"]:
            assert directory_client.get(path).status_code == 404
        token = csrf_token(directory_client, "/agencies/")
        response = directory_client.post("/agencies/999999/deactivate", data={"csrf_token": token})
        assert response.status_code == 404

    # an agency lead of the very agency asked for is refused too
    @pytest.mark.parametrize("person", ["reviewer", "lead", "admin"])
    def test_only_board_managers_use_the_directory(
        self, app: Flask, directory_world: Directory, person: str
    ) -> None:
        agency_id = directory_world.agencies["Northshire Police"]
        before, events = _all_agencies(app), len(_events(app))
        client = client_as(app, directory_world.people[person])
        for page in DIRECTORY_PAGES:
            assert client.get(page.format(id=agency_id)).status_code == 403, page
        token = csrf_token(client, "/account")
        for path in DIRECTORY_POSTS:
            response = client.post(
                path.format(id=agency_id),
                data={"csrf_token": token, **_details(name="Taken Over"), "version": "x"},
            )
            assert response.status_code == 403, path
        assert _all_agencies(app) == before
        assert len(_events(app)) == events

    def test_signed_out_visitors_are_sent_to_sign_in(self, app: Flask, directory_world: Directory) -> None:
        client = client_as(app, None)
        for page in DIRECTORY_PAGES:
            response = client.get(page.format(id=directory_world.agencies["Northshire Police"]))
            assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_name_taken_at_the_same_moment_is_refused_by_the_database(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _agency(app, "Northshire Police")
    # As if the other save landed between this one's check and its insert.
    monkeypatch.setattr(directory, "_same_name", lambda name, other_than: None)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            directory.create_agency("Northshire Police", AgencyType.POLICE)
        db.session.rollback()
    assert refused.value.field == "name"
    assert len(_all_agencies(app)) == 1
