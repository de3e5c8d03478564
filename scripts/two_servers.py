"""Two app servers and a worker, as production runs them, proven to work as one service.

Starts an S3-compatible object store (SeaweedFS) and a mail server on loopback, makes a fresh
PostgreSQL database with the demo partnership in it, then two gunicorn app servers on two ports
and one queue worker, all sharing PostgreSQL, Redis (sign-in counters and the job queue) and the
object store, in the production configuration. Then, over real HTTP:

1. sign in on one server and carry on on the other;
2. upload a document on one and download the same bytes from the other;
3. fail to sign in on one until the account is paused, and be refused on the other;
4. an administrator's request on one server queues an email that the worker sends.

Exits non-zero with the reason when any of it fails. Needs PostgreSQL and Redis running
(CASEWORK_TEST_POSTGRES_URL, CASEWORK_TEST_REDIS_URL as for the tests).

    .venv/bin/python scripts/two_servers.py
"""

from __future__ import annotations

import html.parser
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import pyotp  # noqa: E402
import redis  # noqa: E402

from casework.core.sealed import unseal  # noqa: E402
from tests.support import s3  # noqa: E402
from tests.support.smtp import MailServer, Server, free_port  # noqa: E402

BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + secrets.token_bytes(64)
WAIT_SECONDS = 60


