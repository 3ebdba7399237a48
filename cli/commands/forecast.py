"""`shiftcast forecast`: next month's calls per interval from the call history and the ad plan."""
from __future__ import annotations

from pathlib import Path

import click

from forecasting import month_summary
from cli.commands.actuals import site_option, stored_actuals_of
from cli.commands.db import database_url_option
from shiftcast.pipeline import forecast_summary_lines
from shiftcast.exports import charts
from shiftcast.exports.tables import forecast_frame, write_frame_csv
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.steps import actuals_step, forecast_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("forecast")
@click.option("--calls", "calls_path", type=_file, required=True, help="call history CSV (interval_start, calls, ...)")
@click.option("--ads", "ads_path", type=_file, default=None, help="past airings CSV (start, duration_s, channel, product)")
@click.option("--plan", "plan_path", type=_file, default=None, help="planned airings of the month, same columns")
@click.option("--month", required=True, help="the month to forecast, e.g. 2026-12")
@click.option("--rules", "rules_path", type=_file, default=None, help="rules TOML (open hours, holiday overrides)")
@click.option("--level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True, help="prediction-interval coverage")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True)
@click.option("--store", is_flag=True, help="extend the history with the actuals kept in the service's store "
                                            "(`shiftcast actuals add`), later days replacing the history's")
@site_option
@database_url_option
def command(calls_path: Path, ads_path: Path | None, plan_path: Path | None, month: str, rules_path: Path | None,
            level: float, out_dir: Path, store: bool, site_name: str | None, database_url: str | None) -> None:
    """Forecast a month's calls per interval (the forecast step of `shiftcast plan`): writes forecast.csv,
    the same file `plan` writes, and forecast.png."""
    inputs = load_inputs(InputPaths(calls=calls_path, ads=ads_path, plan=plan_path, rules=rules_path))
    if store:
        extended = actuals_step(inputs, stored_actuals_of(database_url, site_name))
        inputs = extended.inputs
        for note in extended.history.notes or ["no actuals in the store: the history is the calls file's alone"]:
            click.echo(note)
    elif site_name or click.get_current_context().get_parameter_source("database_url") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--site and --database-url name the store whose actuals extend the history: add --store")
    forecast = forecast_step(inputs, month, level=level)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_frame_csv(out_dir / "forecast.csv", forecast_frame(forecast.table))
    charts.write_png(out_dir / "forecast.png", charts.forecast_chart(forecast.table, inputs.plan, lang="en"))
    click.echo(f"Forecast {month}:")
    if forecast.grid_note:
        click.echo("  " + forecast.grid_note)
    for line in forecast_summary_lines(month_summary(forecast.model, forecast.table, inputs.plan)):
        click.echo("  " + line)
    for note in forecast.notes:
        click.echo(f"  note: {note}")
    click.echo(f"wrote {out_dir / 'forecast.csv'} and {out_dir / 'forecast.png'}")
