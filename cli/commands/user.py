"""`shiftcast user`: sign-in accounts, for the people of a staff file (agents, group and team leaders), who sign in
on the page with their employee_id, and for the site's roles (supervisor, hr, viewer), who sign in with the
account's name; only a salted hash of the password is stored."""
from __future__ import annotations

import sys

import click

from cli.commands.db import database_url_option, sessions, upgraded_store

PASSWORD_HELP = "Asked for twice, unseen, when not given; `-` reads it from the first line of standard input."
# api.accounts.ROLES, written out so that `--help` loads no part of the service.
ROLES = ("viewer", "supervisor", "hr", "agent", "group_leader", "team_leader")


def _password(given: str | None) -> str:
    if given == "-":
        return sys.stdin.readline().rstrip("\r\n")
    return given or click.prompt("password", hide_input=True, confirmation_prompt=True)


@click.group("user")
def command() -> None:
    """Sign-in accounts: one per person (agent, group_leader, team_leader) of the role their staff file gives, or
    a named account of a site's role (supervisor, hr, viewer)."""


@command.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES), help="A person's role, as the staff file gives "
                                                                      "it, or a site's role.")
@click.option("--person", metavar="EMPLOYEE_ID", help="For an agent's or leader's account: the person, on the staff "
                                                       "dataset --staff-id; they sign in with it.")
@click.option("--staff-id", type=int, help="The stored staff dataset the person is on (its site).")
@click.option("--name", metavar="LOGIN", help="For a supervisor's, hr's or viewer's account: its name, one word "
                                             "(li.wei), which it signs in with.")
@click.option("--site", "site_name", metavar="NAME", help="For a supervisor's, hr's or viewer's account: the site "
                                                          "it sees (added when new). Default: the site 'default'.")
@click.option("--password", metavar="TEXT", help=PASSWORD_HELP)
@database_url_option
def create(role: str, person: str | None, staff_id: int | None, name: str | None, site_name: str | None,
           password: str | None, database_url: str | None) -> None:
    """Make an account with a password: a person's, who signs in on the page with their employee_id, or a site
    role's, which signs in with its --name."""
    from api.accounts import AccountRefused, create_account
    from api.auth import PersonNeeded, check_person
    from api.people import staff_person
    from api.problems import Problem
    from api.sites import default_site, site_named

    try:
        check_person(role, person is not None or staff_id is not None, "an account")
    except PersonNeeded as exc:
        raise click.UsageError(f"{exc} (--person and --staff-id)") from None
    if (person is None) != (staff_id is None) or (person is not None and (name, site_name) != (None, None)):
        raise click.UsageError("--person and --staff-id go together, without --name or --site (the staff file "
                               "gives the person's name and site)")
    if person is None and name is None:
        raise click.UsageError(f"--name: an account of role {role} is named, and signs in with the name")
    with sessions(upgraded_store(database_url))() as s:
        who, added = None, False
        if person is not None:
            try:
                who, site_id, name = staff_person(s, staff_id, person, role)
            except Problem as exc:
                raise click.UsageError(exc.detail) from None
        else:
            site, added = site_named(s, site_name) if site_name is not None else (default_site(s), False)
            site_id = site.id
        try:
            row = create_account(s, role, name, site_id, _password(password), who,
                                 created_by="shiftcast user create")
        except AccountRefused as exc:  # a site named here is not added: the session ends uncommitted
            raise click.UsageError(str(exc)) from None
        if added:
            click.echo(f"site {site_id} {site_name!r} added", err=True)
    click.echo(f"account {row.id} {row.login} ({row.name}), {row.role} of site {row.site_id}: signs in on the page "
               f"with {row.login} and the password")


@command.command("password")
@click.option("--login", required=True, metavar="LOGIN", help="Whose account: a person's employee_id, or the name "
                                                              "of a site role's account.")
@click.option("--password", metavar="TEXT", help=PASSWORD_HELP)
@database_url_option
def password_(login: str, password: str | None, database_url: str | None) -> None:
    """Set a new password for an account and unlock it; its sign-ins so far end."""
    from api.accounts import AccountRefused, set_password

    with sessions(upgraded_store(database_url))() as s:
        try:
            set_password(s, login, _password(password))
        except AccountRefused as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"{login}: new password set, the account unlocked and its sign-ins ended")


@command.command("list")
@database_url_option
def list_(database_url: str | None) -> None:
    """List accounts (never passwords): login, name, role, group, team, site, locked until."""
    from sqlalchemy import select

    from api.accounts import locked_until
    from api.db import Account, utcnow

    with sessions(upgraded_store(database_url))() as s:
        now = utcnow()
        for a in s.scalars(select(Account).order_by(Account.login)):
            until = locked_until(s, a.login, now)
            locked = f"locked until {until:%Y-%m-%d %H:%M} UTC" if until is not None else "active"
            click.echo(f"{a.login}\t{a.name}\t{a.role}\t{a.person_group}\t{a.person_team}\tsite {a.site_id}\t{locked}")
