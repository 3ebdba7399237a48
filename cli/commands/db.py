"""`shiftcast db upgrade`: create or migrate the store's schema (api/migrations)."""
from __future__ import annotations

import click

# The store's URL, for every command that opens the store (db upgrade, serve, worker).
database_url_option = click.option(
    "--database-url", envvar="SHIFTCAST_DATABASE_URL", default=None,
    help="SQLAlchemy URL of the store (default: sqlite:///shiftcast.sqlite in the working directory).")
# Where job messages wait, for the commands that send or run jobs (serve, worker).
broker_url_option = click.option(
    "--broker-url", envvar="SHIFTCAST_BROKER_URL", default=None,
    help="The job broker: redis://host:6379/0 for workers on several machines (default: a SQLite file beside "
         "a SQLite store, nothing else to run).")


@click.group("db")
def command() -> None:
    """The store's schema."""


@command.command("upgrade")
@database_url_option
def upgrade(database_url: str | None) -> None:
    """Bring the store's schema to the newest revision (an empty database gets all of it)."""
    url = upgraded_store(database_url)
    click.echo(f"the store at {url} is up to date")


def upgraded_store(database_url: str | None) -> str:
    """The store's URL (the service's by default), its schema brought up to date first."""
    from api.migrate import upgrade

    url = database_url or default_database_url()
    upgrade(url)
    return url


def sessions(url: str):
    """Sessions on the store at `url`."""
    from api.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(url))


def default_database_url() -> str:
    """The store the API uses when no URL is given (api.config)."""
    from api.config import DEFAULTS

    return DEFAULTS["DATABASE_URL"]
