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


# Sub-commands: one module each in shiftcast/commands/.
from shiftcast.commands import forecast, headcount, plan, roster, serve, staffing, token, validate  # noqa: E402

for _command in (
    plan.demo_command,
    plan.command,
    validate.command,
    forecast.command,
    staffing.command,
    roster.command,
    headcount.command,
    headcount.hiring_command,
    serve.command,
    token.command,
):
    main.add_command(_command)
