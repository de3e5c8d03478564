"""``flask --app wsgi worker`` runs the queue (delivery and the daily jobs);
``flask --app wsgi mail deliver`` sends what is due now, for a one-off or a cron job;
``flask --app wsgi reminders send [--date YYYY-MM-DD] [--dry-run]`` runs the daily pass at once."""

from __future__ import annotations

import logging
from datetime import date, datetime

import click
from flask.cli import AppGroup, with_appcontext

from casework.core.display import format_date
from casework.core.timeutil import uk_today
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


reminders_cli = AppGroup("reminders", help="Daily reminders and digests of what is due or overdue.")


@reminders_cli.command("send")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to run the pass for (default: today in England).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be queued; write nothing.")
def send(day: datetime | None, dry_run: bool) -> None:
    """Run the daily pass now: record the reminders and queue each person's digest."""
    from casework.notifications.reminders import run_daily_pass

    chosen: date = day.date() if day else uk_today()
    report = run_daily_pass(chosen, dry_run=dry_run)
    if not report.working_day:
        click.echo(f"{format_date(chosen)} is not a working day: no reminders are sent.")
        return
    would = "Would queue" if dry_run else "Queued"
    for person in report.people:
        digest = "digest" if person.digest_queued else "digest already sent"
        escalations = f", {person.escalations} escalated" if person.escalations else ""
        click.echo(
            f"{person.email}: {person.lines} due or overdue{escalations}; "
            f"{person.reminders_added} new reminder(s), {digest}"
        )
    click.echo(
        f"{would} {report.digests} digest(s) and {report.reminders} reminder(s) for {format_date(chosen)}: "
        f"{report.items} item(s) due or overdue, {len(report.people)} person(s) concerned."
    )
