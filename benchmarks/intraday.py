"""Intraday benchmark: the rest of the day re-forecast from the calls so far, against the forecast without them.

`python -m benchmarks.intraday` prints one JSON object. Rolling origins: for each day of the last weeks,
the model is fitted on the weeks before (refitted weekly, as a center refits on its history), updated with
the days since the fit and the day's calls up to 11:30 (and 16:30), and scored on the rest of the day:
- WAPE per interval and the error of the rest of the day's total, with the update against without it
  (target: interval WAPE at least 30 % lower), on the sample and on the Israeli bank's days;
- coverage of the 80 % intervals after the update (target 75-85 %);
- the noise floor: the WAPE a forecast of each interval's exact mean would still score (the updated mean
  standing in for it), for Poisson counts and for the overdispersion the fitted model measures in the
  intervals once the day's level is known, and the share of the error above that floor the update removes:
  where the forecast without actuals already sits near the floor, no update can cut the interval WAPE by 30 %;
  and the WAPE of the forecast without actuals scaled by each day's own rest-of-day level, known in hindsight:
  the most any update of the day's level could gain;
- speed: the intraday step (update, rest-of-day forecast, the service level the people there give and the
  ranked actions) for a 300-agent day, against the same step without actuals in the same run (target <= 2 s),
  and the ranked actions alone.
The Israeli bank's part is skipped, with the reason, when ../shared/datasets is absent.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from core.rules import load_rules
from forecasting import CallVolumeForecaster, wape
from forecasting.data import load_ads, load_calls
from shiftcast.inputs import InputPaths, load_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
BANK = ROOT.parent / "shared" / "datasets" / "il_anonymous_bank_1999_02_arrivals_15min.csv"
LEVEL = 0.8
CUTS = ("11:30", "16:30")


def _scores(days: list[pd.Timestamp], calls: pd.Series, make_model, ads: pd.DataFrame | None, weeks: int,
            truth: pd.Series | None = None) -> dict:
    """Rest-of-day scores at each cut, with and without the day's actuals, over `days` (refit weekly); with
    the generator's `truth` (expected calls before its day effect), the WAPE of knowing it: near the floor
    the counts' own noise sets."""
    rows = {cut: [] for cut in CUTS}
    model, fitted_to = None, None
    for day in days:
        if model is None or (day - fitted_to).days >= 7:
            fitted_to = day
            model = make_model().fit(calls[calls.index < day], ads[ads["start"] < day] if ads is not None else None)
        day_calls = calls[(calls.index >= day) & (calls.index < day + pd.Timedelta(days=1))]
        for cut in CUTS:
            at = day + pd.Timedelta(cut + ":00")
            rest = day_calls[day_calls.index >= at]
            rest = rest[model.predict(rest.index)["mean"].to_numpy() > 0]  # open intervals only
            if rest.empty:
                continue
            so_far = calls[(calls.index >= fitted_to) & (calls.index < at)]
            plain = model.predict(rest.index, ads)
            updated = model.predict(rest.index, ads, actuals=so_far)
            rows[cut].append(pd.DataFrame({"actual": rest.to_numpy(float), "plain": plain["mean"].to_numpy(),
                                           "updated": updated["mean"].to_numpy(), "lower": updated["lower"].to_numpy(),
                                           "upper": updated["upper"].to_numpy(), "plain_lower": plain["lower"].to_numpy(),
                                           "plain_upper": plain["upper"].to_numpy(), "day": day,
                                           "truth": truth.reindex(rest.index).to_numpy() if truth is not None else np.nan,
                                           "dispersion": model.day_level_.residual_dispersion(model.fit_.alpha)}))
    out = {"days": len(days), "weeks_refitted": weeks}
    for cut, frames in rows.items():
        f = pd.concat(frames)
        totals = f.groupby("day")[["actual", "plain", "updated"]].sum()
        w_plain, w_updated = wape(f["actual"], f["plain"]), wape(f["actual"], f["updated"])
        out[f"after_{cut.replace(':', '')}"] = {
            "intervals": int(len(f)),
            "wape_without_actuals": round(w_plain, 4),
            "wape_with_actuals": round(w_updated, 4),
            "wape_reduction": round(1 - w_updated / w_plain, 4),
            "rest_of_day_total_error_without": round(wape(totals["actual"], totals["plain"]), 4),
            "rest_of_day_total_error_with": round(wape(totals["actual"], totals["updated"]), 4),
            "coverage_80_with_actuals": round(float(((f["actual"] >= f["lower"]) & (f["actual"] <= f["upper"])).mean()), 4),
            "coverage_80_without": round(float(((f["actual"] >= f["plain_lower"]) & (f["actual"] <= f["plain_upper"])).mean()), 4),
        }
        scores = out[f"after_{cut.replace(':', '')}"]
        # The forecast without actuals scaled by each day's own rest-of-day total: the best any update of the
        # day's level could do, knowing the rest of the day's calls in advance.
        hindsight = f["plain"] * f["day"].map(totals["actual"] / totals["plain"])
        scores["wape_with_the_rest_of_days_own_level"] = round(wape(f["actual"], hindsight), 4)
        floor = noise_floor_wape(f["updated"].to_numpy(), f["dispersion"].to_numpy())
        scores["poisson_floor_wape"] = round(noise_floor_wape(f["updated"].to_numpy(), np.zeros(len(f))), 4)
        scores["noise_floor_wape"] = round(floor, 4)
        scores["interval_dispersion_after_day_level"] = round(float(f["dispersion"].mean()), 4)
        scores["share_of_wape_above_floor_removed"] = round((w_plain - w_updated) / (w_plain - floor), 4) if w_plain > floor else None
        if truth is not None:
            scores["wape_true_mean_without_day_effect"] = round(wape(f["actual"], f["truth"]), 4)
    return out


