"""Command-line tasks: ``flask --app wsgi create-admin`` and ``flask --app wsgi demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from casework.errors import DomainError
from casework.extensions import db


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
    from casework.demo import DEMO_USERS, load_demo_data

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is not loaded into a production installation.")
    added = load_demo_data()
    db.session.commit()
    click.echo(f"Demo data: {len(added)} records added." if added else "Demo data already loaded.")
    click.echo("\nDemo sign-ins (email / password / role):")
    for user in DEMO_USERS:
        click.echo(f"  {user.email:<38} {user.password:<34} {user.role.label}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
