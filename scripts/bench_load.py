"""Requests per second under gunicorn (2 workers, production configuration) from a small load
generator: a few threads, each signed in as the board manager, each keeping its connection
open between requests, for a fixed time per page after a short warm-up."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkdtemp

from scripts.bench_report import Throughput
from tests.support.http import SocketBrowser
from tests.support.main_pages import demo_password

ROOT = Path(__file__).resolve().parent.parent
MANAGER = "manager@northshire.example"
LOADED = [
    ("floor: signed-in layout", "/accessibility"),
    ("dashboard", "/reviews/dashboard"),
    ("action tracker", "/actions/"),
]
CLIENTS = 4  # two per worker: one waits while the other is served
WARM_UP = 1.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(url: str, uploads: Path, secret_key: str) -> Iterator[int]:
    scratch = Path(mkdtemp(prefix="casework-bench-gunicorn-"))
    port = _free_port()
    env = {
        **os.environ,
        "CASEWORK_ENV": "production",
        "CASEWORK_DATABASE_URL": url,
        "SECRET_KEY": secret_key,  # the bench app's: the one-time codes it makes are keyed by it
        "CASEWORK_INSTANCE_PATH": str(scratch),
        "CASEWORK_UPLOAD_FOLDER": str(uploads),
        "CASEWORK_QUEUE_URL": f"sqlite:///{scratch / 'queue.db'}",
    }
    env.pop("FLASK_DEBUG", None)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--control-socket", str(scratch / "gunicorn.ctl"), "wsgi:app"]
    with (scratch / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_for(port, server)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start; see its log in the scratch folder")


def _cookie(port: int, code: Callable[[], str]) -> str:
    """A board manager's session: the password, then a one-time code."""
    browser = SocketBrowser(port, "127.0.0.1", timeout=60)
    status, _ = browser.sign_in(MANAGER, demo_password(MANAGER))
    assert status == 302, status
    status, _ = browser.enter_code(code())
    assert status == 302, status
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def load(port: int, path: str, cookies: list[str], seconds: float) -> tuple[float, float]:
    """Requests per second and the median time of one, over ``seconds`` after the warm-up."""
    start = time.perf_counter()
    measure_from, stop = start + WARM_UP, start + WARM_UP + seconds
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while (began := time.perf_counter()) < stop:
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 200:  # counted as no answer: the figures say 0, not a good rate
                failures.append(f"{path} answered {response.status} under load")
                break
            if began >= measure_from:
                with lock:
                    times.append(time.perf_counter() - began)
        connection.close()

    threads = [threading.Thread(target=client, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    return len(times) / seconds, statistics.median(times) * 1000 if times else 0.0


def throughput(
    databases: dict[str, tuple[str, Path]],
    seconds: float,
    codes: dict[str, Callable[[], str]],
    secret_keys: dict[str, str],
) -> list[Throughput]:
    """Each page under load at each scale, one gunicorn per scale in turn; ``codes`` gives each
    scale's one-time codes for signing in."""
    rates: dict[str, dict[str, float]] = {name: {} for name, _ in LOADED}
    medians: dict[str, dict[str, float]] = {name: {} for name, _ in LOADED}
    for scale, (url, uploads) in databases.items():
        with gunicorn(url, uploads, secret_keys[scale]) as port:
            cookies = [_cookie(port, codes[scale]) for _ in range(CLIENTS)]
            for name, path in LOADED:
                rates[name][scale], medians[name][scale] = load(port, path, cookies, seconds)
                print(f"  {scale} {name}: {rates[name][scale]:.1f} requests/s", flush=True)
    return [Throughput(name, path, rates[name], medians[name]) for name, path in LOADED]
