"""The query guard: SQL issued while a template renders fails in tests, names the template and the
statement, and leaves the request able to query again; off in production."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from sqlalchemy.orm import joinedload

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.query_guard import QueryInTemplateError, rendering_template
from config import Config, ProductionConfig, TestConfig


def _lead_id(factory) -> int:  # type: ignore[no-untyped-def]
    return factory.user(Role.AGENCY_LEAD).id


def test_a_lazy_load_in_a_template_raises_naming_the_statement(app: Flask, factory) -> None:  # type: ignore[no-untyped-def]
    lead_id = _lead_id(factory)
    with app.test_request_context():
        lead = db.session.get(User, lead_id)
        with pytest.raises(QueryInTemplateError, match=r"rendering '<string>'.*FROM agencies"):
            render_template_string("{{ lead.agency.name }}", lead=lead)
        # The failed render is forgotten: the request can still query, and render again.
        assert rendering_template() is None
        assert db.session.get(User, lead_id) is lead
        assert render_template_string("{{ lead.name }}", lead=lead) == lead.name


def test_what_the_view_loaded_renders_without_a_query(app: Flask, factory) -> None:  # type: ignore[no-untyped-def]
    lead_id = _lead_id(factory)
    with app.test_request_context():
        lead = db.session.get(User, lead_id, options=[joinedload(User.agency)])
        assert lead is not None and lead.agency is not None
        assert render_template_string("{{ lead.agency.name }}", lead=lead) == lead.agency.name


def test_with_the_guard_off_a_template_may_query(app: Flask, factory) -> None:  # type: ignore[no-untyped-def]
    lead_id = _lead_id(factory)
    app.config["QUERY_GUARD"] = False
    try:
        with app.test_request_context():
            lead = db.session.get(User, lead_id)
            assert render_template_string("{{ lead.agency.name }}", lead=lead).startswith("Agency")
    finally:
        app.config["QUERY_GUARD"] = True


def test_the_guard_is_on_in_tests_and_off_in_production() -> None:
    assert TestConfig.QUERY_GUARD is True
    assert Config.QUERY_GUARD is False and ProductionConfig.QUERY_GUARD is False


def test_a_template_may_reload_an_object_a_commit_expired_but_not_its_relationships(
    app: Flask, factory
) -> None:  # type: ignore[no-untyped-def]
    lead_id = _lead_id(factory)
    with app.test_request_context():
        lead = db.session.get(User, lead_id)
        db.session.commit()  # expires the user's columns
        assert render_template_string("{{ lead.name }}", lead=lead) == lead.name
        with pytest.raises(QueryInTemplateError, match="FROM agencies"):
            render_template_string("{{ lead.agency.name }}", lead=lead)


def test_after_a_refused_step_a_template_may_reload_what_the_rollback_expired(app: Flask, factory) -> None:  # type: ignore[no-untyped-def]
    lead_id = _lead_id(factory)
    with app.test_request_context():
        lead = db.session.get(User, lead_id, options=[joinedload(User.agency).selectinload(Agency.leads)])
        assert lead is not None and lead.agency is not None
        agency = lead.agency
        template = "{{ agency.leads | map(attribute='name') | join }}"
        assert render_template_string(template, agency=agency) == lead.name
        db.session.rollback()  # what a refused step does: everything loaded is expired
        assert render_template_string(template, agency=agency) == lead.name
