"""Commands for operators: demo data, users, API keys, translations."""

from __future__ import annotations

import os

import click
from flask import Flask
from sqlalchemy import func, select

from webapp import catalogues
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import User, Workspace
from webapp.operations.api_keys import KEY_ROLES, create_api_key
from webapp.operations.users import change_password, create_user, deactivate_user


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(user_group)
    app.cli.add_command(api_key_group)
    app.cli.add_command(i18n_group)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the five demo workspaces, their people and some leads."""
    from webapp.demo import seed_demo

    password = os.environ.get("LEADLINE_DEMO_PASSWORD", "leadline-demo")
    logins = seed_demo(password)
    click.echo(f"Demo workspaces are ready. Sign in with any of these (password: {password}):")
    for email, description in logins:
        click.echo(f"  {email:<34} {description}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, name: str, password: str) -> None:
    """Create a user who can sign in (add them to workspaces from the web UI)."""
    try:
        user = create_user(email, name, password)
    except UserError as error:
        raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    click.echo(f"Created user {user.email}")


@click.group("user")
def user_group() -> None:
    """Users: a new password, deactivation (each ends the user's sessions)."""


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.BadParameter(f"no user {email!r}", param_hint="--email")
    return user


@user_group.command("set-password")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_set_password(email: str, password: str) -> None:
    """Give a user a new password; every session they hold ends."""
    user = _user(email)
    try:
        change_password(user, password, actor=None)
    except UserError as error:
        raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    click.echo(f"New password set for {user.email}; their sessions are ended")


@user_group.command("deactivate")
@click.option("--email", required=True)
def user_deactivate(email: str) -> None:
    """Stop a user from signing in; every session they hold ends."""
    user = _user(email)
    deactivate_user(user, actor=None)
    click.echo(f"Deactivated {user.email}; their sessions are ended")


@click.group("api-key")
def api_key_group() -> None:
    """Workspace API keys."""


@api_key_group.command("create")
@click.option("--workspace", "slug", required=True, help="Workspace slug")
@click.option("--name", required=True, help="What the key is for")
@click.option(
    "--role",
    type=click.Choice(KEY_ROLES),
    default="agent",
    show_default=True,
    help="what the key may do: agent (receive, read, work leads), manager (also assign), "
    "director (also replace the policy), admin (everything)",
)
def api_key_create(slug: str, name: str, role: str) -> None:
    """Create a key; the key itself is printed alone on the last line, and only once."""
    workspace = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise click.BadParameter(f"no workspace {slug!r}", param_hint="--workspace")
    key, secret = create_api_key(workspace, name, actor=None, role=role)
    click.echo(
        f"{key.role.capitalize()} API key {key.name!r} for {workspace.slug} "
        "(store it now; it is not shown again):"
    )
    click.echo(secret)


@click.group("i18n")
def i18n_group() -> None:
    """Translation catalogues in locales/."""


@i18n_group.command("extract")
def i18n_extract() -> None:
    """Extract strings and update the es, fr and ru catalogues."""
    catalogues.extract()
    catalogues.update()


@i18n_group.command("compile")
def i18n_compile() -> None:
    """Compile the catalogues to .mo files."""
    catalogues.compile_all()
