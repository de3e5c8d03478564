"""``flask --app wsgi worker`` runs the queue (delivery and the daily jobs);
``flask --app wsgi mail deliver`` sends what is due now, for a one-off or a cron job."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup, with_appcontext

from casework.notifications.delivery import deliver_due
from casework.notifications.queue import huey
from casework.notifications.smtp import mail_configured

NO_SERVER = (
    "No mail server is configured (CASEWORK_SMTP_HOST): messages are kept in the outbox and "
    "shown on the administrators' Sent mail page."
)


@click.command("worker")
@click.option("--workers", type=click.IntRange(min=1, max=32), default=2, show_default=True)
@with_appcontext
def worker(workers: int) -> None:
    """Run the queue's worker: mail delivery and the periodic jobs. Ctrl+C stops it once the
    tasks running finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not mail_configured():
        click.echo(NO_SERVER)
    huey.create_consumer(workers=workers, periodic=True, worker_type="thread").run()


mail = AppGroup("mail", help="The outbox of mail.")


@mail.command("deliver")
def deliver() -> None:
    """Send every message that is due now and say how it went."""
    if not mail_configured():
        click.echo(NO_SERVER)
    click.echo(str(deliver_due()))
