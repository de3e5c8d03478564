"""Sign-in throttling that an attacker cannot turn against the account's owner.

Failed sign-ins are counted in a rate-limit store (the ``limits`` library): ``memory://`` in one
process by default, Redis when several app servers must share the counts. Nothing is written to
the database, so a flood of made-up email addresses leaves no rows behind, and every check runs
before the password is hashed, so a refused attempt costs no argon2 work.

Four counters, each a list of tiers that allows fewer failures per unit of time as the window
grows, so a persistent guesser waits longer and longer:

- one account from one address (``SIGN_IN_MAX_FAILURES`` per ``SIGN_IN_LOCKOUT``, then twice as
  many over four times as long, then three times as many per day);
- one account from one *recognised browser*, one that holds the device cookie a successful
  sign-in gives (auth.device_cookies). It is counted on its own and skips the other counters, so
  failures elsewhere never lock the real user out of the browser they use;
- one account from every unrecognised browser together (``SIGN_IN_ACCOUNT_LIMITS``), which slows
  a guesser spread over many addresses;
- one address across every account (``SIGN_IN_SOURCE_LIMITS``), which stops password spraying
  and CPU exhaustion from a single client.

Keys never hold an email or an address: both are replaced by a keyed hash (HMAC with the app's
secret key). An administrator's unlock moves the account to a new "epoch", which every
account counter's key includes, so all of them start again without having to find them.

Checking and counting are separate steps: attempts that arrive together are all checked before
any is counted, so a burst of parallel attempts can pass a limit by up to its own size once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

EXTENSION = "casework.sign_in_throttle"
# An unlock epoch far outlives every counter window, so when it expires (and the account's counts
# start again once) every counter of the epochs before it has long gone.
EPOCH_LIFETIME = timedelta(days=365)
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel", "valkey", "valkeys")


class ThrottleUnavailableError(Exception):
    """The rate-limit store cannot be reached: sign-in is refused rather than left unguarded."""


class Scope(Enum):
    SOURCE = "source"  # this address, whatever the account
    ADDRESS = "address"  # this account from this address
    ACCOUNT = "account"  # this account from every unrecognised browser
    DEVICE = "device"  # this account from this recognised browser


@dataclass(frozen=True)
class Refusal:
    scope: Scope
    until: datetime

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, rounded up: never "0 minutes"."""
        seconds = (self.until - datetime.now(UTC)).total_seconds()
        return max(1, math.ceil(seconds / 60))

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil((self.until - datetime.now(UTC)).total_seconds()))


