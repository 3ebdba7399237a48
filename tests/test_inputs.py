"""The data contracts: every loader accepts good files and names the file, row and column of bad ones."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecasting.data import aggregate_call_records, load_ads, load_call_records, load_calls
from scheduler.data import load_leave, load_staff, weekday_number
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, Rules, load_rules, rules_to_toml

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"

STAFF = (
    "employee_id,name,role,group,team,shifts,preferred_rest_weekday\n"
    "A1,张三,agent,G1,T1,E,周一\n"
    "A2,Li Si,group_leader,G1,T1,,mon\n"
    "A3,Wang,agent,G1,T1,E;L,\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def staff_frame(tmp_path: Path) -> pd.DataFrame:
    return load_staff(write(tmp_path, "staff.csv", STAFF))


# --- good files ---------------------------------------------------------------------------------

def test_calls_load_typed_on_a_sorted_interval_index(tmp_path):
    path = write(tmp_path, "calls.csv", "interval_start,calls,answered,abandoned,aht_s\n"
                 "2026-12-01 08:00,10,9,1,230.5\n2026-12-01 08:15,12,12,0,\n2026-12-02 08:00,0,0,0,\n")
    calls = load_calls(path)
    assert list(calls.columns) == ["calls", "answered", "abandoned", "aht_s"]
    assert calls.index.name == "interval_start" and calls.index.is_monotonic_increasing
    assert calls["calls"].dtype == np.int64 and calls["calls"].tolist() == [10, 12, 0]
    assert calls.attrs["interval_minutes"] == 15
    assert np.isnan(calls["aht_s"].iloc[1])


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_calls_interval_length_follows_the_data(tmp_path, minutes):
    starts = pd.date_range("2026-12-01 08:00", periods=8, freq=f"{minutes}min")
    body = "".join(f"{t:%Y-%m-%d %H:%M},{i}\n" for i, t in enumerate(starts))
    assert load_calls(write(tmp_path, "c.csv", "interval_start,calls\n" + body)).attrs["interval_minutes"] == minutes


def test_utf8_bom_from_excel_is_accepted(tmp_path):
    path = write(tmp_path, "calls.csv", "\ufeffinterval_start,calls\n2026-12-01 08:00,3\n".encode("utf-8"))
    assert load_calls(path)["calls"].tolist() == [3]


def test_staff_and_leave_load_with_defaults_filled(tmp_path):
    staff = staff_frame(tmp_path)
    assert staff["shifts"].tolist() == [("E",), ("E", "L"), ("E", "L")]
    assert staff["preferred_rest_weekday"].tolist()[:2] == [0, 0]
    assert pd.isna(staff["preferred_rest_weekday"].iloc[2])
    leave = load_leave(write(tmp_path, "leave.csv", "employee_id,date,kind,shift\nA1,2026-12-03,leave,\n"
                             "A3,2026-12-04,shift_request,L\nA2,2026-12-05,rest_request,\n"), staff)
    assert leave["kind"].tolist() == ["leave", "shift_request", "rest_request"]
    assert leave["date"].iloc[0] == pd.Timestamp("2026-12-03")
    assert leave["shift"].iloc[1] == "L" and pd.isna(leave["shift"].iloc[0])


def test_ads_load_sorted_with_optional_columns(tmp_path):
    ads = load_ads(write(tmp_path, "ads.csv", "start,duration_s,channel,product,grp\n"
                         "2026-12-01 10:00:00,60,Hunan TV,pan,1.5\n2026-12-01 09:00:00,30,CCTV-1,wok,\n"))
    assert ads["channel"].tolist() == ["CCTV-1", "Hunan TV"]
    assert np.isnan(ads["grp"].iloc[0]) and ads["grp"].iloc[1] == 1.5 and ads["cost"].isna().all()


def test_call_records_aggregate_to_interval_counts_and_aht(tmp_path):
    path = write(tmp_path, "records.csv", "arrived_at,answered_at,ended_at,outcome\n"
                 "2026-12-01 08:01:00,2026-12-01 08:01:30,2026-12-01 08:05:30,answered\n"
                 "2026-12-01 08:10:00,,2026-12-01 08:11:00,abandoned\n"
                 "2026-12-01 08:20:00,2026-12-01 08:20:10,2026-12-01 08:22:10,answered\n")
    counts = aggregate_call_records(load_call_records(path), 15)
    assert counts["calls"].tolist() == [2, 1]
    assert counts["answered"].tolist() == [1, 1] and counts["abandoned"].tolist() == [1, 0]
    assert counts["aht_s"].tolist() == [240.0, 120.0]


def test_rules_roundtrip_through_toml(tmp_path):
    custom = Rules(interval_minutes=30, rest_days_per_week=2, monthly_paid_hours_cap_enabled=True)
    path = write(tmp_path, "rules.toml", rules_to_toml(custom))
    assert load_rules(path) == custom
    assert load_rules(None) == DEFAULT_RULES


def test_default_rules_are_the_call_center_of_the_design():
    r = DEFAULT_RULES
    assert [(s.code, s.start, s.end, s.name_zh) for s in r.shifts] == [("E", "08:00", "17:00", "早班"), ("L", "10:00", "18:00", "晚班")]
    assert (r.open_time, r.close_time, r.interval_minutes, r.intervals_per_day) == ("08:00", "18:00", 15, 40)
    assert (r.rest_days_per_week, r.max_consecutive_work_days, r.leaders_per_shift) == (1, 6, 1)
    assert [s.paid_hours for s in r.shifts] == [8.0, 7.0]
    assert not r.monthly_paid_hours_cap_enabled


def test_weekday_names_in_english_chinese_and_iso_numbers():
    assert [weekday_number(x) for x in ("mon", "Sunday", "周三", "星期日", "7", "x")] == [0, 6, 2, 6, 6, None]


# --- bad files: each names file, row and column ------------------------------------------------

CALLS_OK = "interval_start,calls\n2026-12-01 08:00,3\n"
BAD_CSV = [
    # (id, loader, file content, row, column, words the message must contain)
    ("missing column", "calls", "interval_start,cals\n2026-12-01 08:00,3\n", 1, "calls", "missing required column 'calls'"),
    ("misspelled optional column", "calls", "interval_start,calls,abandonned\n2026-12-01 08:00,3,1\n", 1, "abandonned", "did you mean 'abandoned'"),
    ("column twice", "calls", "interval_start,calls,calls\n2026-12-01 08:00,3,3\n", 1, "calls", "appears twice"),
    ("unparseable date", "calls", "interval_start,calls\n2026-13-01 08:00,3\n", 2, "interval_start", "date and time"),
    ("empty date", "calls", "interval_start,calls\n2026-12-01 08:00,3\n,4\n", 3, "interval_start", "empty cell"),
    ("time zone offset", "calls", "interval_start,calls\n2026-12-01T08:00+08:00,3\n", 2, "interval_start", "without a time-zone"),
    ("duplicate interval", "calls", "interval_start,calls\n2026-12-01 08:00,3\n2026-12-01 08:15,3\n2026-12-01 08:00,4\n", 4, "interval_start", "already appears on row 2"),
    ("unsorted interval", "calls", "interval_start,calls\n2026-12-01 08:15,3\n2026-12-01 08:00,4\n", 3, "interval_start", "time order"),
    ("off the grid", "calls", "interval_start,calls\n2026-12-01 08:00,3\n2026-12-01 08:15,3\n2026-12-01 08:37,4\n", 4, "interval_start", "15-minute grid"),
    ("seconds off the grid", "calls", "interval_start,calls\n2026-12-01 08:00:30,3\n", 2, "interval_start", "grid"),
    ("negative count", "calls", "interval_start,calls\n2026-12-01 08:00,-3\n", 2, "calls", "whole number ≥ 0"),
    ("non-integer count", "calls", "interval_start,calls\n2026-12-01 08:00,2.5\n", 2, "calls", "whole number"),
    ("text count", "calls", "interval_start,calls\n2026-12-01 08:00,many\n", 2, "calls", "'many'"),
    ("answered above calls", "calls", "interval_start,calls,answered\n2026-12-01 08:00,3,4\n", 2, "answered", "no more than the calls"),
    ("answered+abandoned above calls", "calls", "interval_start,calls,answered,abandoned\n2026-12-01 08:00,3,2,2\n", 2, "calls", "answered + abandoned"),
    ("zero aht", "calls", "interval_start,calls,aht_s\n2026-12-01 08:00,3,0\n", 2, "aht_s", "> 0"),
    ("header only", "calls", "interval_start,calls\n", None, None, "no data rows; a forecast needs call history"),
    ("records header only", "records", "arrived_at\n", None, None, "no data rows; a forecast needs call history"),
    ("staff header only", "staff", "employee_id,name,role,group,team\n", None, None, "no data rows; a roster needs the employees"),
    ("empty file", "calls", "", None, None, "empty"),
    ("airing too long", "ads", "start,duration_s,channel,product\n2026-12-01 09:00,7200,CCTV,wok\n", 2, "duration_s", "≤ 3600"),
    ("airing without channel", "ads", "start,duration_s,channel,product\n2026-12-01 09:00,30,,wok\n", 2, "channel", "channel name"),
    ("negative grp", "ads", "start,duration_s,channel,product,grp\n2026-12-01 09:00,30,A,wok,-1\n", 2, "grp", "≥ 0"),
    ("record answered before arrival", "records", "arrived_at,answered_at\n2026-12-01 09:00:00,2026-12-01 08:00:00\n", 2, "answered_at", "not before arrived_at"),
    ("record bad outcome", "records", "arrived_at,outcome\n2026-12-01 09:00:00,lost\n", 2, "outcome", "answered, abandoned"),
    ("duplicate employee id", "staff", "employee_id,name,role,group,team\nA1,x,agent,G,T\nA1,y,agent,G,T\n", 3, "employee_id", "duplicate employee id 'A1'"),
    ("unknown role", "staff", "employee_id,name,role,group,team\nA1,x,boss,G,T\n", 2, "role", "agent, group_leader"),
    ("unknown shift code", "staff", "employee_id,name,role,group,team,shifts\nA1,x,agent,G,T,N\n", 2, "shifts", "shift codes from the rules (E, L)"),
    ("bad weekday", "staff", "employee_id,name,role,group,team,preferred_rest_weekday\nA1,x,agent,G,T,funday\n", 2, "preferred_rest_weekday", "weekday"),
    ("leave for unknown employee", "leave", "employee_id,date,kind\nZ9,2026-12-01,leave\n", 2, "employee_id", "from the staff file"),
    ("leave bad date", "leave", "employee_id,date,kind\nA1,2026/12/01,leave\n", 2, "date", "date like 2026-12-01"),
    ("leave unknown kind", "leave", "employee_id,date,kind\nA1,2026-12-01,holiday\n", 2, "kind", "leave, rest_request, work_request, shift_request, shift_refusal"),
    ("shift request without shift", "leave", "employee_id,date,kind,shift\nA2,2026-12-01,shift_request,\n", 2, "shift", "shift code"),
    ("shift request not allowed", "leave", "employee_id,date,kind,shift\nA1,2026-12-01,shift_request,L\n", 2, "shift", "may work"),
    ("leave twice a day", "leave", "employee_id,date,kind\nA1,2026-12-01,leave\nA1,2026-12-01,rest_request\n", 3, "employee_id", "already appears on row 2"),
]


def _load(kind: str, path: Path, tmp_path: Path):
    if kind == "calls":
        return load_calls(path)
    if kind == "ads":
        return load_ads(path)
    if kind == "records":
        return load_call_records(path)
    if kind == "staff":
        return load_staff(path)
    return load_leave(path, staff_frame(tmp_path))


@pytest.mark.parametrize("case", BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_names_file_row_and_column(tmp_path, case):
    _, kind, content, row, column, words = case
    path = write(tmp_path, f"{kind}_input.csv", content)
    with pytest.raises(DataError) as err:
        _load(kind, path, tmp_path)
    e = err.value
    assert e.file == f"{kind}_input.csv"
    assert (e.row, e.column) == (row, column)
    assert words in str(e)


def test_gbk_encoded_excel_export_is_named_as_such(tmp_path):
    path = write(tmp_path, "calls.csv", "interval_start,calls\n2026-12-01 08:00,3\n".encode() + "备注,1\n".encode("gbk"))
    with pytest.raises(DataError, match="GBK") as err:
        load_calls(path)
    assert err.value.row == 3 and "UTF-8" in str(err.value)


def test_utf16_file_is_refused_with_advice(tmp_path):
    path = write(tmp_path, "calls.csv", CALLS_OK.encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16.*CSV UTF-8"):
        load_calls(path)


BAD_RULES = [
    ("invalid toml", "interval_minutes = \n", None, "not valid TOML"),
    ("service level above 1", "[service]\nservice_level = 1.5\n", "service_level", "< 1"),
    ("shrinkage of 1", "[service]\nshrinkage = 1.0\n", "shrinkage", "< 1"),
    ("negative answer time", "[service]\nanswer_within_s = -5\n", "answer_within_s", "≥ 0"),
    # an end before the start is a night shift: the day lunch window no longer lies inside it
    ("shift ends before it starts", "[[shifts]]\ncode = 'E'\nstart = '17:00'\nend = '08:00'\n", "lunch_window", "ends the next day"),
    ("shift outside open hours", "[[shifts]]\ncode = 'N'\nstart = '06:00'\nend = '14:00'\nlunch_window = ['10:00', '12:00']\n", "shifts", "outside the open hours"),
    ("lunch outside shift", "[[shifts]]\ncode = 'E'\nstart = '08:00'\nend = '17:00'\nlunch_window = ['07:00', '09:00']\n", "lunch_window", "inside the shift"),
    ("reserved shift code", "[[shifts]]\ncode = 'OFF'\nstart = '08:00'\nend = '17:00'\n", "code", "reserved"),
    ("interval of 20 minutes", "interval_minutes = 20\n", "interval_minutes", "(15, 30, 60)"),
    ("misspelled key", "rest_day_per_week = 1\n", "rest_day_per_week", "unknown key"),
    ("misspelled service key", "[service]\nservice_levl = 0.8\n", "service_levl", "unknown key"),
    ("text where a number belongs", "max_consecutive_work_days = 'six'\n", "max_consecutive_work_days", "whole number"),
    ("abandon cap without patience", "[service]\nmax_abandon_rate = 0.05\npatience_s = 0\n", "patience_s", "> 0"),
    ("bad time", "open_time = '8 am'\n", "open_time", "time like"),
    ("negative weight", "[weights]\novertstaffing = 1\n", "overtstaffing", "unknown key"),
    ("unknown leader role", "leader_roles = ['captain']\n", "leader_roles", "unknown role"),
]


@pytest.mark.parametrize("case", BAD_RULES, ids=[c[0] for c in BAD_RULES])
def test_bad_rules_name_the_key(tmp_path, case):
    _, text, column, words = case
    path = write(tmp_path, "rules.toml", text)
    with pytest.raises(DataError) as err:
        load_rules(path)
    assert err.value.file == str(path) and err.value.column == column
    assert words in str(err.value)


# --- a header without rows: no leave, no airings ------------------------------------------------

def test_header_only_leave_is_no_leave(tmp_path):
    for header in ("employee_id,date,kind\n", "employee_id,date,kind,shift\n"):
        leave = load_leave(write(tmp_path, "leave.csv", header), staff_frame(tmp_path))
        assert leave.empty and list(leave.columns) == ["employee_id", "date", "kind", "shift", "weight"]
        assert leave["date"].dtype.kind == "M"


def test_header_only_ads_are_no_airings(tmp_path):
    ads = load_ads(write(tmp_path, "plan.csv", "start,duration_s,channel,product,grp\n"))
    assert ads.empty and list(ads.columns) == ["start", "duration_s", "channel", "product", "grp", "cost"]
    assert ads["start"].dtype.kind == "M" and ads["duration_s"].dtype == np.int64


# --- roles: the words the exports write read back --------------------------------------------------

def test_staff_roles_accept_the_names_the_exports_write(tmp_path):
    from shiftcast.exports.labels import role_name

    rows = [("话务员", "agent"), ("组长", "group_leader"), ("队长", "team_leader"), ("主管", "supervisor"),
            ("Agent", "agent"), ("Group leader", "group_leader"), ("team leader", "team_leader"),
            ("SUPERVISOR", "supervisor"), ("group_leader", "group_leader"), (" Group  Leader ", "group_leader")]
    content = "employee_id,name,role,group,team\n" + "".join(f"E{i},n{i},{word},G,T\n" for i, (word, _) in enumerate(rows))
    staff = load_staff(write(tmp_path, "staff.csv", content))
    assert list(staff["role"]) == [code for _, code in rows]
    # every name an export writes for a role reads back as that role
    for code in ("agent", "group_leader", "team_leader", "supervisor"):
        for lang in ("zh", "en"):
            one = load_staff(write(tmp_path, "one.csv", f"employee_id,name,role,group,team\nX,x,{role_name(code, lang)},G,T\n"))
            assert one["role"].iloc[0] == code


# --- the CLI -----------------------------------------------------------------------------------

def test_validate_reads_header_only_leave_and_ad_plan_as_none(tmp_path):
    staff = write(tmp_path, "staff.csv", STAFF)
    leave = write(tmp_path, "leave.csv", "employee_id,date,kind\n")
    plan = write(tmp_path, "plan.csv", "start,duration_s,channel,product\n")
    result = CliRunner().invoke(main, ["validate", "--staff", str(staff), "--leave", str(leave), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    assert "0 leaves, 0 rest requests, 0 shift requests" in result.output
    assert "ad plan   no airings" in result.output


def test_forecast_with_header_only_ads_forecasts_without_airings(tmp_path):
    ads = write(tmp_path, "ads.csv", "start,duration_s,channel,product\n")
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = CliRunner().invoke(main, ["forecast", "--calls", str(sample / "calls.csv"), "--ads", str(ads),
                                       "--plan", str(ads), "--month", "2026-12", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert len(forecast) > 0 and (forecast["mean"] >= 0).all()


@pytest.mark.slow
def test_plan_with_header_only_leave_plans_without_leave(tmp_path):
    staff = write(tmp_path, "staff.csv", STAFF)
    leave = write(tmp_path, "leave.csv", "employee_id,date,kind\n")
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = CliRunner().invoke(main, ["plan", "--calls", str(sample / "calls.csv"), "--staff", str(staff),
                                       "--leave", str(leave), "--month", "2026-12", "--out", str(tmp_path / "out"),
                                       "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv")
    assert len(roster) == 3 * 31 and "LEAVE" not in set(roster["shift"])



def test_validate_prints_a_summary_and_exits_zero(tmp_path):
    calls = write(tmp_path, "calls.csv", "interval_start,calls\n2026-12-01 08:00,3\n2026-12-01 08:15,5\n")
    staff = write(tmp_path, "staff.csv", STAFF)
    leave = write(tmp_path, "leave.csv", "employee_id,date,kind\nA1,2026-12-03,leave\n")
    result = CliRunner().invoke(main, ["validate", "--calls", str(calls), "--staff", str(staff), "--leave", str(leave)])
    assert result.exit_code == 0, result.output
    assert "8 calls" in result.output and "3 people" in result.output and "1 leave," in result.output
    assert "all files are valid" in result.output


def test_validate_exits_nonzero_naming_the_cell(tmp_path):
    calls = write(tmp_path, "calls.csv", "interval_start,calls\n2026-12-01 08:00,3\n2026-12-01 08:15,-1\n")
    result = CliRunner().invoke(main, ["validate", "--calls", str(calls)])
    assert result.exit_code == 2
    assert re.search(r"calls\.csv, row 3, column 'calls': expected a whole number ≥ 0, got '-1'", result.output)
    assert "Traceback" not in result.output


def test_validate_leave_needs_staff(tmp_path):
    leave = write(tmp_path, "leave.csv", "employee_id,date,kind\nA1,2026-12-03,leave\n")
    result = CliRunner().invoke(main, ["validate", "--leave", str(leave)])
    assert result.exit_code == 2 and "needs the staff file" in result.output


# --- real data: the Israeli bank's call records load through the records path -------------------

@pytest.mark.realdata
@pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")
def test_israeli_bank_records_load_through_the_records_path(tmp_path):
    raw = pd.read_csv(DATASETS / "il_anonymous_bank_1999_02_calls.tsv", sep="\t", dtype=str)
    raw = raw[raw["outcome"] != "PHANTOM"]
    day = pd.to_datetime("19" + raw["date"], format="%Y%m%d")
    def at(col):
        t = pd.to_timedelta(raw[col])
        return (day + t).where(t > pd.Timedelta(0))
    records = pd.DataFrame({
        "arrived_at": at("vru_entry").dt.strftime("%Y-%m-%d %H:%M:%S"),
        "outcome": np.where(raw["outcome"] == "AGENT", "answered", "abandoned"),
        "handle_s": np.where(raw["outcome"] == "AGENT", raw["ser_time"], ""),
    })
    path = tmp_path / "records.csv"
    records.to_csv(path, index=False)
    counts = aggregate_call_records(load_call_records(path), 15)
    arrivals = pd.read_csv(DATASETS / "il_anonymous_bank_1999_02_arrivals_15min.csv", parse_dates=["interval_start"])
    expected = arrivals.set_index("interval_start")["arrivals"]
    expected = expected[expected > 0]
    assert counts["calls"].sum() == expected.sum() == len(records)
    assert (counts["calls"] == expected.reindex(counts.index)).all()
    assert 150 < counts["aht_s"].mean() < 300  # the bank's service times run a few minutes
