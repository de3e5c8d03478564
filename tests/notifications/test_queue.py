"""The real queue: a request that tells someone commits, the commit puts a delivery task in the
queue's storage (a SQLite file, or Redis), and a worker taking it from there sends the mail. A
request that fails queues nothing; a queue that cannot be reached loses nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import pytest
import redis
from flask import Flask, abort, request
from flask.typing import ResponseReturnValue

from casework import create_app
from casework.auth.access import public
from casework.auth.models import User
from casework.core.extensions import db
from casework.notifications import jobs
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.queue import huey, storage_for
from casework.notifications.telling import News, tell
from tests.conftest import make_config
from tests.support.smtp import MailServer, closed_port

NEWS = News(
    kind="request", item="request:7", subject="CSPR-2026-004: a request", paragraphs=["Due soon."], link="/x"
)


def tell_view(user_id: int) -> ResponseReturnValue:
    """What any page that tells someone does: the change, the message, one commit."""
    person = db.session.get(User, user_id) or abort(404)
    tell(person, NEWS)
    if request.args.get("fail"):
        db.session.rollback()  # as a refused form or an error page ends its request
        return "refused", 400
    db.session.commit()
    return "told"


@contextmanager
def server_app(app: Flask, smtp_port: int, **settings: object) -> Iterator[Flask]:
    """Another app server on the suite's database, sending to the port, with a page that tells."""
    config = make_config(
        app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=1.0,
        **settings,
    )
    other = create_app(config)
    other.add_url_rule("/try/tell/<int:user_id>", "try_tell", public(tell_view))
    try:
        yield other
    finally:
        with suppress(redis.RedisError):  # a test's unreachable queue has nothing to remove
            huey.flush()
        with other.app_context():
            db.engine.dispose()
        jobs.init_jobs(app)  # the suite's app gets its queue back


def _run_one_task() -> str:
    """What a worker does: take the next task from the storage and run it (outside any app
    context, as in the worker's threads); the task's name."""
    task = huey.dequeue()
    assert task is not None, "nothing in the queue"
    huey.execute(task)
    return task.name


def _statuses(app: Flask) -> list[MailStatus]:
    with app.app_context():
        return list(db.session.execute(db.select(OutboxMessage.status)).scalars())


def _queued_in_a_request_and_delivered_by_the_worker(
    server: Flask, smtp: MailServer, recipient: User
) -> None:
    response = server.test_client().get(f"/try/tell/{recipient.id}")
    assert response.status_code == 200
    assert _statuses(server) == [MailStatus.QUEUED]  # nothing is sent by the request itself
    assert smtp.received == []
    assert huey.pending_count() == 1
    assert _run_one_task() == "deliver_mail"
    assert _statuses(server) == [MailStatus.SENT]
    [received] = smtp.received
    assert received.message["Subject"] == "CSPR-2026-004: a request"
    assert huey.pending_count() == 0


def test_mail_queued_in_a_request_is_delivered_by_the_worker_from_a_sqlite_queue(
    app: Flask, smtp: MailServer, recipient: User, tmp_path: Path
) -> None:
    with server_app(app, smtp.port, QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}") as server:
        assert type(huey.storage).__name__ == "SqliteStorage"
        _queued_in_a_request_and_delivered_by_the_worker(server, smtp, recipient)
    assert (tmp_path / "queue.db").exists()


@pytest.mark.redis
def test_mail_queued_in_a_request_is_delivered_by_the_worker_from_redis(
    app: Flask, smtp: MailServer, recipient: User, redis_url: str
) -> None:
    name = f"casework-test-{uuid.uuid4().hex[:12]}"  # this test's own keys
    with server_app(app, smtp.port, QUEUE_URL=redis_url, QUEUE_NAME=name) as server:
        assert type(huey.storage).__name__ == "RedisStorage"
        _queued_in_a_request_and_delivered_by_the_worker(server, smtp, recipient)


def test_a_request_that_fails_queues_nothing(
    app: Flask, smtp: MailServer, recipient: User, tmp_path: Path
) -> None:
    with server_app(app, smtp.port, QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}") as server:
        assert server.test_client().get(f"/try/tell/{recipient.id}?fail=1").status_code == 400
        assert _statuses(server) == []
        assert huey.pending_count() == 0
        # and the next commit of that session does not wake delivery for the forgotten mail
        with server.app_context():
            db.session.commit()
        assert huey.pending_count() == 0


def test_when_the_queue_cannot_be_reached_the_request_succeeds_and_the_periodic_job_sends_the_mail(
    app: Flask, smtp: MailServer, recipient: User, caplog: pytest.LogCaptureFixture
) -> None:
    with server_app(app, smtp.port, QUEUE_URL=f"redis://127.0.0.1:{closed_port()}/0") as server:
        response = server.test_client().get(f"/try/tell/{recipient.id}")
        assert response.status_code == 200
        assert "Could not wake mail delivery" in caplog.text
        assert _statuses(server) == [MailStatus.QUEUED]
        jobs.deliver_due_mail.call_local()  # what the worker's every-minute job runs
    assert _statuses(app) == [MailStatus.SENT]
    assert len(smtp.received) == 1


def test_the_queue_url_chooses_the_storage(tmp_path: Path) -> None:
    assert type(storage_for(f"sqlite:///{tmp_path / 'q.db'}", "casework")).__name__ == "SqliteStorage"
    assert type(storage_for("redis://127.0.0.1:6379/3", "casework")).__name__ == "RedisStorage"
    with pytest.raises(RuntimeError, match="CASEWORK_QUEUE_URL"):
        storage_for("postgresql://db/queue", "casework")


def test_the_worker_runs_delivery_every_minute_and_the_housekeeping_daily_in_uk_time() -> None:
    periodic = {task.name: task for task in huey._registry.periodic_tasks}
    assert set(periodic) >= {
        "deliver_due_mail",
        "purge_form_keys",
        "sweep_sessions",
        "sweep_files",
        "reminders",
    }
    minute = datetime(2026, 7, 1, 9, 17)
    assert periodic["deliver_due_mail"].validate_datetime(minute)
    # 02:30 in London is 01:30 UTC in summer and 02:30 UTC in winter
    assert periodic["purge_form_keys"].validate_datetime(datetime(2026, 7, 1, 1, 30))
    assert not periodic["purge_form_keys"].validate_datetime(datetime(2026, 7, 1, 2, 30))
    assert periodic["purge_form_keys"].validate_datetime(datetime(2026, 12, 1, 2, 30))
    assert periodic["sweep_sessions"].validate_datetime(datetime(2026, 12, 1, 2, 45))
    assert periodic["sweep_files"].validate_datetime(datetime(2026, 12, 1, 3, 0))
    assert not periodic["sweep_files"].validate_datetime(datetime(2026, 12, 1, 3, 1))
    # the reminders before the working day: 07:00 in London
    assert periodic["reminders"].validate_datetime(datetime(2026, 12, 1, 7, 0))
    assert periodic["reminders"].validate_datetime(datetime(2026, 7, 1, 6, 0))
