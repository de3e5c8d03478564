"""Configuration classes, read from the environment.

Select one with CASEWORK_ENV (development, test, production); every setting that differs
between installations comes from an environment variable so no code change is needed.
"""

from __future__ import annotations

import math
import os
import secrets
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CASEWORK_INSTANCE_PATH", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def database_url() -> str:
    """CASEWORK_DATABASE_URL, then DATABASE_URL, then a SQLite file under instance/."""
    url = os.environ.get("CASEWORK_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'casework.db'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret_key() -> str:
    """A random key kept in instance/ so development sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _names(text: str) -> dict[str, str]:
    """ "SAR=Safeguarding Adults Board; DHR=..." as {"SAR": "Safeguarding Adults Board", ...}."""
    pairs = (part.split("=", 1) for part in text.split(";") if "=" in part)
    return {code.strip().upper(): name.strip() for code, name in pairs if code.strip() and name.strip()}


def _optional_date(name: str) -> date | None:
    """A date setting (YYYY-MM-DD); empty or unset is None. A mistyped date stops the start."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date written YYYY-MM-DD, or empty; it is {text!r}") from None


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY") or os.environ.get("CASEWORK_SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url()
    # SQLAlchemy keeps each distinct statement compiled; the app issues more than the default 500,
    # which made the cache drop and compile statements again and again.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "query_cache_size": 2000}
    # On in tests: SQL issued while a template renders raises (casework/core/query_guard.py).
    QUERY_GUARD = False

    PARTNERSHIP_NAME = os.environ.get(
        "CASEWORK_PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership"
    )

    # Links in mail and calendar feeds point here: the address people reach the app at.
    BASE_URL = os.environ.get("CASEWORK_BASE_URL", "http://127.0.0.1:5000")

    # Sessions: a row each in the database, named by a random key in a browser-session cookie;
    # timeouts enforced on every request from the row.
    SESSION_COOKIE_NAME = "casework_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_int("CASEWORK_SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=_int("CASEWORK_SESSION_ABSOLUTE_HOURS", 12))
    # Signed-in pages warn this long before the idle timeout, with a way to stay signed in.
    SESSION_TIMEOUT_WARNING = timedelta(minutes=2)
    # How often a session's "last active" time is written (at most a quarter of the idle timeout).
    SESSION_ACTIVITY_SECONDS = _int("CASEWORK_SESSION_ACTIVITY_SECONDS", 60)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Sign-in throttling (casework/auth/throttling.py). The counters live in a rate-limit store:
    # memory:// serves one process; several workers or servers must share a Redis server.
    RATE_LIMIT_STORAGE_URL = os.environ.get("CASEWORK_RATE_LIMIT_STORAGE_URL", "memory://")
    RATE_LIMIT_KEY_PREFIX = os.environ.get("CASEWORK_RATE_LIMIT_KEY_PREFIX", "casework")
    # One account from one address or one recognised browser (longer pauses follow).
    SIGN_IN_MAX_FAILURES = _int("CASEWORK_SIGN_IN_MAX_FAILURES", 10)
    SIGN_IN_LOCKOUT = timedelta(minutes=_int("CASEWORK_SIGN_IN_LOCKOUT_MINUTES", 15))
    # One account from every unrecognised browser together, and one address for every account.
    SIGN_IN_ACCOUNT_LIMITS = os.environ.get(
        "CASEWORK_SIGN_IN_ACCOUNT_LIMITS", "30 per 15 minutes; 100 per day"
    )
    SIGN_IN_SOURCE_LIMITS = os.environ.get("CASEWORK_SIGN_IN_SOURCE_LIMITS", "50 per 15 minutes; 300 per day")
    SIGN_IN_DEVICE_COOKIE_LIFETIME = timedelta(days=_int("CASEWORK_SIGN_IN_DEVICE_COOKIE_DAYS", 180))
    # After the right password, this long to give the second factor before starting again.
    SIGN_IN_SECOND_STEP_LIFETIME = timedelta(minutes=10)
    # A passkey's challenge is used once, within this time of the page asking for it.
    PASSKEY_CHALLENGE_LIFETIME = timedelta(minutes=5)
    # Encrypts the authenticator apps' keys in the database (casework/core/sealed.py); unset, a
    # key derived from SECRET_KEY. Set it apart so SECRET_KEY can change without losing them.
    FIELD_ENCRYPTION_KEY = os.environ.get("CASEWORK_FIELD_ENCRYPTION_KEY")
    # The name an authenticator app shows beside the account.
    TWO_FACTOR_ISSUER = os.environ.get("CASEWORK_TWO_FACTOR_ISSUER", "Casework")
    # Who carries out each type of review, as the public register says: adult reviews are the
    # Safeguarding Adults Board's, domestic homicide reviews the Community Safety Partnership's.
    # "CODE=Name; CODE=Name"; a type not named is the partnership's (PARTNERSHIP_NAME).
    PARTNERSHIP_NAMES = _names(
        os.environ.get(
            "CASEWORK_PARTNERSHIP_NAMES",
            "SAR=Northshire Safeguarding Adults Board; DHR=Northshire Community Safety Partnership",
        )
    )
    # The day section 19 of the Victims and Prisoners Act 2024 comes into force: domestic homicide
    # reviews become domestic abuse related death reviews, with the Domestic Abuse Act 2021
    # definition. Empty: not in force. Reviews started before it keep the old name and test.
    CASEWORK_DARDR_COMMENCEMENT = _optional_date("CASEWORK_DARDR_COMMENCEMENT")
    # Named commencements the review types' rules refer to (casework/reviews/models/types.py).
    COMMENCEMENTS = {"dardr": CASEWORK_DARDR_COMMENCEMENT}
    # The public register's "Worried about a child or an adult?" block: who to call.
    WORRIED_ABOUT_A_CHILD = os.environ.get(
        "CASEWORK_WORRIED_ABOUT_A_CHILD",
        "Call Northshire Children's Services on 01632 960000 (out of hours 01632 960001).",
    )
    WORRIED_ABOUT_AN_ADULT = os.environ.get(
        "CASEWORK_WORRIED_ABOUT_AN_ADULT",
        "Call Northshire Adult Social Care on 01632 960002 (out of hours 01632 960001).",
    )
    # Where people report an accessibility problem (the accessibility statement); none: the page
    # says to contact the partnership's business unit.
    ACCESSIBILITY_CONTACT = os.environ.get("CASEWORK_ACCESSIBILITY_CONTACT", "")
    SET_PASSWORD_LINK_LIFETIME = timedelta(hours=_int("CASEWORK_SET_PASSWORD_LINK_HOURS", 72))

    # argon2id cost; None means the library's RFC 9106 defaults.
    ARGON2_TIME_COST: int | None = None
    ARGON2_MEMORY_COST: int | None = None
    ARGON2_PARALLELISM: int | None = None

    # An affiliation that ended less than this many years ago still conflicts.
    CONFLICT_YEARS = _int("CASEWORK_CONFLICT_YEARS", 5)

    # Where documents are kept, under random names: a folder outside the web root (the default;
    # casework/documents/local_folder.py), or an S3-compatible object store every app server
    # shares, "s3://bucket/prefix" (casework/documents/s3_store.py).
    STORAGE_URL = os.environ.get("CASEWORK_STORAGE_URL", "")
    UPLOAD_FOLDER = Path(
        STORAGE_URL
        if STORAGE_URL and not STORAGE_URL.startswith("s3://")
        else os.environ.get("CASEWORK_UPLOAD_FOLDER", INSTANCE_DIR / "uploads")
    )
    S3_ENDPOINT_URL = os.environ.get("CASEWORK_S3_ENDPOINT_URL", "")  # empty: Amazon's own
    S3_ACCESS_KEY_ID = os.environ.get("CASEWORK_S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("CASEWORK_S3_SECRET_ACCESS_KEY", "")
    S3_REGION = os.environ.get("CASEWORK_S3_REGION", "")
    MAX_UPLOAD_BYTES = _int("CASEWORK_MAX_UPLOAD_MB", 25) * 1024 * 1024
    MAX_CONTENT_LENGTH = _int("CASEWORK_MAX_UPLOAD_MB", 25) * 1024 * 1024 + 64 * 1024
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    HSTS = False

    # Exports of more rows than this (the action tracker's) are written by the worker, and the
    # person follows them on the job's page; smaller ones stream straight to the browser.
    EXPORT_INLINE_ROWS = _int("CASEWORK_EXPORT_INLINE_ROWS", 2000)

    # Reading an uploaded document (casework/documents/checks.py, isolation.py): a separate process with
    # these limits. The timeout stays under a typical worker timeout (gunicorn: 30 s).
    EXTRACT_MEMORY_MB = _int("CASEWORK_EXTRACT_MEMORY_MB", 512)
    EXTRACT_CPU_SECONDS = _int("CASEWORK_EXTRACT_CPU_SECONDS", 20)
    EXTRACT_TIMEOUT_SECONDS = _int("CASEWORK_EXTRACT_TIMEOUT_SECONDS", 25)
    EXTRACT_MAX_UNPACKED_MB = _int("CASEWORK_EXTRACT_MAX_UNPACKED_MB", 256)
    EXTRACT_MAX_PAGES = _int("CASEWORK_EXTRACT_MAX_PAGES", 2000)

    # Compiled templates, shared by the app's processes (casework/core/template_cache.py); empty:
    # each process compiles its own.
    TEMPLATE_CACHE_FOLDER = os.environ.get(
        "CASEWORK_TEMPLATE_CACHE_FOLDER", str(INSTANCE_DIR / "template-cache")
    )

    # The job queue (casework/notifications/queue.py): a SQLite file serves one machine; several
    # servers share a Redis. The name keeps apart the queues of installations sharing one Redis.
    QUEUE_URL = os.environ.get("CASEWORK_QUEUE_URL", f"sqlite:///{INSTANCE_DIR / 'queue.db'}")
    QUEUE_NAME = os.environ.get("CASEWORK_QUEUE_NAME", "casework")

    # Mail (casework/notifications/smtp.py). Without SMTP_HOST nothing is sent: messages are kept
    # in the outbox and read on the administrators' "Sent mail" page.
    SMTP_HOST = os.environ.get("CASEWORK_SMTP_HOST", "")
    SMTP_PORT = _int("CASEWORK_SMTP_PORT", 587)
    SMTP_USERNAME = os.environ.get("CASEWORK_SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("CASEWORK_SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("CASEWORK_SMTP_SECURITY", "starttls")  # none, starttls or tls
    SMTP_TIMEOUT = float(os.environ.get("CASEWORK_SMTP_TIMEOUT", "30"))
    MAIL_FROM = os.environ.get("CASEWORK_MAIL_FROM", "casework@localhost")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = Config.SECRET_KEY or _development_secret_key()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("CASEWORK_TEST_DATABASE_URL", "sqlite://")
    )
    # A template that issues SQL (a lazy load, the start of an N+1) fails its page.
    QUERY_GUARD = True
    # Activity written less often, so a page's query count does not depend on the clock.
    SESSION_ACTIVITY_SECONDS = 300
    # Cheap hashing keeps the suite fast; the algorithm stays argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1  # four lanes start four threads per hash, which cost more than 1 MiB
    # One folder per test run, never the instance's; tests that look at files use their own tmp_path.
    UPLOAD_FOLDER = Path(tempfile.gettempdir()) / f"casework-test-uploads-{os.getpid()}"
    # Likewise the job queue: one file per test process, so parallel workers never share one.
    QUEUE_URL = f"sqlite:///{Path(tempfile.gettempdir()) / f'casework-test-queue-{os.getpid()}.db'}"
    SMTP_HOST = ""
    # Shared by the test processes and kept between runs: each file is checked against its
    # template's source before use.
    TEMPLATE_CACHE_FOLDER = str(Path(tempfile.gettempdir()) / "casework-test-templates")


# A random key of 32 hex characters carries 128 bits and scores at least ~90 by the estimate
# below; a lower score means a word, a pattern or few distinct characters, which anyone could guess
# and use to forge a session.
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_BITS = 80
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


def estimated_bits(key: str) -> float:
    """Shannon entropy of the key's characters times its length: a generous upper bound on what
    a guesser faces (a word repeated, or few distinct characters, scores low)."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_character = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_character * len(key)


def _repeats(key: str) -> bool:
    """Most of the key is a shorter piece said again ("passwordpassword...1", "abcabcabc...")."""
    for period in range(1, len(key) // 2 + 1):
        end = period
        while end < len(key) and key[end] == key[end - period]:
            end += 1
        if end >= max(2 * period, len(key) // 2):
            return True
    return False


def secret_key_problem(key: str | None) -> str | None:
    """Why this SECRET_KEY must not be used in production, or None if it will do."""
    if not key:
        return f"SECRET_KEY is not set. Set it to a random value, for example from: {MAKE_A_KEY}"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"SECRET_KEY is {len(key)} characters long; it must be a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, for example from: {MAKE_A_KEY}"
        )
    if _repeats(key) or estimated_bits(key) < MIN_SECRET_KEY_BITS:
        return (
            "SECRET_KEY is too easy to guess (a repeated pattern, a word or too few different "
            f"characters). Set it to a random value, for example from: {MAKE_A_KEY}"
        )
    return None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in {"", "0", "false", "no", "off"}


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    # Browsers accept a __Host- cookie only if Secure, for the whole site and no other host: a
    # sibling subdomain cannot plant or overwrite it.
    SESSION_COOKIE_NAME = "__Host-casework_session"
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @classmethod
    def check(cls, debug: bool = False) -> None:
        """Refuse to start with a guessable key or in debug mode (whose error pages show code and
        let a visitor run commands)."""
        problem = secret_key_problem(cls.SECRET_KEY)
        if problem:
            raise RuntimeError(problem)
        if debug or getattr(cls, "DEBUG", False) or _truthy(os.environ.get("FLASK_DEBUG")):
            raise RuntimeError(
                "Debug mode is on (FLASK_DEBUG or DEBUG). It must never be used in production: "
                "unset FLASK_DEBUG and start without --debug."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("CASEWORK_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"CASEWORK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