def source_network(address: str) -> str:
    """The unit an address is counted by. An IPv6 client is usually given a whole /64 and can
    pick a new address from it for every attempt, so the /64 counts as one source."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _tiers(limits: str, namespace: str) -> list[RateLimitItem]:
    return [type(item)(item.amount, item.multiples, namespace=namespace) for item in parse_many(limits)]


def address_limits(max_failures: int, lockout: timedelta) -> str:
    """The tiers for one account from one address (or one recognised browser): a pause of
    ``lockout``, then of four times as long, then until the day's count falls back. Its daily
    total stays below the account-wide default, so one address alone never locks out the
    account's unrecognised browsers."""
    minutes = max(1, int(lockout.total_seconds() // 60))
    return (
        f"{max_failures} per {minutes} minutes; {2 * max_failures} per {4 * minutes} minutes; "
        f"{3 * max_failures} per day"
    )


class SignInThrottle:
    def __init__(
        self,
        storage: Storage,
        namespace: str,
        *,
        secret: str,
        address_limits: str,
        account_limits: str,
        source_limits: str,
    ) -> None:
        self.storage = storage
        self.namespace = namespace
        self._secret = secret.encode()
        self._limiter = MovingWindowRateLimiter(storage)
        self.address_tiers = _tiers(address_limits, namespace)
        self.account_tiers = _tiers(account_limits, namespace)
        self.source_tiers = _tiers(source_limits, namespace)
        longest = max(tier.get_expiry() for tier in self.address_tiers + self.account_tiers)
        self._epoch_seconds = max(int(EPOCH_LIFETIME.total_seconds()), 2 * longest)

    # --- keys: keyed hashes, never the email or the address itself ------------------------

    def account_key(self, email: str) -> str:
        return self._keyed("account", email)

    def source_key(self, address: str) -> str:
        return self._keyed("source", source_network(address))

    def _keyed(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def _epoch(self, account: str) -> int:
        return self.storage.get(f"{self.namespace}/epoch/{account}")

    def _counters(
        self, account: str, source: str, device: str | None, epoch: int
    ) -> list[tuple[Scope, list[RateLimitItem], tuple[str, ...]]]:
        """The counters that apply to one attempt, in the order they are checked."""
        if device:
            return [(Scope.DEVICE, self.address_tiers, ("device", account, str(epoch), device))]
        return [
            (Scope.SOURCE, self.source_tiers, ("source", source)),
            (Scope.ADDRESS, self.address_tiers, ("address", account, str(epoch), source)),
            (Scope.ACCOUNT, self.account_tiers, ("account", account, str(epoch))),
        ]

    # --- the checks ------------------------------------------------------------------------

    def check(self, account: str, source: str, device: str | None = None) -> Refusal | None:
        """Whether this attempt must be refused, and until when. Reads only: no count, no hash."""
        with _store_errors():
            return self._check(account, source, device, self._epoch(account))

    def _check(self, account: str, source: str, device: str | None, epoch: int) -> Refusal | None:
        for scope, tiers, identifiers in self._counters(account, source, device, epoch):
            until = self._full_until(tiers, identifiers)
            if until:
                return Refusal(scope, until)
        return None

    def _full_until(self, tiers: list[RateLimitItem], identifiers: tuple[str, ...]) -> datetime | None:
        """When the last full tier frees a place, or None if every tier has room."""
        latest = None
        for tier in tiers:
            reset, remaining = self._limiter.get_window_stats(tier, *identifiers)
            if remaining <= 0:
                latest = max(latest or reset, reset)
        return datetime.fromtimestamp(latest, UTC) if latest else None

    def record_failure(self, account: str, source: str, device: str | None = None) -> list[Refusal]:
        """Count a failed attempt; return every refusal now in force, the one to show first."""
        with _store_errors():
            epoch = self._epoch(account)
            counters = self._counters(account, source, device, epoch)
            for _scope, tiers, identifiers in counters:
                for tier in tiers:
                    self._limiter.hit(tier, *identifiers)
            refusals = []
            for scope, tiers, identifiers in counters:
                until = self._full_until(tiers, identifiers)
                if until:
                    refusals.append(Refusal(scope, until))
            locks = [refusal.until for refusal in refusals if refusal.scope is not Scope.SOURCE]
            if locks:
                self._mark_locked(account, epoch, max(locks))
            return refusals

    def record_success(self, account: str, source: str, device: str | None = None) -> None:
        """The password was right: this address (or browser) starts again for this account.

        The address-wide and account-wide counts stay: someone signing in to their own account
        must not wipe the count of guesses against others, or guesses from elsewhere."""
        with _store_errors():
            epoch = str(self._epoch(account))
            for tier in self.address_tiers:
                self._limiter.clear(tier, "address", account, epoch, source)
                if device:
                    self._limiter.clear(tier, "device", account, epoch, device)

    def unlock(self, account: str) -> None:
        """Start every counter of this account again (the address-wide ones are not its own)."""
        with _store_errors():
            self.storage.incr(f"{self.namespace}/epoch/{account}", self._epoch_seconds)

    def locked_until(self, account: str) -> datetime | None:
        """Until when some lock on this account (from an address, a browser or every unrecognised
        browser) lasts, for administrators; None if there is none."""
        with _store_errors():
            key = f"{self.namespace}/locked/{account}/{self._epoch(account)}"
            if not self.storage.get(key):
                return None
            return datetime.fromtimestamp(self.storage.get_expiry(key), UTC)

    def _mark_locked(self, account: str, epoch: int, until: datetime) -> None:
        key = f"{self.namespace}/locked/{account}/{epoch}"
        if self.storage.get(key) and self.storage.get_expiry(key) >= until.timestamp():
            return
        # The store sets an expiry only on a new counter: start it again to make it longer.
        self.storage.clear(key)
        self.storage.incr(key, max(1, math.ceil(until.timestamp() - time.time())))

    def reset(self) -> None:
        """Forget every count (tests; the Redis store forgets only keys under this prefix)."""
        self.storage.reset()


@contextmanager
def _store_errors() -> Iterator[None]:
    """Turn the store's failures into one error the sign-in page can explain."""
    try:
        yield
    except StorageError as error:
        log.error("Sign-in rate-limit store unavailable: %s", error.storage_error)
        raise ThrottleUnavailableError from error


# --- set-up ----------------------------------------------------------------------------------


def open_storage(url: str, prefix: str) -> tuple[Storage, str]:
    """The store for ``url`` and the namespace of its keys, every key under ``prefix``."""
    if urlsplit(url).scheme in REDIS_SCHEMES:
        # Redis adds the prefix itself ("casework:sign-in/..."); short timeouts so a stalled
        # server gives a clear refusal instead of hanging every sign-in.
        options: dict[str, float | str | bool] = {"socket_timeout": 2, "socket_connect_timeout": 2}
        storage = storage_from_string(url, key_prefix=prefix, wrap_exceptions=True, **options)
        return storage, "sign-in"
    return storage_from_string(url, wrap_exceptions=True), f"{prefix}:sign-in"


def init_throttling(app: Flask) -> None:
    config = app.config
    url = config["RATE_LIMIT_STORAGE_URL"]
    storage, namespace = open_storage(url, config["RATE_LIMIT_KEY_PREFIX"])
    if app.config.get("ENV_NAME") == "production" and url.startswith("memory://"):
        app.logger.warning(
            "Sign-in counters are kept in each process (memory://). With more than one worker or "
            "server, set CASEWORK_RATE_LIMIT_STORAGE_URL to a Redis server they share."
        )
    try:
        app.extensions[EXTENSION] = SignInThrottle(
            storage,
            namespace,
            secret=str(app.secret_key or ""),
            address_limits=address_limits(config["SIGN_IN_MAX_FAILURES"], config["SIGN_IN_LOCKOUT"]),
            account_limits=config["SIGN_IN_ACCOUNT_LIMITS"],
            source_limits=config["SIGN_IN_SOURCE_LIMITS"],
        )
    except ValueError as error:  # a mistyped setting stops the app at start, not at sign-in
        raise RuntimeError(
            "CASEWORK_SIGN_IN_ACCOUNT_LIMITS and CASEWORK_SIGN_IN_SOURCE_LIMITS take limits such as "
            f"'30 per 15 minutes; 100 per day': {error}"
        ) from None


def throttle() -> SignInThrottle:
    return current_app.extensions[EXTENSION]
