"""The kinds of background job, each registered by the domain that starts it.

The jobs package knows no domain: a domain registers what its kind of job does in the worker
(``run``) and what the job's page names and links back to (``subject``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casework.jobs.models import BackgroundJob


@dataclass(frozen=True)
class JobResult:
    """What a job made: the sentence its page shows, and a document to download, if any."""

    message: str
    result_document_id: int | None = None


@dataclass(frozen=True)
class Subject:
    """The record a job is about, as its page shows it: a caption and the way back to it."""

    caption: str
    link_text: str
    url: str


Progress = Callable[[int], None]  # tells the job's page how many items are done


@dataclass(frozen=True)
class JobKind:
    name: str  # stored in the job's row
    title: str  # the page's heading: "Importing a chronology"
    unit: str  # what the progress counts, in the plural: "entries"
    # In the worker, in the work's one transaction: the result, or a DomainError whose message
    # says why it did not finish (any other exception is a failure the log explains).
    run: Callable[[BackgroundJob, Progress], JobResult]
    # For the page: may load the record it names (one query), never more.
    subject: Callable[[BackgroundJob], Subject | None]
    # Shown when the work failed in a way it could not explain to the person who started it.
    failed: str


_kinds: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    _kinds[kind.name] = kind


def kind_of(job: BackgroundJob) -> JobKind | None:
    return _kinds.get(job.kind)
