"""`shiftcast headcount` and `shiftcast hiring-plan`: how many agents a month needs, and whom to hire when.

Both read the usual input files (or the bundled sample with --sample): the calls history and ads to
forecast the month (or a ready requirement CSV from `shiftcast staffing`), the staff list whose leader
mix and leave the synthesized staff lists copy, and the rules with the service targets.
"""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from scheduler import hiring
from scheduler.roster import load_requirement
from scheduler.headcount import (
    DEFAULT_MAX_SOLVES,
    DEFAULT_SOLVE_SECONDS,
    DEFAULT_TARGET_SHARE,
    Target,
    agents_in,
)
from cli.commands.validate import input_options
from shiftcast.headcount_reports import (SayOnce, headcount_report, hiring_report, months_ahead, months_calendar_note,
                                         write_csv)
from shiftcast.inputs import SAMPLE_MONTH, InputPaths, Inputs, load_inputs

_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_out = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                    show_default=True, help="folder for the CSV files")


def _search_options(func):
    for option in reversed((
        click.option("--sample", is_flag=True, help="use the bundled sample data for every file not given"),
        click.option("--requirement", "requirement_path", type=_file,
                     help="requirement CSV from `shiftcast staffing` (interval_start, scheduled, …); skips the forecast"),
        click.option("--target-share", type=click.FloatRange(0, 1, min_open=True), default=DEFAULT_TARGET_SHARE, show_default=True,
                     help="share of open intervals that must be staffed to requirement (the service-level target)"),
        click.option("--airing-short", type=click.IntRange(0), default=0, show_default=True,
                     help="airing-window intervals allowed short"),
        click.option("--time-limit", type=click.FloatRange(0.5), default=DEFAULT_SOLVE_SECONDS, show_default=True,
                     help="seconds per roster solve"),
        click.option("--max-solves", type=click.IntRange(1), default=DEFAULT_MAX_SOLVES, show_default=True,
                     help="roster solves the search may use"),
    )):
        func = option(func)
    return func


def _inputs(paths: dict, sample: bool, month: str) -> Inputs:
    """The given files, with the bundled sample's filling the gaps under --sample: its month-specific ad plan
    and leave only for `month` itself (another month's airings and leave would be planned against the wrong
    days), and a note for each it does not have."""
    given = InputPaths(**paths)
    if sample:
        for key, value in vars(InputPaths.sample(month=month)).items():
            if getattr(given, key) is not None or value is None:
                continue
            if value.exists():
                setattr(given, key, value)
            else:
                click.echo(f"note: the sample has no {key} file for {month} ({value.name}): sized without one")
    return load_inputs(given)


def _month_requirement(inputs: Inputs, month: str, requirement_path: Path | None, echo,
                       say: SayOnce) -> tuple[pd.DataFrame, object]:
    """The month's requirement and the fitted forecaster (None when the requirement was given): the
    pipeline's forecast and staffing steps; `say` gives the forecast's notes."""
    from shiftcast.steps import forecast_step, requirement_step

    if requirement_path is not None:
        return load_requirement(requirement_path), None
    echo("fitting the forecaster on the call history …")
    forecast = forecast_step(inputs, month)
    echo(f"{month}: {forecast.table['mean'].sum():,.0f} calls expected")
    for note in forecast.notes:
        say(note)
    return requirement_step(inputs, forecast.table), forecast.model


def _scenarios(specs: tuple[str, ...], plan: pd.DataFrame, rules) -> dict[str, pd.DataFrame]:
    from shiftcast.scenarios import more_airings, with_channel

    out = {"plan": plan}
    for spec in specs:
        kind, _, rest = spec.partition(":")
        try:
            if kind == "more":
                out[f"+{float(rest):.0%} airings"] = more_airings(plan, float(rest), rules)
                continue
            if kind == "channel":
                name, _, share = rest.rpartition(":")
                if name:
                    out[f"new channel {name} (+{float(share):.0%})"] = with_channel(plan, name, float(share), rules)
                    continue
        except ValueError:
            pass
        raise click.BadParameter(f"{spec!r}: expected more:SHARE (e.g. more:0.3) or channel:NAME:SHARE", param_hint="--what-if")
    return out


@click.command("headcount")
@input_options
@click.option("--month", default=SAMPLE_MONTH, show_default=True, help="the month to size")
@_search_options
@click.option("--what-if", "what_ifs", multiple=True,
              help="also size the month under another ad plan: more:0.3 (30 % more airings) or channel:NAME:0.25 "
                   "(a new channel with a quarter as many airings); repeatable")
