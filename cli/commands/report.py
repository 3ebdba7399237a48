"""`shiftcast report`: a day lived (or its week or month) against the plan: calls, service, airings, forecast
accuracy and lost calls by cause, in words and as a workbook."""
from __future__ import annotations

from pathlib import Path

import click

from cli.commands.validate import input_options
from forecasting.data import load_calls
from scheduler.clock import load_clock
from scheduler.roster import load_assignments
from shiftcast.exports.report import write_morning_workbook, write_report_workbook
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.morning import morning_lines
from shiftcast.report import report_lines, report_period
from shiftcast.steps import morning_step, report_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("report")
@click.option("--day", default=None, help="the day lived, e.g. 2026-12-15")
@click.option("--week", default=None, help="an ISO week (2026-W51) or any day of it: the days of that week")
@click.option("--month", default=None, help="a month, e.g. 2026-12")
@click.option("--morning", default=None,
              help="the morning meeting's sheet (晨会) for this day, e.g. 2026-12-16: yesterday's numbers, today's "
                   "airings, who is on which shift by group, today's expected peaks (needs --roster and --staff)")
@click.option("--actuals", "actuals_path", type=_file, required=True,
              help="the actual calls, as a calls CSV (interval_start, calls; answered, abandoned, aht_s for the "
                   "lost calls and handle time)")
@click.option("--roster", "roster_path", type=_file, default=None,
              help="the month's roster.csv (as `shiftcast roster` and `plan` write it): who was on the phones")
@click.option("--clock", "clock_path", type=_file, default=None,
              help="clock records CSV or .xlsx (employee_id, time, kind): who was actually there")
@input_options
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="language of the workbook's labels")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the report as a workbook (.xlsx), one sheet per part")
def command(day: str | None, week: str | None, month: str | None, morning: str | None, actuals_path: Path,
            roster_path: Path | None,
            clock_path: Path | None, lang: str, out_path: Path | None, **paths: Path | None) -> None:
    """The daily report (and its weekly and monthly rollups): calls offered, answered and lost; service level and
    ASA per interval and per day against the forecast and the roster's staff; calls per airing by channel;
    forecast accuracy; lost calls by cause and the hours they peak."""
    chosen = [(kind, value) for kind, value in (("day", day), ("week", week), ("month", month), ("morning", morning))
              if value]
    if len(chosen) != 1:
        raise click.UsageError("give one of --day, --week, --month or --morning")
    kind, value = chosen[0]
    if kind == "morning" and roster_path is None:
        raise click.UsageError("--morning needs --roster: the sheet says who is on which shift")
    period = report_period("day" if kind == "morning" else kind, value)
    inputs = load_inputs(InputPaths(**paths))
    roster = load_assignments(roster_path, inputs.rules) if roster_path else None
    clock = None
    if clock_path:
        people = inputs.staff if inputs.staff is not None else roster
        if people is None:
            raise click.UsageError("--clock needs --staff or --roster: they say whose punches these are")
        clock = load_clock(clock_path, people)
    if kind == "morning":
        sheet = morning_step(inputs, period.first, load_calls(actuals_path), roster, clock=clock)
        for line in morning_lines(sheet):
            click.echo(line)
        if out_path is not None:
            write_morning_workbook(out_path, sheet, inputs.rules, lang)
            click.echo(f"wrote {out_path}")
        return
    result = report_step(inputs, period, load_calls(actuals_path), roster=roster, clock=clock)
    for line in report_lines(result):
        click.echo(line)
    if out_path is not None:
        write_report_workbook(out_path, result, lang)
        click.echo(f"wrote {out_path}")
