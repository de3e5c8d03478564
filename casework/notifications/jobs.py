"""Everything the worker does: mail delivery (woken after each commit that queued mail, and every
minute whatever happens), the background jobs requests start (woken after the commit that started
them, and picked up every minute if that wake-up was lost) and the daily housekeeping.

A daily pass is added with :func:`daily`; it runs in the worker at that UK time, in an app
context, and commits its own work::

    @daily("reminders", hour=7)
    def send_reminders() -> None:
        daily_pass(uk_today())
        db.session.commit()
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, current_app
from huey import crontab
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from casework.auth import session_store
from casework.core import form_keys
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.documents import sweep
from casework.jobs import services as background
from casework.notifications.delivery import deliver_due
from casework.notifications.outbox import MAIL_QUEUED
from casework.notifications.queue import huey, in_app_context, init_queue
from casework.notifications.reminders import run_daily_pass

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def uk_time(hour: int, minute: int = 0) -> Callable[[datetime], bool]:
    """A schedule for one minute of the day, UK time (summer time included); the scheduler asks
    it once a minute with the time in UTC (naive, as Huey keeps it)."""

    def due(timestamp: datetime) -> bool:
        local = timestamp.replace(tzinfo=UTC).astimezone(UK)
        return (local.hour, local.minute) == (hour, minute)

    return due


def daily(name: str, *, hour: int, minute: int = 0) -> Callable[[F], F]:
    """Run the decorated function once a day at ``hour:minute`` UK time, in the worker."""

    def register(function: F) -> F:
        return huey.periodic_task(uk_time(hour, minute), name=name)(in_app_context(function))  # type: ignore[no-any-return]

    return register


@huey.task(name="deliver_mail")
@in_app_context
def deliver_mail() -> None:
    """Woken after a commit that queued mail."""
    counts = deliver_due()
    log.info("Mail delivery: %s", counts)


@huey.periodic_task(crontab(), name="deliver_due_mail")
@in_app_context
def deliver_due_mail() -> None:
    """Every minute: retries that fell due, mail whose wake-up was lost, interrupted sends."""
    counts = deliver_due()
    if counts.sent or counts.retrying or counts.failed or counts.interrupted:
        log.info("Mail delivery: %s", counts)


@huey.task(name="run_background_job")
@in_app_context
def run_background_job(job_id: int) -> None:
    """Woken after the commit that started the job; a job already claimed or done is left alone."""
    background.run_job(job_id)


@huey.periodic_task(crontab(), name="run_waiting_jobs")
@in_app_context
def run_waiting_jobs() -> None:
    """Every minute: jobs whose wake-up was lost, and jobs whose worker stopped mid-way."""
    stalled = background.give_up_stalled()
    if stalled:
        log.warning("Background jobs: %s stalled job(s) marked failed", stalled)
    for job_id in background.waiting_job_ids():
        background.run_job(job_id)


@daily("purge_form_keys", hour=2, minute=30)
def purge_form_keys() -> None:
    """What ``flask --app wsgi purge-form-keys`` does, with its default of 30 days."""
    removed = form_keys.purge_form_keys(timedelta(days=30))
    db.session.commit()
    log.info("Removed %s form key(s) older than 30 days", removed)


@daily("sweep_sessions", hour=2, minute=45)
def sweep_sessions() -> None:
    """Sessions no browser can use any more: anonymous ones long idle, ended or expired ones."""
    removed = session_store.sweep_sessions(current_app.config)
    db.session.commit()
    log.info("Removed %s session(s)", removed)


@daily("sweep_files", hour=3)
def sweep_files() -> None:
    """What ``flask --app wsgi sweep-files`` does, with its default grace of 24 hours."""
    result = sweep.sweep_files(timedelta(hours=24), dry_run=False)
    log.info("File sweep: removed %s, finished %s", len(result.removed), len(result.finished))


@daily("reminders", hour=7)
def send_reminders() -> None:
    """The day's reminders and digests, before the working day starts; on a day that is not a
    working day the pass sends nothing."""
    report = run_daily_pass(uk_today())
    log.info(
        "Reminders: %s digest(s), %s reminder(s), %s item(s)", report.digests, report.reminders, report.items
    )


def _wake_delivery(session: Session) -> None:
    """after_commit: the transaction that queued mail is saved; ask a worker to send it now."""
    if not session.info.pop(MAIL_QUEUED, False):
        return
    try:
        deliver_mail()
    except Exception:  # the queue is unreachable: the every-minute job sends it all the same
        log.warning("Could not wake mail delivery; the periodic job will send the mail", exc_info=True)


def _wake_job_runner(session: Session) -> None:
    """after_commit: the jobs this transaction started are saved; ask a worker to run them."""
    for job_id in session.info.pop(background.JOBS_STARTED, []):
        try:
            run_background_job(job_id)
        except Exception:  # the queue is unreachable: the every-minute pass runs it all the same
            log.warning(
                "Could not queue background job %s; the periodic pass will run it", job_id, exc_info=True
            )


def _forget_on_rollback(session: Session, previous: SessionTransaction) -> None:
    """after_soft_rollback: a rolled-back transaction queued nothing and started no job (a
    savepoint's rollback leaves the flags to the transaction around it)."""
    if not previous.nested:
        session.info.pop(MAIL_QUEUED, None)
        session.info.pop(background.JOBS_STARTED, None)


def init_jobs(app: Flask) -> None:
    """Set up the queue for this app, wake delivery after each commit that queued mail and queue
    the jobs a commit started."""
    init_queue(app)
    if not event.contains(Session, "after_commit", _wake_delivery):
        event.listen(Session, "after_commit", _wake_delivery)
        event.listen(Session, "after_soft_rollback", _forget_on_rollback)
    if not event.contains(Session, "after_commit", _wake_job_runner):
        event.listen(Session, "after_commit", _wake_job_runner)
