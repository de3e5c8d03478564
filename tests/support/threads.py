"""Work run in threads side by side, for tests of two workers or requests racing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


def run_side_by_side(targets: Iterable[Callable[[], object]], timeout: float) -> None:
    """Start each target in a thread of its own, then wait for each (up to ``timeout`` seconds).
    The targets catch their own errors: a thread's exception does not reach the test."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


@contextmanager
def when_thread_sends(engine: Engine, thread: threading.Thread, *verbs: str) -> Iterator[threading.Event]:
    """An event set once ``thread`` sends a statement starting with one of ``verbs`` ("INSERT",
    "UPDATE"...): the other side of a race goes on when that statement is on its way, not after
    a fixed pause."""
    sent = threading.Event()

    def listen(conn, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is thread and statement.lstrip().upper().startswith(verbs):
            sent.set()

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listen)
