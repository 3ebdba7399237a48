"""Callbacks through the steps: the plan's requirement holds them, the roster's KPIs, the intraday view and the
day's report count them, and the API's roster document carries them."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from api import testing
from api.worker import job_runner
from core.periods import open_intervals
from core.rules import DEFAULT_RULES
from forecasting.data import load_calls
from scheduler.rules.lunch_airings import airing_intervals
from scheduler.roster import load_assignments
from shiftcast.inputs import SAMPLE_DIR, Inputs, InputPaths, load_inputs
from shiftcast.intraday import report_lines
from shiftcast.report import report_lines as report_lines_of, report_period
from shiftcast.steps import intraday_step, month_requirement, report_step, requirement_with_callbacks

WEEK = pd.date_range("2026-12-07", periods=7, freq="D")
DAY = "2026-12-10"


def _week_requirement(rules=DEFAULT_RULES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A week of 30 calls an interval with a 10:00 airing bringing 140 in each of its two intervals; its ads."""
    index = open_intervals(WEEK, rules)
    minute = index.hour * 60 + index.minute
    calls = pd.Series(np.where((minute >= 600) & (minute < 630), 140.0, 30.0), index=index)
    ads = pd.DataFrame({"start": WEEK + pd.Timedelta(hours=10), "duration_s": 120, "channel": "A", "product": "x"})
    return month_requirement(calls, None, rules), ads


def test_the_requirement_holds_the_callbacks_of_the_calls_it_expects_lost_outside_airings():
    inbound, ads = _week_requirement()
    requirement = requirement_with_callbacks(inbound, ads, DEFAULT_RULES)
    lost = (inbound["abandon_rate"] * inbound["calls"]).sum()
    assert requirement["callbacks"].sum() == pytest.approx(lost * DEFAULT_RULES.callbacks.share_reached)
    assert requirement["callbacks"].sum() > 0
    aired = airing_intervals(ads, requirement.index, DEFAULT_RULES)
    assert aired.sum() == 7 * 2  # 10:00–10:30 each day
    assert (requirement.loc[aired, "callbacks_worked"] == 0).all()
    # All are worked in time but those lost in the day's last interval, with no interval left before closing.
    last = requirement.index.strftime("%H:%M") == "17:45"
    assert requirement.loc[~aired, "callbacks_worked"].sum() == pytest.approx(requirement.loc[~last, "callbacks"].sum())
    # Quiet intervals have the room: no agent is added, and the inbound sizing is kept.
    assert (requirement["callback_agents"] == 0).all()
    assert requirement["agents"].equals(inbound["agents"]) and requirement["scheduled"].equals(inbound["scheduled"])
    # With callbacks off, the requirement is the inbound one.
    off = replace(DEFAULT_RULES, callbacks=replace(DEFAULT_RULES.callbacks, enabled=False))
    assert requirement_with_callbacks(inbound, ads, off) is inbound


def test_callbacks_that_quiet_intervals_cannot_hold_add_agents_to_the_requirement():
    # A 30-minute deadline and 900 s a callback: the room after the airing is too small.
    rules = replace(DEFAULT_RULES, callbacks=replace(DEFAULT_RULES.callbacks, deadline_hours=1.0, handle_s=900.0,
                                                     share_reached=1.0),
                    service=replace(DEFAULT_RULES.service, max_abandon_rate=None))
    inbound, ads = _week_requirement(rules)
    inbound["abandon_rate"] = np.where(inbound["calls"] > 100, 0.2, 0.0)  # a peak losing 20 %
    requirement = requirement_with_callbacks(inbound, ads, rules)
    added = requirement["callback_agents"]
    assert added.sum() > 0
    assert (requirement["agents"] == inbound["agents"] + added).all()
    assert (requirement["scheduled"] >= inbound["scheduled"]).all()
    assert (added[airing_intervals(ads, requirement.index, rules)] == 0).all()
    first = added[added > 0].index
    assert set(first.strftime("%H:%M")) == {"10:30"}  # the first interval after the airing's window


@pytest.fixture(scope="module")
def sample() -> Inputs:
    return load_inputs(InputPaths.sample())


