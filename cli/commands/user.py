"""`shiftcast user`: sign-in accounts for the people of a staff file (agents, group and team leaders), who then
sign in on the page with their employee_id and password (only a salted hash of it is stored)."""
from __future__ import annotations

import sys

import click

from cli.commands.db import database_url_option, sessions, upgraded_store

PASSWORD_HELP = "Asked for twice, unseen, when not given; `-` reads it from the first line of standard input."


def _password(given: str | None) -> str:
    if given == "-":
        return sys.stdin.readline().rstrip("\r\n")
    return given or click.prompt("password", hide_input=True, confirmation_prompt=True)


@click.group("user")
def command() -> None:
    """Sign-in accounts: one per person (agent, group_leader, team_leader), of the role their staff file gives."""


@command.command("create")
@click.option("--person", required=True, metavar="EMPLOYEE_ID", help="The person, on the staff dataset --staff-id.")
@click.option("--staff-id", required=True, type=int, help="The stored staff dataset the person is on (its site).")
@click.option("--role", required=True, type=click.Choice(["agent", "group_leader", "team_leader"]),
              help="Their role, as the staff file gives it.")
@click.option("--password", metavar="TEXT", help=PASSWORD_HELP)
@database_url_option
def create(person: str, staff_id: int, role: str, password: str | None, database_url: str | None) -> None:
    """Make a person's account with a password; they sign in on the page with their employee_id and it."""
    from api.accounts import AccountRefused, create_account
    from api.people import staff_person
    from api.problems import Problem

    with sessions(upgraded_store(database_url))() as s:
        try:
            who, site_id, name = staff_person(s, staff_id, person, role)
        except Problem as exc:
            raise click.UsageError(exc.detail) from None
        try:
            row = create_account(s, who, role, name, site_id, _password(password), created_by="shiftcast user create")
        except AccountRefused as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"account {row.id} for {row.employee_id} ({row.name}), {row.role}: they sign in on the page with "
               f"{row.employee_id} and the password")


@command.command("password")
@click.option("--person", required=True, metavar="EMPLOYEE_ID", help="Whose account.")
@click.option("--password", metavar="TEXT", help=PASSWORD_HELP)
@database_url_option
def password_(person: str, password: str | None, database_url: str | None) -> None:
    """Set a new password for a person's account and unlock it; their sign-ins so far end."""
    from api.accounts import AccountRefused, set_password

    with sessions(upgraded_store(database_url))() as s:
        try:
            set_password(s, person, _password(password))
        except AccountRefused as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"{person}: new password set, the account unlocked and its sign-ins ended")


@command.command("list")
@database_url_option
def list_(database_url: str | None) -> None:
    """List accounts (never passwords): employee_id, name, role, group, team, site, locked until."""
    from sqlalchemy import select

    from api.db import Account, utcnow

    with sessions(upgraded_store(database_url))() as s:
        now = utcnow()
        for a in s.scalars(select(Account).order_by(Account.employee_id)):
            locked = (f"locked until {a.locked_until:%Y-%m-%d %H:%M} UTC" if a.locked_until and a.locked_until > now
                      else "active")
            click.echo(f"{a.employee_id}\t{a.name}\t{a.role}\t{a.person_group}\t{a.person_team}\tsite {a.site_id}\t{locked}")
