"""`shiftcast plan` and `shiftcast demo`: the whole pipeline, on the user's files or the bundled sample."""
from __future__ import annotations

import os
from pathlib import Path

import click

import pandas as pd

from cli.commands.actuals import stored_actuals_of
from cli.commands.db import database_url_option, default_database_url, sessions, upgraded_store
from cli.commands.validate import input_options
from shiftcast.inputs import SAMPLE_MONTH, InputPaths, no_history_line
from shiftcast.pipeline import PlanResult, run_plan

_out = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                    show_default=True, help="folder for the results")
_lang = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="language of labels in the exports and charts")
_time_limit = click.option("--time-limit", "time_limit_s", type=click.FloatRange(1, 3600), default=20.0,
                           show_default=True, help="seconds the roster solver may take (each of the headcount search's solves at most as long)")
_seed = click.option("--seed", type=click.IntRange(min=0), default=None,
                     help="a reproducible roster: the same inputs and seed give the same roster on any machine load "
                          "(one solver worker; the time limit counts the solver's deterministic time)")
# Who stored a month, in the store's created_by: a month stored again replaces what the same command stored.
DEMO = "shiftcast demo"
PLAN = "shiftcast plan"
# The sample's December as lived (data/sample/README.md): the day the demo looks at is its morning of absences.
DEMO_ACTUALS, DEMO_CLOCK, DEMO_ROSTER = "actuals_2026-12.csv", "clock_2026-12.csv", "roster_2026-12.csv"
DEMO_DAY = "2026-12-15"


@click.command("plan")
@input_options
@click.option("--month", required=True, help="the month to plan, e.g. 2026-12")
@_out
@_lang
@_time_limit
@_seed
@click.option("--store", is_flag=True,
              help="also keep the month (input files, forecast, staffing, roster) in the service's store, for the "
                   "roster page and the API; a month stored again replaces the one `plan --store` stored before. "
                   "The actuals of the store's default site (`shiftcast actuals add`) extend the history")
@database_url_option
def command(month: str, out_dir: Path, lang: str, time_limit_s: float, seed: int | None, store: bool,
            database_url: str | None, **paths: Path | None) -> None:
    """Plan a month on your own files: forecast, staffing, roster, headcount, exports."""
    given = click.get_current_context().get_parameter_source("database_url")
    if not store and given == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--database-url names the store --store keeps the month in: add --store")
    if paths["staff"] and not paths["previous_month"]:
        click.echo(no_history_line(month))
    inputs = InputPaths(**paths)
    if store:
        from api.planned_month import check_storable

        check_storable(inputs)  # said now, not after the planning
        url = upgraded_store(database_url)  # before any planning: a store that cannot be opened is said at once
    # The month is kept in the default site (api.planned_month): its actuals extend the history.
    actuals = stored_actuals_of(url, None) if store else None
    if store and actuals is None:
        click.echo("no actuals in the store: the history is the calls file's alone")
    result = run_plan(inputs, month, out_dir, echo=click.echo, lang=lang, time_limit_s=time_limit_s, seed=seed,
                      actuals=actuals)
    if store:
        _stored(url, inputs, result, PLAN, time_limit_s, seed)
        click.echo(f"To see it: {_serve_command(url)}, open {_page_url()} and paste a token "
                   f"(`shiftcast token create --role viewer --name me` makes one)")


@click.command("demo")
@_out
@_lang
@_time_limit
@database_url_option
def demo_command(out_dir: Path, lang: str, time_limit_s: float, database_url: str | None) -> None:
    """Run the whole pipeline on the bundled sample data (December 2026) and keep it in the service's store."""
    click.echo(f"Shiftcast demo: planning {SAMPLE_MONTH} on the bundled sample data")
    inputs = InputPaths.sample()
    url = upgraded_store(database_url)  # before any planning: a store that cannot be opened is said at once
    result = run_plan(inputs, SAMPLE_MONTH, out_dir, echo=click.echo, lang=lang, time_limit_s=time_limit_s)
    _stored(url, inputs, result, DEMO, time_limit_s, None)
    _december_as_lived(result, out_dir, lang)
    _say_how_to_see_the_demo(url)


