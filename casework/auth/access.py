"""Route access policies, and the one vocabulary of access rules.

Every view declares who may use it: ``@public``, ``@signed_in``, ``@roles(...)`` for pages that
belong to a role (lists, dashboards), or ``@loads(Model, may="ability")`` for a page about one
record: the decorator loads the record the URL names and applies the record's own rule
(``record.can_<ability>(user)``), answering 404 for a record the user may not know exists and 403
for one they may see but not act on. Rules live on the records (``review.can_manage(user)``,
``request.can_answer(user)``...), each with its SQL twin for lists (``Model.visible_to(user)``);
services and templates (``can("manage", review)``) ask the same methods.

A route without a declaration is refused at run time, and a test walks the URL map so
a missing declaration fails the build before it reaches anyone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import ColumnElement
from sqlalchemy.orm.interfaces import ORMOption

from casework.auth.models import Role, User
from casework.core.error_pages import log_refusal
from casework.core.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
G = TypeVar("G")

POLICY_ATTRIBUTE = "access_policy"


class Guarded(Protocol):
    """A record that carries its own access rules: ``can_view`` decides whether a user may know
    it exists, ``can_<ability>`` what they may do with it, ``visible_to`` is ``can_view`` in SQL."""

    id: Any

    def can_view(self, user: User) -> bool: ...

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]: ...


@dataclass(frozen=True)
class AccessPolicy:
    kind: str  # "public", "signed_in", "roles" or "object"
    roles: frozenset[Role] = frozenset()
    model: type | None = None  # "object": the record the URL names
    ability: str = "view"  # "object": the rule applied to it, record.can_<ability>(user)
    argument: str = ""  # "object": the URL argument holding the record's id

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(sorted(self.roles))
        if self.kind == "object" and self.model is not None:
            return f"{self.model.__name__}.can_{self.ability}"
        return self.kind


def _declare(policy: AccessPolicy) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            enforce(policy)
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTRIBUTE, policy)
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _declare(AccessPolicy("public"))(view)


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their role."""
    return _declare(AccessPolicy("signed_in"))(view)


def roles(*allowed: Role) -> Callable[[F], F]:
    """Signed-in users with one of these roles; others get 403."""
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _declare(AccessPolicy("roles", frozenset(allowed)))


def loads(
    model: type[Guarded],
    may: str = "view",
    *,
    argument: str | None = None,
    options: Sequence[ORMOption] = (),
) -> Callable[[F], F]:
    """The route's rule is ``may`` on the record its URL names (by default the argument
    ``<model>_id``, e.g. ``review_id`` for ``Review``). The view receives the loaded record in
    its place (``review``). 404 when the record is missing or the user may neither view it nor do
    ``may`` with it; 403 when they may view it but ``record.can_<may>(user)`` is false.
    ``options``: loader options for what the page shows, so its template never queries."""
    argument = argument or _snake(model.__name__) + "_id"
    parameter = argument.removesuffix("_id")
    check = "can_" + may
    if not callable(getattr(model, check, None)) or not callable(getattr(model, "can_view", None)):
        raise TypeError(f"{model.__name__} has no rule {check}()")
    policy = AccessPolicy("object", model=model, ability=may, argument=argument)

    def decorator(view: F) -> F:
        if parameter not in inspect.signature(view).parameters:
            raise TypeError(f"{view.__name__}() must take the loaded record as {parameter!r}")

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            enforce(policy)
            kwargs[parameter] = load_for(model, kwargs.pop(argument), may, options=options)
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTRIBUTE, policy)
        return wrapped  # type: ignore[return-value]

    return decorator


def page_loader(
    model: type[Guarded], *, argument: str | None = None, options: Sequence[ORMOption] = ()
) -> Callable[[str], Callable[[F], F]]:
    """``loads`` for one record's page: ``may`` left to each route, the record always loaded with
    ``options`` (what the page shows), so each route of the page names only its rule."""

    def loader(may: str = "view") -> Callable[[F], F]:
        return loads(model, may, argument=argument, options=options)

    return loader


def load_for(model: type[G], record_id: Any, may: str = "view", *, options: Sequence[ORMOption] = ()) -> G:
    """Load a record and apply its rule for the signed-in user: 404 if they may not know it
    exists (neither view it nor do ``may``), 403 if they may not do ``may`` with it. For records
    a view reaches through another (a finding of a review's check), after checking that it
    belongs there."""
    record = db.session.get(model, record_id, options=options) if isinstance(record_id, int) else None
    user = current_person()
    allowed = record is not None and bool(getattr(record, "can_" + may)(user))
    # Someone allowed to do ``may`` knows the record exists, even without its page (an agency
    # lead reads a review's identifying details for an open request).
    if record is None or not (allowed or record.can_view(user)):
        if record is not None:  # a record that exists, kept from someone who may not know it does
            log_refusal(f"{model.__name__} {record_id} hidden")
        abort(404)
    if not allowed:
        abort(403)
    return record


def current_person() -> User:
    """The signed-in user, as the model (for services that record who did what)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def can(ability: str, record: Any = None) -> bool:
    """For templates: ``can("manage", review)`` asks ``review.can_manage(current_user)``;
    ``can("manage_reviews")`` asks the signed-in user's own ``can_manage_reviews()``."""
    if not current_user.is_authenticated:
        return False
    user = current_person()
    if record is None:
        return bool(getattr(user, "can_" + ability)())
    return bool(getattr(record, "can_" + ability)(user))


def _snake(name: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in name).lstrip("_")


def init_access(app: Flask) -> None:
    app.before_request(refuse_undeclared_routes)
    app.jinja_env.globals["can"] = can


def enforce(policy: AccessPolicy) -> None:
    if policy.kind == "public":
        return
    if not current_user.is_authenticated:
        # Flask-Login's handler redirects to the sign-in page with ?next=
        abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    if policy.kind == "roles" and current_user.role not in policy.roles:
        abort(403)


def policy_of(endpoint: str) -> AccessPolicy | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, POLICY_ATTRIBUTE, None)


def refuse_undeclared_routes() -> None:
    """before_request hook: deny by default when a route forgot its declaration."""
    if request.endpoint is None:
        return  # 404 / 405 are handled by Flask
    if policy_of(request.endpoint) is None:
        current_app.logger.error("Route %s has no access policy", request.endpoint)
        abort(403)
