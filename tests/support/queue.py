"""The job queue as tests use it: the real storage, emptied around a test, and worked through as
the worker does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from casework.notifications.jobs import init_jobs
from casework.notifications.queue import huey


@pytest.fixture
def empty_queue(app: Flask) -> Iterator[None]:
    """The suite's app's queue (another test may have created an app since), empty before and
    after the test."""
    init_jobs(app)
    huey.flush()
    yield
    huey.flush()


def run_worker() -> list[str]:
    """What a worker does until the queue is empty: take each task from the storage and run it
    (outside any app context, as in the worker's threads); the names of the tasks run. It stops
    when the storage says nothing is waiting: a worker's take from an empty Redis queue blocks
    for a second, waiting for a task that cannot come while the test itself is the worker."""
    names = []
    while huey.pending_count():
        task = huey.dequeue()
        assert task is not None, "a waiting task could not be taken from the queue's storage"
        huey.execute(task)
        names.append(task.name)
    return names
