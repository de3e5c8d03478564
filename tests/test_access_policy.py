"""Every route declares who may use it, and the declarations hold for every role."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from casework.auth.access import AccessPolicy, policy_of
from casework.auth.models import Role
from tests.conftest import app_beside, client_as, csrf_token, make_user
from tests.support.http import form_token

SAMPLE_ARGUMENTS = {"IntegerConverter": 1, "IdConverter": 1, "PathConverter": "sample/file.txt"}


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


def _url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if type(converter).__name__ == "AnyConverter":
            values[name] = sorted(converter.items)[0]  # type: ignore[attr-defined]
        else:
            values[name] = SAMPLE_ARGUMENTS.get(type(converter).__name__, "sample")
    return rule.build(values, append_unknown=False)[1]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _call(client: FlaskClient, method: str, url: str, token_page: str = "/sign-in"):
    if method == "GET":
        return client.get(url)
    # A real CSRF token, so the request reaches the access check rather than the CSRF check.
    return client.open(url, method=method, data={"csrf_token": form_token(client, token_page)})


def test_every_route_declares_an_access_policy(app: Flask) -> None:
    with app.test_request_context():
        missing = [rule.endpoint for rule in _rules(app) if policy_of(rule.endpoint) is None]
    assert missing == [], f"routes without an access policy: {missing}"


def test_a_route_without_a_policy_is_refused(app: Flask) -> None:
    """Deny by default: forgetting the decorator must not open a route."""
    undeclared_app = app_beside(app)
    undeclared_app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    response = undeclared_app.test_client().get("/undeclared")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_anonymous_requests_to_protected_routes_go_to_sign_in(app: Flask, client: FlaskClient) -> None:
    checked = 0
    with app.test_request_context():
        rules = [(rule, policy_of(rule.endpoint)) for rule in _rules(app)]
    for rule, policy in rules:
        assert isinstance(policy, AccessPolicy)
        if policy.kind == "public":
            continue
        for method in _methods(rule):
            url = _url(rule)
            response = _call(client, method, url)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert response.headers["Location"].startswith("/sign-in"), f"{method} {url}"
            checked += 1
    assert checked >= 10  # the walk really reached the protected routes


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_users_outside_a_routes_roles_get_403(app: Flask, role: Role) -> None:
    with app.app_context():
        user = make_user(role)
    client = client_as(app, user)
    with app.test_request_context():
        rules = [(rule, policy_of(rule.endpoint)) for rule in _rules(app)]
    refused = 0
    for rule, policy in rules:
        assert policy is not None
        if policy.kind != "roles" or role in policy.roles:
            continue
        for method in _methods(rule):
            response = _call(client, method, _url(rule), token_page="/account")
            assert response.status_code == 403, f"{role}: {method} {_url(rule)} -> {response.status_code}"
            refused += 1
    assert refused > 0


LANDING_PAGES = {
    Role.ADMIN: ["/admin/users", "/admin/audit-log", "/admin/sent-mail"],
    Role.BOARD_MANAGER: [
        "/reviews/dashboard",
        "/reviews/",
        "/reviews/new",
        "/reviews/working-days",
        "/reviews/types",
        "/agencies/",
        "/actions/",
        "/insight/",
        "/insight/annual",
    ],
    Role.REVIEWER: ["/work/reviewer", "/reviews/"],
    Role.AGENCY_LEAD: ["/work/agency", "/agencies/mine", "/actions/mine", "/briefings/"],
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_own_pages(app: Flask, role: Role) -> None:
    with app.app_context():
        user = make_user(role)
    client = client_as(app, user)
    for path in LANDING_PAGES[role] + ["/account", "/account/password"]:
        assert client.get(path).status_code == 200, path
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == LANDING_PAGES[role][0]


PASSKEY_ROUTES = {
    # Signing in: before anyone is signed in (the second step also needs the right password first).
    "auth.passkey_sign_in_options": "public",
    "auth.sign_in_passkey": "public",
    "auth.passkey_second_step_options": "public",
    "auth.sign_in_code_passkey": "public",
    # A person's own passkeys (each found among their own: someone else's is a 404).
    "auth.passkey_registration_options": "signed_in",
    "auth.passkey_add": "signed_in",
    "auth.passkey_remove": "signed_in",
}


def test_passkey_routes_declare_who_may_use_them(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        declared = {endpoint: policy_of(endpoint) for endpoint in PASSKEY_ROUTES}
    assert {endpoint: policy.kind for endpoint, policy in declared.items() if policy} == PASSKEY_ROUTES
    # Without the password step, the second step's routes give nothing away.
    token = csrf_token(client, "/sign-in")
    options = client.post("/sign-in/code/passkey/options", headers={"X-CSRFToken": token})
    assert options.status_code == 400 and "challenge" not in options.get_data(as_text=True)
    step = client.post("/sign-in/code/passkey", data={"csrf_token": token, "credential": "{}"})
    assert step.headers["Location"] == "/sign-in"
    # The JSON routes are CSRF-protected like every POST.
    assert client.post("/sign-in/passkey/options").status_code == 400
