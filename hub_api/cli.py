"""`flask --app hub_api hub ...` commands: create an admin, load the demo data set, prune the feed."""

from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from hub_api.demo.loader import load_demo
from hub_api.extensions import db
from hub_api.models.enums import Role
from hub_api.schemas.users import UserSchema
from hub_api.services.changes.feed import prune
from hub_api.services.users import create_user

hub_cli = AppGroup("hub", help="Hub administration commands.")


@hub_cli.command("create-admin")
@click.option("--email", required=True, help="Sign-in email of the new hub admin.")
@click.option("--full-name", default="Hub administrator", show_default=True)
@click.password_option(help="At least 12 characters; prompted for when omitted.")
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create a hub administrator account."""
    try:
        data = UserSchema().load(
            {"email": email, "full_name": full_name, "password": password, "role": Role.HUB_ADMIN}
        )
    except ValidationError as exc:
        raise click.BadParameter(str(exc.messages)) from exc
    user = create_user(data=data)
    db.session.commit()
    click.echo(f"Created hub admin {user.email} (id {user.id}).")


@hub_cli.command("load-demo")
def load_demo_command() -> None:
    """Load (or refresh) the demo data set drawn from the source articles; idempotent."""
    summary = load_demo()
    db.session.commit()
    click.echo(summary)


@hub_cli.command("prune-changes")
def prune_changes_command() -> None:
    """Delete change feed entries older than HUB_CHANGES_RETENTION_DAYS (0 keeps them all)."""
    days = current_app.config["HUB_CHANGES_RETENTION_DAYS"]
    if not days:
        click.echo("HUB_CHANGES_RETENTION_DAYS is 0: the change feed keeps every entry.")
        return
    deleted = prune(datetime.now(UTC) - timedelta(days=days))
    db.session.commit()
    click.echo(f"Pruned {deleted} change feed entries older than {days} days.")


def register(app: Flask) -> None:
    """Attach the `hub` command group to the app's CLI."""
    app.cli.add_command(hub_cli)