class CheckFailedError(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailedError(message)


# --- a browser's worth of HTTP: cookies kept, redirects not followed ---------------------------


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Cookies shared across both servers, as a browser behind one load balancer keeps them
    (production cookies are Secure: this client sends them over loopback HTTP anyway)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(
        self, base: str, path: str, data: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(base + path, data=data)  # noqa: S310 (our own loopback servers)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), response.read()

    def form(
        self, base: str, page: str, action: str, fields: dict[str, str], files: dict[str, bytes] | None = None
    ):
        """GET ``page``, take the hidden fields of the form posting to ``action``, POST it."""
        status, _, body = self.request(base, page)
        check(status == 200, f"GET {page} answered {status}")
        hidden = hidden_fields(body.decode(), page, action)
        if files:
            boundary = uuid.uuid4().hex
            data = multipart(boundary, {**hidden, **fields}, files)
            return self.request(base, action, data, f"multipart/form-data; boundary={boundary}")
        encoded = urllib.parse.urlencode({**hidden, **fields}).encode()
        return self.request(base, action, encoded, "application/x-www-form-urlencoded")


class HiddenFields(html.parser.HTMLParser):
    def __init__(self, action: str, page: str) -> None:
        super().__init__()
        self.action, self.page, self.inside, self.fields = action, page, False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            # a form without an action posts to its own page
            self.inside = (found.get("action") or self.page).split("?")[0] == self.action
        elif tag == "input" and self.inside and found.get("type") == "hidden" and found.get("name"):
            self.fields[found["name"]] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def hidden_fields(html_text: str, page: str, action: str) -> dict[str, str]:
    parser = HiddenFields(action, page)
    parser.feed(html_text)
    check("csrf_token" in parser.fields, f"no form posting to {action} on the page")
    return parser.fields


def multipart(boundary: str, fields: dict[str, str], files: dict[str, bytes]) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, content in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="evidence.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# --- the service's parts ---------------------------------------------------------------------


@contextmanager
def database() -> Iterator[str]:
    name = f"casework_servers_{os.getpid()}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        running = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
        try:
            yield running
        finally:
            running.send_signal(signal.SIGTERM)
            try:
                running.wait(timeout=15)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait()


def wait_for(base: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise CheckFailedError(f"{base} did not answer /healthz in {WAIT_SECONDS} s")


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own commands)
        [str(BIN / "flask"), "--app", "wsgi", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    check(done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def sql(url: str, query: str, *params: object) -> object:
    with psycopg.connect(url) as connection:
        row = connection.execute(query, params).fetchone()
    check(row is not None, f"nothing found for {query}")
    return row[0]


# --- the checks ----------------------------------------------------------------------------


def demo_password(email: str) -> str:
    from casework.demo import DEMO_USERS

    return next(user.password for user in DEMO_USERS if user.email == email)


FIELD_KEY = secrets.token_hex(32)  # the servers' key for sealed columns, apart from SECRET_KEY


def password_step(browser: Browser, base: str, email: str, password: str) -> int:
    status, _, _ = browser.form(base, "/sign-in", "/sign-in", {"email": email, "password": password})
    return status


def sign_in(browser: Browser, url: str, email: str, base: str, code_base: str) -> int:
    """Both steps: the password on ``base``, the code from the demo user's app on ``code_base``
    (the pending sign-in is shared like the session)."""
    status = password_step(browser, base, email, demo_password(email))
    check(status == 302, f"the password of {email} was refused ({status})")
    sealed = str(sql(url, "SELECT totp_secret FROM users WHERE email = %s", email))
    key = unseal(sealed, FIELD_KEY)  # kept encrypted: the database alone does not give it away
    check(key is not None and key != sealed, f"the authenticator key of {email} is not sealed")
    code = pyotp.TOTP(str(key)).now()
    status, _, _ = browser.form(code_base, "/sign-in/code", "/sign-in/code", {"code": code})
    return status


def carry_on_across_servers(a: str, b: str, url: str) -> Browser:
    lead = Browser()
    check(
        sign_in(lead, url, "police.lead@northshire.example", a, b) == 302,
        "the agency lead could not sign in with the password on one server and the code on the other",
    )
    status, _, body = lead.request(b, "/agencies/mine")
    check(
        status == 200 and b"Sign out" in body, f"the second server did not know the signed-in lead ({status})"
    )
    print("ok  signed in on one server, carried on on the other")
    return lead


def upload_here_download_there(lead: Browser, a: str, b: str, url: str) -> None:
    request_id = sql(
        url,
        "SELECT r.id FROM contribution_requests r JOIN agencies a ON a.id = r.agency_id "
        "WHERE a.name = 'Northshire Police' AND r.status IN ('requested', 'returned') ORDER BY r.id LIMIT 1",
    )
    page = f"/agencies/requests/{request_id}"
    status, _, _ = lead.form(a, page, f"{page}/documents", {"upload": "Upload"}, {"file": PDF})
    check(status == 302, f"the upload on the first server answered {status}")
    document_id = sql(url, "SELECT id FROM documents WHERE sha256 = encode(sha256(%s), 'hex')", PDF)
    status, _, body = lead.request(b, f"/documents/{document_id}")
    check(status == 200 and body == PDF, f"the second server did not give the uploaded bytes back ({status})")
    print("ok  uploaded on one server, the same bytes downloaded from the other")


def lockout_is_shared(a: str, b: str) -> None:
    email = "reviewer2@northshire.example"
    attacker = Browser()
    for _ in range(3):
        status = password_step(attacker, a, email, "not the passphrase")
        check(status in (400, 429), f"a wrong password was not refused ({status})")
    status = password_step(attacker, b, email, demo_password(email))
    check(status == 429, f"the second server did not pause the account ({status})")
    print("ok  failed sign-ins on one server pause the account on the other")


def worker_sends_what_a_server_queued(b: str, mail: MailServer, url: str) -> None:
    admin = Browser()
    check(
        sign_in(admin, url, "admin@northshire.example", b, b) == 302,
        "the administrator could not sign in",
    )
    user_id = sql(url, "SELECT id FROM users WHERE email = %s", "reviewer@northshire.example")
    page = f"/admin/users/{user_id}"
    status, _, _ = admin.form(b, page, f"{page}/set-password-link/email", {})
    check(status == 302, f"asking for a set-password email answered {status}")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if any("reviewer@northshire.example" in message.recipients for message in mail.received):
            print("ok  an email queued by an app server was sent by the worker")
            return
        time.sleep(0.3)
    raise CheckFailedError("the worker did not send the queued email")


def main() -> int:
    scratch = Path(mkdtemp(prefix="casework-servers-"))
    run_id = f"servers-{os.getpid()}"
    redis_base = REDIS.rsplit("/", 1)[0]
    with ExitStack() as stack:
        endpoint = stack.enter_context(s3.seaweedfs())
        mail = stack.enter_context(Server(MailServer()))
        url = stack.enter_context(database())
        env = {
            **os.environ,
            "CASEWORK_DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "CASEWORK_FIELD_ENCRYPTION_KEY": FIELD_KEY,
            "CASEWORK_INSTANCE_PATH": str(scratch / "instance"),
            "CASEWORK_STORAGE_URL": f"s3://casework-servers/{run_id}",
            "CASEWORK_S3_ENDPOINT_URL": endpoint,
            "CASEWORK_S3_ACCESS_KEY_ID": s3.ACCESS_KEY,
            "CASEWORK_S3_SECRET_ACCESS_KEY": s3.SECRET_KEY,
            "CASEWORK_S3_REGION": s3.REGION,
            "CASEWORK_RATE_LIMIT_STORAGE_URL": f"{redis_base}/0",
            "CASEWORK_RATE_LIMIT_KEY_PREFIX": run_id,
            "CASEWORK_QUEUE_URL": f"{redis_base}/0",
            "CASEWORK_QUEUE_NAME": run_id,
            "CASEWORK_SIGN_IN_MAX_FAILURES": "3",
            "CASEWORK_SMTP_HOST": "127.0.0.1",
            "CASEWORK_SMTP_PORT": str(mail.port),
            "CASEWORK_SMTP_SECURITY": "none",
            "CASEWORK_MAIL_FROM": "casework@northshire.example",
        }
        env.pop("FLASK_DEBUG", None)
        setup = {**env, "CASEWORK_ENV": "development"}
        _make_bucket(env)
        flask(setup, "db", "upgrade")
        flask(setup, "demo")
        production = {**env, "CASEWORK_ENV": "production"}
        bases = []
        for name in ("a", "b"):
            port = free_port()
            gunicorn = [
                str(BIN / "gunicorn"),
                *("--workers", "2", "--bind", f"127.0.0.1:{port}"),
                *("--control-socket", str(scratch / f"gunicorn-{name}.ctl")),
                "wsgi:app",
            ]
            stack.enter_context(process(gunicorn, production, scratch / f"server-{name}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        worker = [str(BIN / "flask"), "--app", "wsgi", "worker", "--workers", "1"]
        stack.enter_context(process(worker, production, scratch / "worker.log"))
        stack.callback(_forget_redis_keys, redis_base, run_id)
        try:
            for base in bases:
                wait_for(base)
            a, b = bases
            lead = carry_on_across_servers(a, b, url)
            upload_here_download_there(lead, a, b, url)
            lockout_is_shared(a, b)
            worker_sends_what_a_server_queued(b, mail, url)
        except CheckFailedError as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            for log in sorted(scratch.glob("*.log")):
                print(f"--- {log.name} (last lines)", file=sys.stderr)
                print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
            return 1
    print("Two app servers and a worker share the database, Redis and the object store.")
    return 0


def _make_bucket(env: dict[str, str]) -> None:
    from casework.documents.s3_store import S3Settings, S3Store, make_client

    settings = S3Settings(
        "casework-servers", "", env["CASEWORK_S3_ENDPOINT_URL"], s3.ACCESS_KEY, s3.SECRET_KEY, s3.REGION
    )
    S3Store(make_client(settings), "casework-servers").ensure_bucket()


def _forget_redis_keys(redis_base: str, run_id: str) -> None:
    client = redis.Redis.from_url(f"{redis_base}/0")
    for key in client.scan_iter(match=f"*{run_id}*"):
        client.delete(key)


if __name__ == "__main__":
    sys.exit(main())
