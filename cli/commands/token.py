"""`shiftcast token`: create, list and revoke API tokens (only a token's hash is stored)."""
from __future__ import annotations

import click

from cli.commands.db import database_url_option, sessions, upgraded_store


def _sessions(database_url: str | None):
    """Sessions on the store, its schema brought up to date first (a token is often the first thing made)."""
    return sessions(upgraded_store(database_url))


@click.group("token")
def command() -> None:
    """API tokens: each has a role (viewer, supervisor, hr, admin; agent, group_leader, team_leader for one person)."""


@command.command("create")
@click.option("--role", required=True, type=click.Choice(["viewer", "supervisor", "hr", "admin", "agent",
                                                           "group_leader", "team_leader"]))
@click.option("--name", required=True, help="Who or what uses the token.")
@click.option("--site", "site_names", multiple=True, metavar="NAME",
              help="A site (call center) the token sees; repeat for several. A site not in the store yet is "
                   "added. Default: the site 'default'. An admin token sees every site and takes none.")
@click.option("--person", metavar="EMPLOYEE_ID", help="For an agent's or leader's token: the person, on the staff "
                                                       "dataset --staff-id (the token sees that dataset's site).")
@click.option("--staff-id", type=int, help="The stored staff dataset the person is on.")
@database_url_option
def create(role: str, name: str, site_names: tuple[str, ...], person: str | None, staff_id: int | None,
           database_url: str | None) -> None:
    """Create a token and print it (this once; it cannot be shown again)."""
    from api.auth import ALL_SITES, PersonNeeded, SitesNotTaken, create_token
    from api.people import staff_person
    from api.problems import Problem
    from api.db import Site
    from api.sites import site_named

    with _sessions(database_url)() as s:
        who = None
        if person is not None or staff_id is not None:
            if person is None or staff_id is None or site_names:
                raise click.UsageError("--person and --staff-id go together, without --site (the staff's site)")
            try:
                who, site_id, _ = staff_person(s, staff_id, person, role)
            except Problem as exc:
                raise click.UsageError(exc.detail) from None
            site_names = (s.get(Site, site_id).name,)
        site_ids, added = [], []
        for site_name in dict.fromkeys(site_names):
            site, new = site_named(s, site_name)
            if new:
                added.append(f"site {site.id} {site_name!r} added")
            site_ids.append(site.id)
        try:
            row, text = create_token(s, name, role, site_ids or None, who)
        except PersonNeeded as exc:
            raise click.UsageError(f"{exc} (--person and --staff-id)") from None
        except SitesNotTaken as exc:  # the sites named are not added: the session ends uncommitted
            raise click.UsageError(f"{exc} (no --site)") from None
        for line in added:
            click.echo(line, err=True)
        seen = "every site" if row.role in ALL_SITES else "site " + ", ".join(repr(site.name) for site in row.sites)
    click.echo(text)
    click.echo(f"token {row.id} for {name!r} with role {role}, seeing {seen}; keep it now, it is not stored", err=True)


@command.command("list")
@database_url_option
def list_(database_url: str | None) -> None:
    """List tokens (ids, names, roles; never the tokens)."""
    from sqlalchemy import select

    from api.auth import ALL_SITES
    from api.db import Token

    with _sessions(database_url)() as s:
        for t in s.scalars(select(Token).order_by(Token.id)):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            seen = "all sites" if t.role in ALL_SITES else ",".join(site.name for site in t.sites)
            click.echo(f"{t.id}\t{t.role}\t{t.name}\t{seen}\t{state}")


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
