"""`shiftcast actuals`: keep the calls of days already lived in the store (they extend the history the next
forecast reads), and list the days it holds."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cli.commands.db import database_url_option, sessions, upgraded_store
from core.rules import DEFAULT_RULES, load_rules

site_option = click.option("--site", "site_name", default=None, metavar="NAME",
                           help="the site (call center) whose actuals these are (default: the site 'default')")


@click.group("actuals")
def command() -> None:
    """Actual calls of days already lived: they extend the history `forecast --store` and `plan --store` read."""


@command.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="rules TOML whose grid and open hours the intervals must fit (defaults when omitted)")
@site_option
@database_url_option
def add(file: Path, rules_path: Path | None, site_name: str | None, database_url: str | None) -> None:
    """Keep FILE's days in the store: interval counts (interval_start, calls; optional answered, abandoned, aht_s)
    or call records (arrived_at, ...). A day sent again replaces the first; a day that stops before closing time
    is kept and marked partial."""
    from api.actuals import store_actuals
    from api.sites import default_site, site_named
    from shiftcast.actuals import load_actuals

    rules = load_rules(rules_path) if rules_path else DEFAULT_RULES
    actuals = load_actuals(file, rules)  # checked whole before the store is touched: nothing half-imported
    with sessions(upgraded_store(database_url))() as s:
        site, added = site_named(s, site_name) if site_name else (default_site(s), False)
        if added:
            click.echo(f"site {site.id} {site_name!r} added", err=True)
        sent = store_actuals(s, site.id, actuals, created_by="shiftcast actuals add")
        click.echo(f"{actuals.source}: {actuals.kind}, {len(sent)} day{'s' if len(sent) != 1 else ''} "
                   f"for site {site.name!r}")
    for day in sent:
        click.echo("  " + day.line)


@command.command("list")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), default=None, help="first day, e.g. 2026-12-01")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), default=None, help="last day, e.g. 2026-12-31")
@site_option
@database_url_option
def list_(first: dt.datetime | None, last: dt.datetime | None, site_name: str | None,
          database_url: str | None) -> None:
    """The days of actuals the store holds: intervals, calls, the file they came from, when they were sent."""
    from api.actuals import stored_days

    with sessions(upgraded_store(database_url))() as s:
        site = _site(s, site_name)
        rows = stored_days(s, [site.id], first.date() if first else None, last.date() if last else None)
        if not rows:
            click.echo(f"no actuals for site {site.name!r}")
        for r in rows:
            partial = "\tpartial" if r.partial else ""
            click.echo(f"{r.day:%Y-%m-%d}\t{r.intervals} intervals\t{r.calls:,} calls\t{r.source}\t"
                       f"sent {r.created_at:%Y-%m-%d %H:%M} UTC{partial}")


def _site(session, site_name: str | None):
    """The site named (a UsageError when the store has none of that name), or the default site."""
    from sqlalchemy import select

    from api.db import Site
    from api.sites import default_site

    if site_name is None:
        return default_site(session)
    site = session.scalar(select(Site).where(Site.name == site_name))
    if site is None:
        raise click.UsageError(f"the store has no site {site_name!r}")
    return site


def stored_actuals_of(database_url: str | None, site_name: str | None):
    """The actuals the store at `database_url` holds for the site (the default one when None), schema brought up
    to date first; None when it holds none."""
    from api.actuals import stored_actuals

    with sessions(upgraded_store(database_url))() as s:
        return stored_actuals(s, _site(s, site_name).id)