def _sample_actuals(until: str | None = None) -> pd.DataFrame:
    actuals = load_calls(SAMPLE_DIR / "actuals_2026-12.csv")
    day = actuals[actuals.index.normalize() == pd.Timestamp(DAY)]
    if until is not None:
        day = day[day.index < pd.Timestamp(f"{DAY} {until}")]
    day.attrs = dict(actuals.attrs)
    return day


@pytest.mark.slow
def test_the_days_report_counts_the_lived_days_callbacks(sample):
    roster = load_assignments(SAMPLE_DIR / "roster_2026-12.csv", sample.rules)
    actuals = _sample_actuals()
    report = report_step(sample, report_period("day", DAY), actuals, roster=roster)
    work = report.callbacks
    table = work.table
    assert table.index.equals(open_intervals(pd.DatetimeIndex([DAY]), sample.rules))
    share = sample.rules.callbacks.share_reached
    assert table["created"].sum() == pytest.approx(actuals["abandoned"].sum() * share)
    assert table["created"].sum() > 0
    totals = work.totals()
    assert totals.created == pytest.approx(totals.done_in_time + totals.missed + totals.open)
    aired = airing_intervals(sample.plan, table.index, sample.rules)
    assert aired.any() and (table.loc[aired, "worked"] == 0).all()
    day = report.by_day
    assert day.loc[DAY, "callbacks_created"] == pytest.approx(totals.created)
    assert day.loc[DAY, "callbacks_done_in_time"] == pytest.approx(totals.done_in_time)
    line = next(line for line in report_lines_of(report) if line.startswith("callbacks: "))
    assert f"{totals.created:,.0f} of the callers lost were to be called back, {totals.done_in_time:,.0f} done" in line
    # Actuals that do not say how many were lost give no callbacks, and the report says why.
    blind = report_step(sample, report_period("day", DAY), actuals.drop(columns=["abandoned"]), roster=roster)
    assert blind.callbacks is None
    assert any("gives no abandoned calls" in note for note in blind.notes)


@pytest.mark.slow
def test_the_intraday_view_shows_the_callbacks_waiting_and_those_done_in_time_today(sample, tmp_path):
    roster = load_assignments(SAMPLE_DIR / "roster_2026-12.csv", sample.rules)
    view = intraday_step(sample, DAY, "11:30", _sample_actuals("11:30"), roster)
    work = view.callbacks
    so_far = work.totals(end=view.at)
    lost_so_far = _sample_actuals("11:30")["abandoned"].sum()
    assert so_far.created == pytest.approx(lost_so_far * sample.rules.callbacks.share_reached)
    expected_lost = view.rest["abandoned"].sum() * sample.rules.callbacks.share_reached
    assert work.totals().created == pytest.approx(so_far.created + expected_lost)
    assert view.rest["callbacks_waiting"].iloc[-1] == pytest.approx(work.totals().open)
    line = next(line for line in report_lines(view) if line.startswith("callbacks: "))
    assert f"{work.waiting_at(view.at):,.0f} waiting now ({so_far.created:,.0f} from calls lost so far" in line
    assert f"{work.totals().done_in_time:,.0f} done in time with the roster" in line
    # Actuals without an abandoned column: the calls lost so far are not counted, and the report says so.
    blind = intraday_step(sample, DAY, "11:30", _sample_actuals("11:30").drop(columns=["abandoned"]), roster)
    assert blind.callbacks.totals(end=blind.at).created == 0
    assert any("has no 'abandoned' column" in line for line in report_lines(blind))


def test_a_roster_jobs_document_carries_the_callbacks(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    staff_id = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=16, leaders=4),
                           headers={**sup, "Content-Type": "text/csv"}).json["id"]
    inbound, ads = _week_requirement()
    staffing_id = testing.store_staffing(url, requirement_with_callbacks(inbound, ads, DEFAULT_RULES), "2026-12")
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff_id, "time_limit_s": 2,
                                             "seed": 1}, headers=sup)
    assert r.status_code == 202, r.json
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    kpis = client.get(job["result_url"], headers=sup).json["kpis"]
    assert kpis["callbacks_expected"] == pytest.approx(kpis["expected_abandoned_calls"] * 0.7)
    assert kpis["callbacks_done_in_time"] > 0
    assert kpis["callbacks_done_in_time"] + kpis["callbacks_missed"] <= kpis["callbacks_expected"] + 1e-6
