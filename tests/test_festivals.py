"""Holidays in the forecast: a festival named in Chinese or English, or by its kind, is one festival with one
effect; an unknown holiday year is said once, in words; a center outside China gets its country's holidays."""
from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.rules import rules_from_toml, rules_to_toml
from forecasting import CallVolumeForecaster, forecast_month
from forecasting import holidays as hol
from forecasting.synthetic import World

# Spring Festival 2027 is on 6 February; chinese_calendar does not know 2027 yet.
FESTIVAL_DAYS = [dt.date(2027, 2, d) for d in range(6, 13)]


def _calendar(entry: str) -> str:
    return "".join(f'[[calendar]]\ndate = {d.isoformat()}\nkind = "holiday"\n{entry}\n\n' for d in FESTIVAL_DAYS)


@pytest.fixture(scope="module")
def history() -> pd.Series:
    """Eight months over Spring Festival 2026, when the world's calls halve on public holidays."""
    calls, _, _ = World(start="2025-08-01", days=240, holiday_factor=0.5, seed=23).draw()
    return calls


def _february(history: pd.Series, rules_text: str) -> pd.Series:
    _, table = forecast_month(history, None, None, "2027-02", rules_from_toml(rules_text.encode("utf-8")))
    return table["mean"]


def test_spring_festival_by_chinese_name_english_name_or_kind_is_one_forecast(history):
    chinese = _february(history, _calendar('name = "春节"'))
    english = _february(history, _calendar('name = "Spring Festival"'))
    np.testing.assert_allclose(chinese.to_numpy(), english.to_numpy(), rtol=1e-9)
    by_kind = _february(history, _calendar('festival = "spring"'))
    np.testing.assert_allclose(by_kind.to_numpy(), english.to_numpy(), rtol=1e-9)
    none = _february(history, "")
    # The festival days (and the weeks around them) are clearly quieter than the same month without them.
    assert chinese.sum() < 0.9 * none.sum()
    days = chinese.index.normalize().isin(pd.DatetimeIndex(FESTIVAL_DAYS))
    assert chinese[days].sum() < 0.7 * none[days].sum()


def test_every_known_festival_reads_by_its_chinese_name():
    text = "".join(f'[[calendar]]\ndate = 2027-0{i + 1}-01\nkind = "holiday"\nname = "{name}"\n\n'
                   for i, name in enumerate(["元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆"]))
    rules = rules_from_toml(text.encode("utf-8"))
    assert [c.festival for c in rules.calendar] == ["new_year", "spring", "tomb_sweeping", "labour", "dragon_boat",
                                                    "mid_autumn", "national"]
    # A festival's name in the model is the package's own, so it shares the effect learnt from the history.
    assert [hol.override_name(c) for c in rules.calendar] == [
        "New Year's Day", "Spring Festival", "Tomb-sweeping Day", "Labour Day", "Dragon Boat Festival",
        "Mid-autumn Festival", "National Day"]
    assert rules_from_toml(rules_to_toml(rules).encode("utf-8")) == rules


def test_a_year_with_calendar_entries_is_known():
    rules = rules_from_toml(_calendar('name = "春节"').encode("utf-8"))
    february = pd.date_range("2027-02-01", "2027-02-28", freq="D")
    assert hol.unknown_years(february) == [2027]
    assert hol.unknown_years(february, rules.calendar) == []


def _forecast_cli(tmp_path, history: pd.Series, rules_text: str):
    history.to_frame("calls").to_csv(tmp_path / "calls.csv", date_format="%Y-%m-%d %H:%M:%S")
    (tmp_path / "rules.toml").write_text(rules_text, encoding="utf-8")
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        result = CliRunner().invoke(main, ["forecast", "--calls", str(tmp_path / "calls.csv"), "--month", "2027-02",
                                           "--rules", str(tmp_path / "rules.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    return result.output, [str(w.message) for w in leaked]


def test_an_unknown_holiday_year_is_said_once_in_words(tmp_path, history):
    output, leaked = _forecast_cli(tmp_path, history, "")
    assert output.count("does not know 2027") == 1
    assert "note: the holiday calendar does not know 2027: public holidays" in output
    assert not [m for m in leaked if "holiday" in m]


def test_no_unknown_year_note_once_the_days_are_given(tmp_path, history):
    output, leaked = _forecast_cli(tmp_path, history, _calendar('name = "春节"'))
    assert "does not know" not in output
    assert not [m for m in leaked if "holiday" in m]


def test_a_british_center_gets_christmas_and_boxing_day():
    rules = rules_from_toml(b'country = "GB"\n')
    days = pd.date_range("2026-12-20", "2026-12-31", freq="D")
    cal = hol.calendar_days(days, rules.calendar, rules.country)
    holidays = cal[cal["kind"] == "holiday"]
    assert holidays.loc["2026-12-25", "name"] == "Christmas Day"
    assert holidays.loc["2026-12-26", "name"] == "Boxing Day"
    assert cal["known"].all() and not (cal["kind"] == "workday").any()  # no make-up workdays outside China
    assert hol.calendar_days(days)["kind"].eq("").all()  # for a Chinese center they are ordinary days


def test_a_british_center_forecast_learns_its_own_holidays():
    calls, _, _ = World(start="2025-11-01", days=90, seed=29).draw()
    gb = CallVolumeForecaster(rules=rules_from_toml(b'country = "GB"\n')).fit(calls)
    cn = CallVolumeForecaster().fit(calls)
    assert {"holiday[Christmas Day]", "holiday[Boxing Day]"} <= set(gb.coefficients().index)
    assert not any("Christmas" in name for name in cn.coefficients().index)
    assert "holiday[New Year's Day]" in cn.coefficients().index


@pytest.mark.parametrize("text, column, words", [
    ('country = "XX"', "country", "unknown country code 'XX'"),
    ('[[calendar]]\ndate = 2027-02-06\nkind = "holiday"\nfestival = "easter"', "festival",
     "calendar[1].festival must be one of new_year, spring"),
    ('[[calendar]]\ndate = 2027-02-06\nkind = "holiday"\nname = "国庆"\nfestival = "spring"', "festival",
     "name '国庆' is the festival 'national'"),
])
def test_an_unknown_country_or_festival_is_an_error_naming_the_key(text, column, words):
    with pytest.raises(DataError) as err:
        rules_from_toml(text.encode("utf-8"), source="rules.toml")
    assert err.value.column == column
    assert words in str(err.value) and "rules.toml" in str(err.value)


def test_the_exports_mark_the_centers_own_holidays():
    from shiftcast.exports.cells import HOLIDAY, WEEKDAY, day_kinds

    days = pd.date_range("2026-12-24", "2026-12-25", freq="D")
    assert day_kinds(days, rules_from_toml(b'country = "GB"\n')).tolist() == [WEEKDAY, HOLIDAY]
    assert day_kinds(days, rules_from_toml(b"")).tolist() == [WEEKDAY, WEEKDAY]
