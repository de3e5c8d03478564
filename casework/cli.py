"""Command-line tasks: ``flask --app wsgi create-admin``, ``demo``, the housekeeping
``sweep-files`` and ``purge-form-keys`` (the worker also runs them daily), and the notifications'
``worker`` and ``mail deliver``."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db


@click.command("create-admin")
@click.option("--name", prompt="Full name")
@click.option("--email", prompt="Email address")
@with_appcontext
def create_admin(name: str, email: str) -> None:
    """Create an administrator. The password is asked at the prompt, never taken as an argument."""
    from casework.auth.services import create_first_admin

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_first_admin(name, email, password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} created. Sign in at /sign-in.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the fictional demo partnership (only what is missing) and print the demo sign-ins."""
    from casework.core.timeutil import uk_today
    from casework.demo import DEMO_USERS, load_demo_data
    from casework.notifications.reminders import run_daily_pass

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is not loaded into a production installation.")
    added = load_demo_data()
    db.session.commit()
    click.echo(f"Demo data: {len(added)} records added." if added else "Demo data already loaded.")
    # Today's reminders, as the worker's morning pass would send them: the outbox shows digests.
    report = run_daily_pass(uk_today())
    if report.digests:
        click.echo(f"Today's reminders: {report.digests} digest(s) queued.")
    click.echo("\nDemo sign-ins (email / password / role):")
    for user in DEMO_USERS:
        click.echo(f"  {user.email:<38} {user.password:<34} {user.role.label}")
    click.echo(
        "\nAfter the password, each asks for the code their authenticator app shows: "
        "make demo-code EMAIL=manager@northshire.example (or flask --app wsgi demo-code EMAIL)"
    )


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code(email: str) -> None:
    """Print a demo user's current sign-in code, as their authenticator app would show it."""
    import pyotp

    from casework.auth.services import find_user_by_email
    from casework.demo import DEMO_USERS

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Sign-in codes are never shown by a production installation.")
    if email.strip().lower() not in {demo.email for demo in DEMO_USERS}:
        raise click.ClickException(
            f"{email} is not one of the demo users: {', '.join(d.email for d in DEMO_USERS)}"
        )
    user = find_user_by_email(email)
    if user is None or not user.totp_secret or not user.has_authenticator:
        raise click.ClickException(f"{email} has no authenticator app set up: run make demo first.")
    totp = pyotp.TOTP(user.totp_secret)
    left = totp.interval - int(time.time()) % totp.interval
    click.echo(f"{totp.now()}  (for {user.email}; a new code in {left} s, and each code works once)")


@click.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor(email: str) -> None:
    """For the server's operator when nobody can sign in to reset it (the only administrator lost
    their phone and recovery codes): the person sets up a new app at their next sign-in."""
    from casework.auth.models import EndReason
    from casework.auth.second_factor import clear_second_factor
    from casework.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email}.")
    clear_second_factor(user)
    user.end_all_sessions(EndReason.ENDED_BY_ADMIN)
    audit.record(
        "second_factor_reset", f"Second factor reset for {user.email} from the command line", subject=user
    )
    db.session.commit()
    click.echo(f"{user.email} will set up a new authenticator app at their next sign-in.")


@click.command("refresh-clocks")
@with_appcontext
def refresh_clocks() -> None:
    """Recompute every review's stored deadlines and statutory notices (after an upgrade that
    changed the rules), one review at a time, each committed."""
    from casework.reviews.clock import refresh_deadlines
    from casework.reviews.models import Review

    ids = db.session.execute(db.select(Review.id).order_by(Review.id)).scalars().all()
    for review_id in ids:
        review = db.session.get(Review, review_id)
        if review is not None:
            refresh_deadlines(review)
            db.session.commit()
    click.echo(f"Clocks and notices refreshed on {len(ids)} review(s).")


@click.command("sweep-files")
@click.option(
    "--grace-hours",
    type=click.FloatRange(min=1),
    default=24,
    show_default=True,
    help="Leave files younger than this alone: their uploads may still be committing.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be done.")
@with_appcontext
def sweep_files(grace_hours: float, dry_run: bool) -> None:
    """Remove uploaded files that no document row describes (left by a server stopped during an
    upload), and finish uploads that committed but were stopped before their file was renamed."""
    from casework.documents.sweep import sweep_files as sweep

    result = sweep(timedelta(hours=grace_hours), dry_run=dry_run)
    removing = "Would remove" if dry_run else "Removed"
    for swept in result.removed:
        click.echo(f"{removing} {swept.path} ({_size(swept.size)}, {_age(swept.age)} old, no document row)")
    finishing = "Would finish" if dry_run else "Finished"
    for swept in result.finished:
        click.echo(f"{finishing} {swept.path} (committed upload left under its temporary name)")
    click.echo(
        f"{removing} {len(result.removed)} file(s); {finishing.lower()} {len(result.finished)} upload(s); "
        f"kept {result.kept} file(s) with rows and {result.too_new} newer than {grace_hours:g} hours."
    )


@click.command("purge-form-keys")
@click.option(
    "--days", type=click.IntRange(min=1), default=30, show_default=True, help="Keep keys younger than this."
)
@with_appcontext
def purge_form_keys(days: int) -> None:
    """Delete the one-time keys of forms sent more than ``--days`` days ago."""
    from casework.core.form_keys import purge_form_keys as purge

    removed = purge(timedelta(days=days))
    db.session.commit()
    click.echo(f"Removed {removed} form key(s) older than {days} days.")


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


def register_commands(app: Flask) -> None:
    from casework.notifications.commands import mail, reminders_cli, worker

    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(demo_code)
    app.cli.add_command(reset_second_factor)
    app.cli.add_command(refresh_clocks)
    app.cli.add_command(sweep_files)
    app.cli.add_command(purge_form_keys)
    app.cli.add_command(worker)
    app.cli.add_command(mail)
    app.cli.add_command(reminders_cli)
