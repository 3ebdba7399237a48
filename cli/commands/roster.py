"""`shiftcast roster`: the monthly roster from a staffing requirement, staff, leave and rules."""
from __future__ import annotations

from pathlib import Path

import click

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("roster")
@click.option("--requirement", type=_file, required=True, help="staffing CSV: interval_start, scheduled")
@click.option("--staff", type=_file, required=True, help="staff CSV")
@click.option("--leave", type=_file, default=None, help="approved leave and requests CSV")
@click.option("--rules", type=_file, default=None, help="rules TOML (defaults when left out)")
@click.option("--ads", type=_file, default=None, help="planned airings CSV: no lunches in their response windows")
@click.option("--previous", type=_file, default=None, help="an earlier roster.csv: re-plan with few changes")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0.5), default=10.0, show_default=True,
              help="seconds the solver may take")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="folder for roster.csv, coverage.csv, employees.csv and short_intervals.csv")
def command(requirement: Path, staff: Path, leave: Path | None, rules: Path | None, ads: Path | None,
            previous: Path | None, time_limit: float, out_dir: Path) -> None:
    """Build the roster: who works which shift on which day and when they lunch."""
    from forecasting.data import load_ads
    from scheduler.data import load_leave, load_staff
    from scheduler.roster import load_assignments, load_requirement, solve
    from core.rules import load_rules
    from shiftcast.exports.tables import write_roster_csvs

    the_rules = load_rules(rules)
    people = load_staff(staff, the_rules)
    result = solve(
        load_requirement(requirement), people, the_rules,
        leave=load_leave(leave, people, the_rules) if leave else None,
        ads=load_ads(ads) if ads else None,
        previous=load_assignments(previous, the_rules) if previous else None,
        time_limit_s=time_limit,
    )
    paths = write_roster_csvs(out_dir, result, people)
    k = result.kpis
    click.echo(f"roster: {result.status}, objective {result.objective:,.0f}, lower bound {result.lower_bound:,.0f}, "
               f"gap {result.gap:.2%}, {result.seconds:.1f} s")
    click.echo(f"shortfall {k['shortfall_agent_intervals']} agent-intervals ({k['airing_shortfall_agent_intervals']} "
               f"during airings) in {k['short_intervals']} intervals; overstaffing {k['overstaff_agent_intervals']}")
    for c in result.conflicts:
        click.echo(f"conflict ({c.rule}): {c.message}")
    for path in paths:
        click.echo(f"wrote {path}")
