"""The `shiftcast` command line: translation between people and the planning steps (shiftcast).

Each sub-command lives in cli/commands/."""
from __future__ import annotations

import importlib
import sys

import click

from core.errors import DataError


# Sub-commands: name -> "module:attribute" in cli/commands/. They are imported only when run
# (or listed by --help), so `shiftcast serve` or `shiftcast token` do not load the solver and forecaster.
COMMANDS = {
    "demo": "plan:demo_command",
    "plan": "plan:command",
    "validate": "validate:command",
    "forecast": "forecast:command",
    "staffing": "staffing:command",
    "roster": "roster:command",
    "headcount": "headcount:command",
    "hiring-plan": "headcount:hiring_command",
    "attendance": "attendance:command",
    "intraday": "intraday:command",
    "serve": "serve:command",
    "worker": "worker:command",
    "db": "db:command",
    "token": "token:command",
    "user": "user:command",
    "actuals": "actuals:command",
    "report": "report:command",
}


class _Group(click.Group):
    """Loads sub-commands lazily; turns input errors into one clear line and exit status 2, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"cli.commands.{module}"), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DataError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="shiftcast")
def main() -> None:
    """Shiftcast: forecast calls, size staffing, build the roster, plan hiring."""


