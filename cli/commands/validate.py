"""`shiftcast validate`: check input files and print what they hold."""
from __future__ import annotations

from pathlib import Path

import click

from shiftcast.inputs import InputPaths, load_inputs, summary_lines

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def input_options(func):
    """The input-file options shared by validate, plan and friends."""
    for name, help_text in reversed((
        ("calls", "interval counts CSV (interval_start, calls, …)"),
        ("records", "call records CSV (arrived_at, …), instead of --calls"),
        ("ads", "past airings CSV (start, duration_s, channel, product, …)"),
        ("plan", "planned airings CSV for the month to plan"),
        ("staff", "staff CSV or .xlsx (employee_id, name, role, group, team, …)"),
        ("leave", "approved leave CSV or .xlsx (employee_id, date, kind, …)"),
        ("rules", "rules TOML (defaults when omitted)"),
        ("previous-month", "the previous month's roster.csv (as the exports write it): its last days count for "
                           "this month's first (days in a row, the week spanning both) and its late shifts and "
                           "weekend rests for fairness"),
    )):
        func = click.option(f"--{name}", type=_file, help=help_text)(func)
    return func


@click.command("validate")
@input_options
def command(**paths: Path | None) -> None:
    """Check input files; exit 2 with the first problem (file, row, column), else print a summary."""
    if not any(paths.values()):
        raise click.UsageError("give at least one file to check, e.g. --calls calls.csv")
    inputs = load_inputs(InputPaths(**paths))
    for line in summary_lines(inputs):
        click.echo(line)
    click.echo("all files are valid")
