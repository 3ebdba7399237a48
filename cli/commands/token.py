"""`shiftcast token`: create, list and revoke API tokens (only a token's hash is stored)."""
from __future__ import annotations

import click

from cli.commands.db import database_url_option, default_database_url


def _sessions(database_url: str | None):
    """Sessions on the store, its schema brought up to date first (a token is often the first thing made)."""
    from api.db import make_engine, make_sessionmaker
    from api.migrate import upgrade

    url = database_url or default_database_url()
    upgrade(url)
    return make_sessionmaker(make_engine(url))


@click.group("token")
def command() -> None:
    """API tokens: each has a role (viewer, supervisor, hr, admin)."""


@command.command("create")
@click.option("--role", required=True, type=click.Choice(["viewer", "supervisor", "hr", "admin"]))
@click.option("--name", required=True, help="Who or what uses the token.")
@database_url_option
def create(role: str, name: str, database_url: str | None) -> None:
    """Create a token and print it (this once; it cannot be shown again)."""
    from api.auth import create_token

    with _sessions(database_url)() as s:
        row, text = create_token(s, name, role)
    click.echo(text)
    click.echo(f"token {row.id} for {name!r} with role {role}; keep it now, it is not stored", err=True)


@command.command("list")
@database_url_option
def list_(database_url: str | None) -> None:
    """List tokens (ids, names, roles; never the tokens)."""
    from sqlalchemy import select

    from api.db import Token

    with _sessions(database_url)() as s:
        for t in s.scalars(select(Token).order_by(Token.id)):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{t.role}\t{t.name}\t{state}")


@command.command("revoke")
@click.argument("token_id", type=int)
@database_url_option
def revoke(token_id: int, database_url: str | None) -> None:
    """Revoke a token by its id."""
    from api.auth import revoke_token

    with _sessions(database_url)() as s:
        if revoke_token(s, token_id) is None:
            raise click.ClickException(f"there is no token {token_id}")
    click.echo(f"token {token_id} revoked")
