"""The job queue: one Huey instance whose storage the configuration chooses (a SQLite file on one
machine, Redis when several servers share the work). The tasks are in jobs.py.

Tasks run inside an app context: the one already open (a test, a command) or one pushed from the
app the queue was set up with (the worker).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, has_app_context
from huey import Huey
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool

F = TypeVar("F", bound=Callable[..., Any])

# Until init_queue() runs (it does in create_app) nothing leaves the process.
huey = Huey("casework", results=False, storage_class=MemoryStorage)
_app: Flask | None = None
SECURITY_CHOICES = ("none", "starttls", "tls")


def storage_for(url: str, name: str) -> BaseStorage:
    """``sqlite:///path/queue.db`` or ``redis://host:port/db``."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name, filename=str(path))
    if url.startswith(("redis://", "rediss://", "unix://")):
        # Short timeouts: a Redis that is down must not hold up the request that wakes delivery.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisStorage(name, connection_pool=pool)
    raise RuntimeError(f"CASEWORK_QUEUE_URL must start with sqlite:/// or redis://, not {url!r}")


def init_queue(app: Flask) -> None:
    """Point the queue at the app's storage and remember the app for the worker's tasks."""
    global _app
    if app.config["SMTP_SECURITY"] not in SECURITY_CHOICES:
        raise RuntimeError(f"CASEWORK_SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)}")
    huey.storage = storage_for(app.config["QUEUE_URL"], app.config["QUEUE_NAME"])
    _app = app


def in_app_context(function: F) -> F:
    """Run a task in the open app context, or in one of the queue's app (in the worker)."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return function(*args, **kwargs)
        if _app is None:
            raise RuntimeError("The queue is not set up: create the app first (init_queue)")
        with _app.app_context():
            return function(*args, **kwargs)

    return run  # type: ignore[return-value]
