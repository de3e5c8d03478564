"""Route access policies.

Every view declares who may use it: ``@public``, ``@signed_in`` or ``@roles(...)``.
A route without a declaration is refused at run time, and a test walks the URL map so
a missing declaration fails the build before it reaches anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from casework.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])

POLICY_ATTRIBUTE = "access_policy"


@dataclass(frozen=True)
class AccessPolicy:
    kind: str  # "public", "signed_in" or "roles"
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(sorted(self.roles))
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
