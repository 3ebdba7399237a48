"""`shiftcast intraday`: the day at 11:30 or 16:30, calls so far, the rest of the day re-forecast, its service."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cli.commands.validate import input_options
from forecasting.data import load_calls
from scheduler.clock import load_clock
from scheduler.roster import load_assignments
from shiftcast.exports.tables import write_frame_csv
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.intraday import report_lines
from shiftcast.steps import intraday_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("intraday")
@click.option("--day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="the day, e.g. 2026-12-10")
@click.option("--at", "at", required=True, help="the time of day the calls so far run to, e.g. 11:30")
@click.option("--actuals", "actuals_path", type=_file, required=True,
              help="calls observed so far, as a calls CSV (interval_start, calls): the day's intervals before --at, "
                   "and any days between the history and the day")
@click.option("--roster", "roster_path", type=_file, required=True,
              help="the month's roster.csv (as `shiftcast roster` and `plan` write it)")
@click.option("--clock", "clock_path", type=_file, default=None,
              help="clock records (employee_id, time, kind), as `shiftcast attendance` reads them: who clocked in by "
                   "--at is on the phones, who is rostered and not clocked in past the late grace is missing for the "
                   "rest of the day; later punches are ignored")
@input_options
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the rest of the day per interval to this CSV")
def command(day: dt.datetime, at: str, actuals_path: Path, roster_path: Path, clock_path: Path | None,
            out_path: Path | None, **paths: Path | None) -> None:
    """The day at a time of day: calls so far against the forecast, the rest of the day re-forecast from
    them, who is on the phones (the roster, checked against the clock so far), the service level, ASA and
    lost calls per interval with them, and the actions ranked by calls saved."""
    inputs = load_inputs(InputPaths(**paths))
    actuals = load_calls(actuals_path)
    roster = load_assignments(roster_path, inputs.rules)
    clock = load_clock(clock_path, inputs.staff) if clock_path is not None and inputs.staff is not None else None
    view = intraday_step(inputs, day, at, actuals, roster, clock=clock)
    for line in report_lines(view):
        click.echo(line)
    if out_path is not None:
        write_frame_csv(out_path, view.rest.rename_axis("interval_start"), index=True)
        click.echo(f"wrote {out_path}")