@_out
def command(month: str, sample: bool, requirement_path, target_share, airing_short, time_limit, max_solves, what_ifs,
            out_dir: Path, **paths) -> None:
    """The smallest headcount whose roster meets the service target: writes headcount.csv (the answer),
    headcount_curve.csv (every headcount tried) and, with --what-if, headcount_what_if.csv."""
    inputs = _inputs(paths, sample, month)
    target = Target(target_share, airing_short)
    req, model = _month_requirement(inputs, month, requirement_path, click.echo, SayOnce(click.echo))
    result = headcount_report(inputs, month, req, out_dir, click.echo, target=target, time_limit_s=time_limit,
                              max_solves=max_solves)
    if what_ifs:
        from shiftcast.scenarios import what_if

        if model is None or inputs.plan is None:
            raise click.UsageError("--what-if needs the call history and the month's ad plan (--calls, --ads, --plan)")
        table = what_if(model, month, _scenarios(what_ifs, inputs.plan, inputs.rules), inputs.rules,
                        inputs.calls, inputs.staff, inputs.leave, target=target,
                        time_limit_s=time_limit, max_solves=max_solves, first=result,
                        progress=lambda m: click.echo("  " + m))
        click.echo(table[["airings", "expected_calls", "bound_agents", "estimate_agents", "required_agents", "verified"]].to_string())
        write_csv(table, out_dir / "headcount_what_if.csv", click.echo)


def _ramp(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected shares like 0.7,0.9", param_hint="--ramp") from None


def _requirements_csv(path: Path) -> pd.Series:
    from core import tables

    frame = tables.read_table(path, ("month", "required"), (), source=str(path))
    values = tables.numbers(frame, "required", minimum=0)
    return pd.Series(values.to_numpy(float), index=frame["month"].to_numpy(), name="required")


@click.command("hiring-plan")
@input_options
@click.option("--months", type=click.IntRange(1, 36), default=6, show_default=True, help="months to plan")
@click.option("--start", "first_month", default=SAMPLE_MONTH, show_default=True,
              help="first month of the plan; its headcount is verified with roster solves")
@click.option("--requirements", "requirements_path", type=_file,
              help="CSV of month,required (agents per month); skips the forecast and the rosters")
@click.option("--current-staff", type=click.FloatRange(0), help="agents on staff at the start (default: agents in --staff)")
@click.option("--attrition", type=click.FloatRange(0, 1, max_open=True), default=hiring.DEFAULT_ATTRITION, show_default=True,
              help="share of agents leaving each month")
@click.option("--training-weeks", type=click.FloatRange(0), default=hiring.DEFAULT_TRAINING_WEEKS, show_default=True,
              help="weeks from a hire's first day to taking calls")
@click.option("--training-attrition", type=click.FloatRange(0, 1, max_open=True), default=hiring.DEFAULT_TRAINING_ATTRITION,
              show_default=True, help="share of trainees leaving before they finish")
@click.option("--ramp", default=",".join(f"{r:g}" for r in hiring.DEFAULT_RAMP), show_default=True,
              help="new agents' productivity in their first months after training, comma-separated")
@click.option("--wage", type=click.FloatRange(0), help="monthly cost of an agent (adds a cost column)")
@click.option("--trainee-wage", type=click.FloatRange(0), help="monthly cost of a trainee (default: --wage)")
@click.option("--hiring-cost", type=click.FloatRange(0), default=0.0, show_default=True, help="one-off cost per hire")
@click.option("--as-of", help="today's date: hires cannot start earlier (default: today)")
@_search_options
@_out
def hiring_command(months, first_month, requirements_path, current_staff, attrition, training_weeks, training_attrition,
                   ramp, wage, trainee_wage, hiring_cost, as_of, sample, requirement_path, target_share, airing_short,
                   time_limit, max_solves, out_dir: Path, **paths) -> None:
    """Hires to start month by month, given attrition and training lead time: writes hiring_plan.csv
    (per month), hiring_cohorts.csv (per training start) and monthly_headcount.csv (what each month needs)."""
    from core.periods import month_start

    say = SayOnce(click.echo)
    month_start(first_month)  # a clear error for a bad month
    inputs = _inputs(paths, sample, first_month)
    if requirements_path is not None:
        needed = _requirements_csv(requirements_path)
    else:
        target = Target(target_share, airing_short)
        req, model = _month_requirement(inputs, first_month, requirement_path, click.echo, say)
        result = headcount_report(inputs, first_month, req, out_dir, click.echo, target=target, time_limit_s=time_limit,
                                  max_solves=max_solves)
        if result.agents is None:
            raise click.ClickException(f"no headcount met the target in {first_month}; raise --max-solves or "
                                       "lower --target-share")
        if months > 1 and model is None:
            raise click.UsageError("months after the first need the call history to forecast (--calls), "
                                   "or --requirements")
        needed = months_ahead(inputs, first_month, months, result, model, out_dir, click.echo, target=target)
    if current_staff is None:
        if inputs.staff is None:
            raise click.UsageError("give --current-staff or the staff list (--staff)")
        current_staff = float(agents_in(inputs.staff, inputs.rules))
    hiring_report(needed, current_staff, out_dir, click.echo, as_of=pd.Timestamp(as_of) if as_of else None,
                  attrition=attrition, training_weeks=training_weeks, training_attrition=training_attrition,
                  ramp=_ramp(ramp), wage=wage, trainee_wage=trainee_wage, hiring_cost=hiring_cost)
    if requirements_path is None:  # the months ahead were forecast
        say(months_calendar_note(inputs.rules, first_month, months))