def noise_floor_wape(mean: np.ndarray, dispersion: np.ndarray) -> float:
    """The WAPE a forecast of each interval's exact mean would still score: counts around `mean` with the
    negative-binomial `dispersion` (Var = m + d m^2; 0 for Poisson), the noise no update of the day's level can
    remove. E|Y - m| summed over the counts' probabilities."""
    m = np.asarray(mean, float)
    d = np.asarray(dispersion, float)
    keep = m > 0
    m, d = m[keep], d[keep]
    k = np.arange(int(np.max(m + 12 * np.sqrt(m + d * m**2))) + 12)[None, :]
    poisson = stats.poisson.pmf(k, m[:, None])
    size = 1 / np.maximum(d, 1e-12)
    nb = stats.nbinom.pmf(k, size[:, None], (size / (size + m))[:, None])
    pmf = np.where((d > 0)[:, None], nb, poisson)
    return float((np.abs(k - m[:, None]) * pmf).sum() / m.sum())


def sample_results() -> dict:
    calls = load_calls(SAMPLE / "calls.csv")["calls"]
    ads = load_ads(SAMPLE / "ads_history.csv")
    rules = load_rules(SAMPLE / "rules.toml")
    truth = pd.read_csv(SAMPLE / "truth_expected_calls.csv", parse_dates=["interval_start"]).set_index("interval_start")
    days = list(pd.date_range("2026-11-03", "2026-11-30", freq="D"))
    return _scores(days, calls, lambda: CallVolumeForecaster(level=LEVEL, rules=rules), ads, 4,
                   truth["expected_calls"])


def bank_results() -> dict:
    if not BANK.exists():
        return {"skipped": f"{BANK} is absent"}
    raw = pd.read_csv(BANK, parse_dates=["interval_start"])
    calls = raw.set_index("interval_start")["arrivals"].rename("calls").astype(float)
    days = list(pd.date_range("1999-02-15", "1999-02-28", freq="D"))
    return _scores(days, calls, lambda: CallVolumeForecaster(level=LEVEL, holidays=False), None, 2)


def _day_roster(staff: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """`staff` on the day, early and late shifts in turn, lunches spread over 12:00-14:00, one in seven resting
    (the agents the actions may call in)."""
    lunches = ["12:00", "12:30", "13:00"]
    rows = [(e, day, "OFF" if i % 7 == 6 else "E" if i % 2 == 0 else "L", "" if i % 7 == 6 else lunches[i % len(lunches)])
            for i, e in enumerate(staff["employee_id"])]
    return pd.DataFrame(rows, columns=["employee_id", "date", "shift", "lunch_start"])


def speed_results(agents: int = 300, repeats: int = 5) -> dict:
    """The intraday step for a day of `agents` people on the phones, with the month's forecast fitted
    already (the history is the sample's scaled to that size), against the same step without actuals."""
    from scheduler.roster_synthetic import synthetic_staff
    from shiftcast.steps import forecast_step, intraday_actions_step, intraday_step

    inputs = load_inputs(InputPaths.sample())
    scale = agents / 87  # the sample's month needs 87 agents (benchmarks.headcount)
    calls = inputs.calls.copy()
    calls["calls"] = np.round(calls["calls"] * scale).astype(np.int64)
    calls.attrs = dict(inputs.calls.attrs)
    staff = synthetic_staff(agents, np.random.default_rng(1), inputs.rules)
    inputs = replace(inputs, calls=calls, staff=staff)
    day = pd.Timestamp("2026-12-10")
    started = time.perf_counter()
    forecast = forecast_step(replace(inputs, calls=calls[calls.index < day]), "2026-12")
    fit_seconds = time.perf_counter() - started
    morning = forecast.table.loc[(forecast.table.index >= day) & (forecast.table.index < day + pd.Timedelta("11:30:00"))]
    actuals = pd.DataFrame({"calls": np.random.default_rng(2).poisson(morning["mean"].to_numpy() * 1.2)}, index=morning.index)
    none = actuals.iloc[:0]
    roster = _day_roster(staff, day)

    def fastest(run):
        """The fastest of `repeats` runs, with what the last returned."""
        seconds, out = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = run()
            seconds.append(time.perf_counter() - t0)
        return min(seconds), out

    with_actuals, view = fastest(lambda: intraday_step(inputs, day, "11:30", actuals, roster, forecast=forecast))
    without, _ = fastest(lambda: intraday_step(inputs, day, "11:30", none, roster, forecast=forecast))
    actions_seconds, actions = fastest(lambda: intraday_actions_step(inputs, roster, view.phones, view.rest))
    return {
        "ranked_actions": len(actions),
        "actions_seconds": round(actions_seconds, 3),
        "agents_rostered": int(view.rest["rostered"].max()),
        "rest_of_day_intervals": int(len(view.rest)),
        "intraday_step_seconds": round(with_actuals, 3),
        "same_step_without_actuals_seconds": round(without, 3),
        "ratio_to_without": round(with_actuals / without, 2),
        "fit_seconds_once_a_day": round(fit_seconds, 2),
        "target_seconds_max": 2.0,
    }


def main() -> None:
    result = {"benchmark": "intraday", "level": LEVEL, "sample": sample_results(), "israeli_bank": bank_results(),
              "speed": speed_results(),
              "targets": {"wape_reduction_min": 0.30, "coverage_80": [0.75, 0.85], "step_seconds_max": 2.0}}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
