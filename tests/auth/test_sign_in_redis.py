"""Sign-in throttling with its counters in the real Redis server, as several app servers share
them in production; and over real sockets, where the address comes from the network.

The Redis tests need the server at CASEWORK_TEST_REDIS_URL (default 127.0.0.1:6379, as in CI):
they fail, never skip, when it cannot be reached. Each run uses its own key prefix and removes
its keys afterwards."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from werkzeug.serving import make_server

from casework.auth import services
from casework.auth.models import Role, User
from casework.auth.throttling import throttle
from casework.core.extensions import db
from tests.auth.sign_in_support import (
    ATTACKER,
    LOCKED,
    REAL_USER,
    HashCounter,
    app_like,
    client_at,
    flood_with_unknown_emails,
    row_counts,
    sign_in_from,
)
from tests.conftest import PASSWORD, REDIS_URL, make_user
from tests.support.http import SocketBrowser
from tests.support.people import one_time_code


@pytest.fixture
def prefix(redis_server: redis.Redis) -> Iterator[str]:
    """A key prefix for this test alone; its keys are removed afterwards."""
    prefix = f"casework-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(redis_server.scan_iter(f"{prefix}:*"))
    if keys:
        redis_server.delete(*keys)


@pytest.fixture
def servers(app: Flask, prefix: str) -> Iterator[tuple[Flask, Flask]]:
    """Two app servers sharing the suite's database and one Redis."""
    pair = tuple(
        app_like(app, RATE_LIMIT_STORAGE_URL=REDIS_URL, RATE_LIMIT_KEY_PREFIX=prefix) for _ in range(2)
    )
    yield pair  # type: ignore[misc]
    for server in pair:
        with server.app_context():
            db.engine.dispose()


@pytest.fixture
def user(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.BOARD_MANAGER, email="morgan@example.org")


@pytest.mark.redis
def test_every_app_server_sees_the_same_counts(servers: tuple[Flask, Flask], user: User) -> None:
    first, second = servers
    attacker_on_first = client_at(first, ATTACKER)
    for attempt in range(10):
        sign_in_from(attacker_on_first, user.email, f"guess {attempt}")
    refused = sign_in_from(client_at(second, ATTACKER), user.email)
    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)
    assert sign_in_from(client_at(second, REAL_USER), user.email).status_code == 302


@pytest.mark.redis
def test_a_flood_of_unknown_emails_leaves_no_rows_and_only_expiring_hashed_keys(
    app: Flask,
    servers: tuple[Flask, Flask],
    user: User,
    prefix: str,
    redis_server: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hashes = HashCounter.install(monkeypatch)
    before = row_counts(app)
    flooder = client_at(servers[0], ATTACKER)
    flood_with_unknown_emails(flooder)
    assert row_counts(app) == before
    assert hashes.verify == 50

    keys = [key.decode() for key in redis_server.scan_iter(f"{prefix}:*")]
    assert keys
    assert all(key.startswith(f"{prefix}:sign-in/") for key in keys)
    assert not [key for key in keys if "@" in key or "nobody" in key or ATTACKER in key]
    assert all(redis_server.ttl(key) > 0 for key in keys)  # every count expires by itself
    # Only the fifty attempts that were checked left counts: per email its three tiers from this
    # address and two across addresses, and the address's own two; the refused ones left none.
    assert len(keys) == 50 * (3 + 2) + 2


@pytest.mark.redis
def test_an_administrator_unlock_clears_the_counts_in_redis(servers: tuple[Flask, Flask], user: User) -> None:
    first, second = servers
    for address in ("10.0.0.1", "10.0.0.2"):
        for attempt in range(10):
            sign_in_from(client_at(first, address), user.email, f"guess {attempt}")
    with second.app_context():
        assert services.lock_state(user.email) is not None
        services.unlock_sign_in(db.session.get(User, user.id))
        db.session.commit()
        assert services.lock_state(user.email) is None
    assert sign_in_from(client_at(first, "10.0.0.1"), user.email).status_code == 302
    assert sign_in_from(client_at(first, "10.0.0.2"), user.email).status_code == 302


@pytest.mark.redis
def test_the_redis_store_is_reset_only_under_its_own_prefix(
    servers: tuple[Flask, Flask], user: User, redis_server: redis.Redis
) -> None:
    neighbour = f"someone-else-{uuid.uuid4().hex[:8]}:key"
    redis_server.set(neighbour, "kept", ex=60)
    try:
        sign_in_from(client_at(servers[0], ATTACKER), user.email, "wrong")
        with servers[0].app_context():
            throttle().reset()
        assert redis_server.get(neighbour) == b"kept"
    finally:
        redis_server.delete(neighbour)


# --- over real sockets ----------------------------------------------------------------------


@pytest.fixture
def live_port(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def test_over_the_network_the_attackers_address_is_paused_and_the_real_users_is_not(
    app: Flask, user: User, live_port: int
) -> None:
    attacker = SocketBrowser(live_port, ATTACKER)
    for attempt in range(15):
        status, _page = attacker.sign_in(user.email, f"guess {attempt}")
        assert status == (400 if attempt < 9 else 429), attempt  # the tenth failure locks
    status, page = attacker.sign_in(user.email, PASSWORD)
    assert status == 429
    assert LOCKED in page
    real_user = SocketBrowser(live_port, REAL_USER)
    assert real_user.sign_in(user.email, PASSWORD)[0] == 302
    with app.app_context():
        code = one_time_code(user.id)
    assert real_user.enter_code(code)[0] == 302
    with app.app_context():
        from casework.core.audit import AuditEvent

        addresses = db.session.execute(
            db.select(AuditEvent.action, AuditEvent.ip_address).order_by(AuditEvent.id)
        ).all()
    assert set(addresses) == {
        ("sign_in_failed", ATTACKER),
        ("account_locked", ATTACKER),
        ("recovery_code_used", REAL_USER),  # the test kit's second step
        ("signed_in", REAL_USER),
    }
