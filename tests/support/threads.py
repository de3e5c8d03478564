"""Work run in threads side by side, for tests of two workers or requests racing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


def run_side_by_side(targets: Iterable[Callable[[], object]], timeout: float) -> None:
    """Start each target in a thread of its own, then wait for each (up to ``timeout`` seconds).
    The targets catch their own errors: a thread's exception does not reach the test."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