def _december_as_lived(result: PlanResult, out_dir: Path, lang: str) -> None:
    """The month as the center lives it, on the sample's December as lived (actual calls, clock records) and the
    roster the center published: one day at 11:30 (with who has clocked in by then, and the actions ranked by calls
    saved) and the month's attendance. The files, not the store: the sample's
    December lies ahead of today's date, and the store keeps actuals of days already lived only."""
    from forecasting.data import load_calls
    from scheduler.attendance import attendance_lines
    from scheduler.clock import load_clock
    from scheduler.roster import load_assignments
    from shiftcast.exports.attendance import write_attendance
    from shiftcast.inputs import SAMPLE_DIR
    from shiftcast.intraday import report_lines
    from shiftcast.steps import MonthForecast, attendance_step, intraday_step

    inputs = result.inputs
    actuals_path, roster_path = SAMPLE_DIR / DEMO_ACTUALS, SAMPLE_DIR / DEMO_ROSTER
    click.echo(f"\nDecember as it ran (the sample's {DEMO_ACTUALS} and {DEMO_CLOCK}), on the roster the center "
               f"published ({DEMO_ROSTER}):")
    roster = load_assignments(roster_path, inputs.rules)
    day, at = pd.Timestamp(DEMO_DAY), "11:30"
    actuals = load_calls(actuals_path)
    so_far = actuals[actuals.index < day + pd.Timedelta(at + ":00")]
    month_forecast = MonthForecast(model=result.model, table=result.forecast)
    clock = load_clock(SAMPLE_DIR / DEMO_CLOCK, inputs.staff)
    view = intraday_step(inputs, day, at, so_far, roster, forecast=month_forecast, clock=clock)
    click.echo(f"  `shiftcast intraday --day {DEMO_DAY} --at {at} --clock {DEMO_CLOCK}`:")
    for line in report_lines(view):
        click.echo("    " + line)
    attendance = attendance_step(inputs, roster, clock, SAMPLE_MONTH)
    click.echo(f"  `shiftcast attendance --clock {DEMO_CLOCK}` (for payroll):")
    names = dict(zip(inputs.staff["employee_id"], inputs.staff["name"]))
    for line in attendance_lines(attendance, names):
        click.echo("    " + line)
    for path in write_attendance(out_dir, attendance, inputs.rules, inputs.staff, lang):
        click.echo(f"  wrote {path}")


def _stored(url: str, inputs: InputPaths, result: PlanResult, created_by: str, time_limit_s: float,
            seed: int | None) -> None:
    """Keep the planned month in the store at `url` and say what was kept and replaced."""
    from api.planned_month import store_month

    with sessions(url)() as s:
        kept = store_month(s, inputs, result, created_by=created_by, time_limit_s=time_limit_s, seed=seed)
    roster = f", roster {kept.roster_id}" if kept.roster_id is not None else " (no staff: no roster)"
    click.echo(f"Stored {kept.month} in {url}: forecast {kept.forecast_id}, staffing {kept.staffing_id}{roster}; "
               f"input files: {kept.datasets_added} added, {kept.datasets_reused} already there")
    if kept.replaced_ids:
        click.echo(f"  it replaces what `{created_by}` stored for {kept.month} before (results "
                   + ", ".join(map(str, kept.replaced_ids)) + ", gone from the store)")


def _say_how_to_see_the_demo(url: str) -> None:
    """How to open the demo's month on the roster page, with a new viewer token for it; the tokens earlier demos
    made are revoked, so one demo token is live at a time."""
    from sqlalchemy import select

    from api.auth import create_token, revoke_token
    from api.db import Token
    from api.sites import default_site

    with sessions(url)() as s:
        earlier = s.scalars(select(Token.id).where(Token.name == DEMO, Token.revoked_at.is_(None))).all()
        for token_id in earlier:
            revoke_token(s, token_id)
        # The site the demo's month is stored in (api.planned_month): the token sees that month.
        token = create_token(s, DEMO, "viewer", [default_site(s).id])[1]
    click.echo(f"To see it: {_serve_command(url)}, open {_page_url()} and paste the viewer token {token}"
               + (" (the earlier demo's token is revoked)" if earlier else ""))


def _serve_command(url: str) -> str:
    if url == default_database_url():
        return "run `shiftcast serve` in this folder"
    return f"run `shiftcast serve --database-url {url}`"


def _page_url() -> str:
    from api.config import BIND

    return f"http://{os.environ.get('SHIFTCAST_BIND', BIND)}/"
