"""Sign-in under attack: the real user's throughput while a guesser loops, and the CPU a refused
attempt costs, with argon2 at its production cost.

    .venv/bin/python scripts/bench_sign_in.py [--seconds 10] [--redis redis://127.0.0.1:6379/0]

It serves the app on 127.0.0.1 from a scratch SQLite database; the guesser's connections leave
from 127.0.0.2, the real user's from 127.0.0.1, each a new browser every time (no device cookie).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("CASEWORK_INSTANCE_PATH", tempfile.mkdtemp(prefix="casework-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from werkzeug.serving import make_server

from casework import create_app
from casework.auth.models import Role, User
from casework.auth.passwords import hash_password
from casework.core.extensions import db
from config import DevelopmentConfig
from tests.support.http import SocketBrowser

EMAIL = "morgan@example.org"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a scratch database)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--redis", help="keep the counters in this Redis instead of memory://")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    prefix = f"casework-bench-{uuid.uuid4().hex[:8]}"
    overrides = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.environ['CASEWORK_INSTANCE_PATH']}/bench.db",
        "RATE_LIMIT_STORAGE_URL": options.redis or "memory://",
        "RATE_LIMIT_KEY_PREFIX": prefix,
        "WTF_CSRF_ENABLED": True,
    }
    app = create_app(type("BenchConfig", (DevelopmentConfig,), overrides))
    with app.app_context():
        flask_migrate.upgrade()
        db.session.add(
            User(name="Morgan", email=EMAIL, role=Role.BOARD_MANAGER, password_hash=hash_password(PASSWORD))
        )
        db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    def real_user_loop(seconds: float) -> tuple[int, int]:
        ok = refused = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            browser = SocketBrowser(port, "127.0.0.1", timeout=60)
            status, _ = browser.request(
                "POST",
                "/sign-in",
                {"csrf_token": browser.sign_in_token(), "email": EMAIL, "password": PASSWORD},
            )
            ok += status == 302
            refused += status != 302
        return ok, refused

    # 1. Baseline: the real user alone.
    ok, _ = real_user_loop(options.seconds)
    print(f"real user alone:          {ok / options.seconds:6.2f} successful sign-ins/s")

    # 2. The same while a guesser at 127.0.0.2 loops as fast as it can.
    stop = threading.Event()
    attacker_counts = {"400": 0, "429": 0, "other": 0}

    def attacker() -> None:
        browser = SocketBrowser(port, "127.0.0.2", timeout=60)
        token = browser.sign_in_token()
        number = 0
        while not stop.is_set():
            number += 1
            status, _ = browser.request(
                "POST", "/sign-in", {"csrf_token": token, "email": EMAIL, "password": f"guess {number}"}
            )
            attacker_counts[str(status) if status in (400, 429) else "other"] += 1

    guessers = [threading.Thread(target=attacker, daemon=True) for _ in range(2)]
    for thread in guessers:
        thread.start()
    time.sleep(1)  # past the first ten guesses: the address is paused
    ok, refused = real_user_loop(options.seconds)
    stop.set()
    for thread in guessers:
        thread.join()
    print(
        f"real user under attack:   {ok / options.seconds:6.2f} successful sign-ins/s, {refused} refused; "
        f"guesser: {attacker_counts['400']} checked, {attacker_counts['429']} refused "
        f"({sum(attacker_counts.values()) / (options.seconds + 1):.0f} attempts/s)"
    )

    # 3. CPU per attempt, in process (no sockets): a refused attempt against one argon2 verify.
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    token = CSRF.search(client.get("/sign-in").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    started = time.process_time()
    for number in range(200):
        assert (
            client.post(
                "/sign-in", data={"csrf_token": token, "email": EMAIL, "password": f"x{number}"}
            ).status_code
            == 429
        )
    refused_cpu = (time.process_time() - started) / 200
    checker = app.test_client()
    checker.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    token = CSRF.search(checker.get("/sign-in").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    started = time.process_time()
    for number in range(5):
        checker.post("/sign-in", data={"csrf_token": token, "email": EMAIL, "password": f"x{number}"})
    checked_cpu = (time.process_time() - started) / 5
    print(f"CPU per refused attempt:  {refused_cpu * 1000:6.2f} ms")
    print(f"CPU per checked attempt:  {checked_cpu * 1000:6.2f} ms (argon2id at production cost)")

    server.shutdown()
    if options.redis:
        with app.app_context():
            from casework.auth.throttling import throttle

            throttle().reset()


if __name__ == "__main__":
    main()
