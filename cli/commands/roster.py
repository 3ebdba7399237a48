"""`shiftcast roster`: the monthly roster from a staffing requirement, staff, leave and rules (the roster step)."""
from __future__ import annotations

from pathlib import Path

import click

from scheduler.quiet_days import quiet_days_lines
from scheduler.roster import load_assignments, load_requirement
from shiftcast.exports.labels import status_words
from shiftcast.exports.tables import write_roster_csvs
from shiftcast.inputs import InputPaths, load_inputs, no_history_line, previous_month_line
from shiftcast.pipeline import requests_lines
from shiftcast.steps import roster_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("roster")
@click.option("--requirement", type=_file, required=True,
              help="staffing CSV: interval_start, scheduled (the requirement.csv of `shiftcast staffing` or `plan`)")
@click.option("--staff", type=_file, required=True, help="staff CSV or .xlsx")
@click.option("--leave", type=_file, default=None, help="approved leave and requests CSV or .xlsx")
@click.option("--rules", type=_file, default=None, help="rules TOML (defaults when left out)")
@click.option("--ads", type=_file, default=None, help="planned airings CSV: no lunches in their response windows")
@click.option("--previous", type=_file, default=None,
              help="an earlier roster.csv of the same month: re-plan it with few changes")
@click.option("--from", "from_day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="with --previous, a mid-month change: re-plan only the days from this one (YYYY-MM-DD) on, keep "
                   "the days before exactly, and print and write (changes.csv) who changes on which days")
@click.option("--previous-month", "previous_month", type=_file, default=None,
              help="the previous month's roster.csv: its last days count for this month's first (days in a row, "
                   "the week spanning both) and its late shifts and weekend rests for fairness")
@click.option("--shift-cover", "shift_cover", type=_file, default=None,
              help="people wanted on a shift on given dates (CSV: date, shift, wanted[, under_weight, over_weight]), "
                   "replacing the rules' [shift_cover] count of that day")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0.5), default=10.0, show_default=True,
              help="seconds the solver may take (with --seed, the solver's deterministic seconds)")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="solve reproducibly: the same inputs and seed give the same roster on any machine "
                   "(one solver worker, so it may find a worse roster in the same time)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="folder for roster.csv, coverage.csv, employees.csv and short_intervals.csv")
def command(requirement: Path, staff: Path, leave: Path | None, rules: Path | None, ads: Path | None,
            previous: Path | None, from_day, previous_month: Path | None, shift_cover: Path | None,
            time_limit: float, seed: int | None, out_dir: Path) -> None:
    """Build the roster (the roster step of `shiftcast plan`): who works which shift on which day and when
    they lunch."""
    inputs = load_inputs(InputPaths(staff=staff, leave=leave, rules=rules, plan=ads, previous_month=previous_month,
                                    shift_cover=shift_cover))
    needed = load_requirement(requirement)
    click.echo(previous_month_line(inputs) or no_history_line(f"{needed.index.min():%Y-%m}"))
    result = roster_step(inputs, needed, time_limit_s=time_limit,
                         previous=load_assignments(previous, inputs.rules) if previous else None, seed=seed,
                         from_day=from_day.date() if from_day else None)
    paths = write_roster_csvs(out_dir, result, inputs.staff)
    k = result.kpis
    click.echo(f"roster: {result.status}, objective {result.objective:,.0f}, lower bound {result.lower_bound:,.0f}, "
               f"gap {result.gap:.2%}, {result.seconds:.1f} s")
    click.echo(f"{result.status}: {status_words(result.status, result.gap, len(result.conflicts), 'en')}")
    click.echo(f"shortfall {k.shortfall_agent_intervals} agent-intervals ({k.airing_shortfall_agent_intervals} "
               f"during airings) in {k.short_intervals} intervals; overstaffing {k.overstaff_agent_intervals}")
    for c in result.conflicts:
        click.echo(f"conflict ({c.rule}): {c.message}")
    if result.diff is not None:
        click.echo(f"re-planned from {result.diff.from_day}: the days before are kept as they were; the coverage and "
                   "KPIs above are the days re-planned")
    for line in result.notes + quiet_days_lines(result.quiet_days, inputs.rules) + requests_lines(result):
        click.echo(line)
    for line in result.diff.lines() if result.diff is not None else []:
        click.echo(line)
    for path in paths:
        click.echo(f"wrote {path}")
