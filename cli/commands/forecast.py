"""`shiftcast forecast`: next month's calls per interval from the call history and the ad plan."""
from __future__ import annotations

from pathlib import Path

import click

from forecasting import forecast_month, month_summary
from forecasting.data import load_ads, load_calls
from shiftcast.exports import charts
from core.rules import load_rules

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("forecast")
@click.option("--calls", "calls_path", type=_file, required=True, help="call history CSV (interval_start, calls, ...)")
@click.option("--ads", "ads_path", type=_file, default=None, help="past airings CSV (start, duration_s, channel, product)")
@click.option("--plan", "plan_path", type=_file, default=None, help="planned airings of the month, same columns")
@click.option("--month", required=True, help="the month to forecast, e.g. 2026-12")
@click.option("--rules", "rules_path", type=_file, default=None, help="rules TOML (open hours, holiday overrides)")
@click.option("--level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True, help="prediction-interval coverage")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True)
def command(calls_path, ads_path, plan_path, month, rules_path, level, out_dir) -> None:
    """Forecast a month's calls per interval: writes forecast.csv and forecast.png."""
    rules = load_rules(rules_path)
    calls = load_calls(calls_path)
    ads = load_ads(ads_path) if ads_path else None
    plan = load_ads(plan_path) if plan_path else None
    model, forecast = forecast_month(calls, ads, plan, month, rules, level)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = forecast[["mean", "lower", "upper"]].round(3)
    table.index.name = "interval_start"
    table.to_csv(out_dir / "forecast.csv", date_format="%Y-%m-%d %H:%M:%S")
    charts.write_png(out_dir / "forecast.png", charts.forecast_chart(forecast, plan, lang="en"))
    s = month_summary(model, forecast, plan)
    click.echo(f"Forecast {month}: {s['calls']:.0f} calls ({s['calls_low']:.0f}-{s['calls_high']:.0f} summed interval bounds), "
               f"{s['calls_per_day_mean']:.0f} a day; busiest day {s['busiest_day']}, busiest interval "
               f"{s['busiest_interval']} ({s['busiest_interval_calls']:.0f} calls)")
    if "airings" in s:
        click.echo(f"{s['airings']} planned airings bring about {s['calls_from_airings']:.0f} calls")
    if not s["calendar_known"]:
        click.echo("warning: the holiday calendar does not know this month's year; add [[calendar]] days to the rules",
                   err=True)
    click.echo(f"wrote {out_dir / 'forecast.csv'} and {out_dir / 'forecast.png'}")
