"""`shiftcast forecast` end to end (the same forecast.csv as `shiftcast plan`), and smoke tests on the real data sets (skipped when absent)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecasting import CallVolumeForecaster
from forecasting.synthetic import World
from cli import main
from core.periods import month_intervals

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
needs_data = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    world = World(start="2026-08-01", days=92, airings_per_day=4, seed=41)
    calls, ads, _ = world.draw()
    calls.to_frame().to_csv(folder / "calls.csv", date_format="%Y-%m-%d %H:%M:%S")
    ads.to_csv(folder / "ads.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    plan = world.airings(days=pd.date_range("2026-11-01", "2026-11-30", freq="D"))
    plan.to_csv(folder / "plan.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    return folder


def _run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def forecast_out(files, tmp_path_factory):
    """`shiftcast forecast` for November at the default 80 % level: its folder and what it printed."""
    out = tmp_path_factory.mktemp("forecast_out")
    output = _run("forecast", "--calls", files / "calls.csv", "--ads", files / "ads.csv", "--plan", files / "plan.csv",
                  "--month", "2026-11", "--out", out)
    return out, output


def test_cli_writes_forecast_csv_and_chart(forecast_out):
    out, output = forecast_out
    table = pd.read_csv(out / "forecast.csv", parse_dates=["interval_start"])
    assert list(table.columns) == ["interval_start", "mean", "lower", "upper"]
    assert pd.DatetimeIndex(table["interval_start"]).equals(pd.DatetimeIndex(month_intervals("2026-11"), name="interval_start"))
    assert (table["lower"] <= table["mean"]).all() and (table["mean"] <= table["upper"]).all()
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Forecast 2026-11" in output and "planned airings" in output
    # The summary it prints is the file's: its total and its busiest interval.
    busiest = table.loc[table["mean"].idxmax()]
    assert f"{table['mean'].sum():,.0f} calls expected" in output
    assert f"busiest interval {busiest['interval_start']:%m-%d %H:%M} with {busiest['mean']:.0f} calls" in output


def test_forecast_csv_is_the_one_plan_writes(files, forecast_out, tmp_path):
    """The forecast step of `shiftcast plan`, written by the same writer: the same file byte for byte."""
    _run("plan", "--calls", files / "calls.csv", "--ads", files / "ads.csv", "--plan", files / "plan.csv",
         "--month", "2026-11", "--out", tmp_path, "--lang", "en")
    assert (forecast_out[0] / "forecast.csv").read_bytes() == (tmp_path / "forecast.csv").read_bytes()


def test_level_widens_the_interval_around_the_same_mean(files, forecast_out, tmp_path):
    _run("forecast", "--calls", files / "calls.csv", "--ads", files / "ads.csv", "--plan", files / "plan.csv",
         "--month", "2026-11", "--level", "0.95", "--out", tmp_path)
    at_80 = pd.read_csv(forecast_out[0] / "forecast.csv")
    at_95 = pd.read_csv(tmp_path / "forecast.csv")
    assert at_95["mean"].equals(at_80["mean"])
    assert (at_95["upper"] >= at_80["upper"]).all() and (at_95["lower"] <= at_80["lower"]).all()
    assert (at_95["upper"] - at_95["lower"]).sum() > (at_80["upper"] - at_80["lower"]).sum()


def test_cli_bad_month_and_bad_file(files, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(main, ["forecast", "--calls", str(files / "calls.csv"), "--month", "December", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "2026-12" in bad.output
    broken = tmp_path / "calls.csv"
    broken.write_text("interval_start,calls\n2026-08-01 08:00:00,-3\n")
    res = runner.invoke(main, ["forecast", "--calls", str(broken), "--month", "2026-11", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "calls" in res.output and "row 2" in res.output


@needs_data
@pytest.mark.realdata
def test_israeli_bank_one_week_ahead():
    raw = pd.read_csv(DATASETS / "il_anonymous_bank_1999_02_arrivals_15min.csv", parse_dates=["interval_start"])
    calls = raw.set_index("interval_start")["arrivals"]
    train, test = calls[calls.index < "1999-02-22"], calls[calls.index >= "1999-02-22"]
    model = CallVolumeForecaster(holidays=False).fit(train)
    f = model.predict(test.index)
    # Saturday daytime is closed there (bar the odd stray call), and the week's volume is about right.
    daytime = (test.index.hour >= 8) & (test.index.hour < 17)
    saturday, sunday = f["mean"][daytime & (test.index.day_of_week == 5)], f["mean"][daytime & (test.index.day_of_week == 6)]
    assert (saturday == 0).mean() >= 0.9
    assert saturday.sum() < 0.02 * sunday.sum()
    assert f["mean"].sum() == pytest.approx(test.sum(), rel=0.15)


@needs_data
@pytest.mark.realdata
def test_polish_campaign_response_is_positive_and_prompt():
    import benchmarks.forecast as bench

    visits, ads = bench.polish_inputs()
    model = CallVolumeForecaster(holidays=False).fit(visits[visits.index < "2014-11-24"], ads)
    assert model.interval_minutes_ == 60
    curve = model.response_curve()
    assert (curve["calls"] >= 0).all() and curve["calls"].sum() > 0
    # Most of the response within the airing hour and the next.
    assert curve.loc[curve["to_min"] <= 120, "calls"].sum() >= 0.5 * curve["calls"].sum()
    assert np.isfinite(model.calls_per_airing()).all()
