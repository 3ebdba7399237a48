"""Open hours the call history does not cover: said in words (forecast as 0) without a share, forecast and
staffed from the rules' [[hours_without_history]] with one."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.rules import rules_from_toml, rules_to_toml
from forecasting.synthetic import World
from shiftcast.inputs import Inputs
from shiftcast.steps import forecast_step, requirement_step

# A third shift into the evening; the history (World) runs 08:00–18:00.
EVENING = '''close_time = "21:00"

[[shifts]]
code = "E"
start = "08:00"
end = "17:00"
lunch_window = ["11:00", "14:00"]

[[shifts]]
code = "N"
start = "13:00"
end = "21:00"
lunch_window = ["15:00", "18:00"]
'''
SHARE = '''
[[hours_without_history]]
start = "18:00"
end = "21:00"
share = 0.2
'''


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    history, _, _ = World(start="2026-07-01", days=120, seed=31).draw()
    return history.to_frame("calls")


def _forecast(calls, rules_text: str):
    inputs = Inputs(rules=rules_from_toml(rules_text.encode("utf-8")), calls=calls)
    return inputs, forecast_step(inputs, "2026-11")


def test_open_hours_without_history_are_forecast_as_0_and_said(calls):
    inputs, forecast = _forecast(calls, EVENING)
    evening = forecast.table.between_time("18:00", "20:45")
    assert len(evening) == 30 * 12 and (evening["mean"] == 0).all()
    assert forecast.notes == [
        "no call history for 18:00–21:00 (every day, 360 intervals this month): forecast as 0 calls and staffed for "
        "none; give the calls expected then as [[hours_without_history]] in the rules (docs/data.md)"]
    assert (requirement_step(inputs, forecast.table).between_time("18:00", "20:45")["agents"] == 0).all()


def test_a_share_puts_calls_in_those_hours_and_the_plan_staffs_them(calls):
    inputs, forecast = _forecast(calls, EVENING + SHARE)
    table = forecast.table
    day = table.index.normalize()
    evening = table.index.indexer_between_time("18:00", "20:45")
    is_evening = np.zeros(len(table), bool)
    is_evening[evening] = True
    covered = table["mean"][~is_evening].groupby(day[~is_evening]).sum()
    extra = table["mean"][is_evening].groupby(day[is_evening]).sum()
    np.testing.assert_allclose(extra.to_numpy(), 0.2 * covered.to_numpy(), rtol=1e-9)
    # Spread evenly over the window; bounds around the mean.
    per_day = table["mean"][is_evening].groupby(day[is_evening])
    assert (per_day.max() - per_day.min()).max() < 1e-9
    assert (table["lower"][is_evening] < table["mean"][is_evening]).all()
    assert (table["upper"][is_evening] > table["mean"][is_evening]).all()
    assert forecast.notes == [
        "no call history for 18:00–21:00 (every day, 360 intervals this month): forecast as 20 % of each day's calls "
        "in the hours with history, from the rules' [[hours_without_history]]"]
    requirement = requirement_step(inputs, table)
    assert (requirement.between_time("18:00", "20:45")["agents"] > 0).all()
    # The hours with history are forecast as without the share.
    _, plain = _forecast(calls, EVENING)
    np.testing.assert_allclose(table["mean"][~is_evening], plain.table["mean"][~is_evening])


def test_part_of_a_day_gets_the_same_calls_as_the_whole_month(calls):
    _, forecast = _forecast(calls, EVENING + SHARE)
    evening = forecast.table.between_time("18:00", "20:45").iloc[:12]
    alone = forecast.model.predict(evening.index)
    np.testing.assert_allclose(alone["mean"], evening["mean"])


def test_a_window_only_partly_without_history_takes_its_share_there(calls):
    # 17:00–18:00 has history and keeps its own forecast; the share goes to 18:00–19:00 alone.
    text = EVENING + '\n[[hours_without_history]]\nstart = "17:00"\nend = "19:00"\nshare = 0.1\n'
    _, forecast = _forecast(calls, text)
    _, plain = _forecast(calls, EVENING)
    np.testing.assert_allclose(forecast.table.between_time("08:00", "17:45")["mean"],
                               plain.table.between_time("08:00", "17:45")["mean"])
    first = forecast.table.loc["2026-11-02"]
    assert first.between_time("18:00", "18:45")["mean"].sum() == pytest.approx(
        0.1 * first.between_time("08:00", "17:45")["mean"].sum())
    assert (first.between_time("19:00", "20:45")["mean"] == 0).all()
    assert "no call history for 19:00–21:00" in forecast.notes[-1] and "forecast as 0" in forecast.notes[-1]


def test_the_forecast_command_says_which_hours_have_no_history(tmp_path, calls):
    calls.to_csv(tmp_path / "calls.csv", date_format="%Y-%m-%d %H:%M:%S")
    (tmp_path / "rules.toml").write_text(EVENING, encoding="utf-8")
    result = CliRunner().invoke(main, ["forecast", "--calls", str(tmp_path / "calls.csv"), "--month", "2026-11",
                                       "--rules", str(tmp_path / "rules.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "note: no call history for 18:00–21:00 (every day, 360 intervals this month): forecast as 0 calls" \
        in result.output


def test_a_full_history_gets_no_note(calls):
    _, forecast = _forecast(calls, "")
    assert forecast.notes == []


def test_the_rules_read_and_write_the_windows():
    rules = rules_from_toml((EVENING + SHARE).encode("utf-8"))
    assert [(h.start, h.end, h.share) for h in rules.hours_without_history] == [("18:00", "21:00", 0.2)]
    assert rules_from_toml(rules_to_toml(rules).encode("utf-8")) == rules
    assert replace(rules, hours_without_history=()) == rules_from_toml(EVENING.encode("utf-8"))


@pytest.mark.parametrize("window, column, words", [
    ('start = "18:00"\nend = "22:00"\nshare = 0.2', "start", "falls outside the open hours 08:00–21:00"),
    ('start = "18:00"\nend = "21:00"\nshare = 0', "share", "share must be > 0"),
    ('start = "18:00"\nend = "21:00"', "share", "needs 'share'"),
    ('start = "18:10"\nend = "21:00"\nshare = 0.2', "start", "15-minute grid"),
    ('start = "20:00"\nend = "19:00"\nshare = 0.2', "end", "not after it starts"),
])
def test_a_bad_window_is_an_error_naming_it(window, column, words):
    with pytest.raises(DataError) as err:
        rules_from_toml((EVENING + "\n[[hours_without_history]]\n" + window + "\n").encode("utf-8"), source="rules.toml")
    assert err.value.column == column
    assert "hours_without_history[1]" in str(err.value) and words in str(err.value)
