"""The `shiftcast` command line. Each sub-command lives in shiftcast/commands/."""
from __future__ import annotations

import sys

import click

from shiftcast.errors import DataError


class _Group(click.Group):
    """Turns input errors into one clear line and exit status 2, never a traceback."""

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


# Sub-commands, one line each (keep alphabetical to ease merges).
from shiftcast.commands import validate  # noqa: E402

main.add_command(validate.command)
from shiftcast.commands import plan  # noqa: E402

main.add_command(plan.command)
main.add_command(plan.demo_command)
from shiftcast.commands import staffing  # noqa: E402

main.add_command(staffing.command)
from shiftcast.commands import forecast  # noqa: E402

main.add_command(forecast.command)
from shiftcast.commands import roster  # noqa: E402

main.add_command(roster.command)
from shiftcast.commands import serve, token  # noqa: E402

main.add_command(serve.command)
main.add_command(token.command)
