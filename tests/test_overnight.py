"""Overnight shifts (a night shift 22:00–06:00 of a center open round the clock) and a lunch length per shift:
rules.toml to the roster, its independent check, the month's edges, the calendar, the CLI and the API."""
from __future__ import annotations

import datetime as dt
import tomllib

import icalendar
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from api import roster_document as documents, testing
from api.worker import job_runner
from cli import main
from core.errors import DataError
from core.periods import open_intervals
from core.rules import rules_from_dict, rules_to_toml
from scheduler.data import load_staff
from scheduler.on_phones import phones_day, rostered_on_phones
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from shiftcast.exports.calendar import employee_calendar

ROUND_THE_CLOCK = {"open_time": "00:00", "close_time": "24:00", "interval_minutes": 30}
# the night shift's lunch is half an hour, the day shifts' an hour
SHIFTS = [
    {"code": "E", "start": "06:00", "end": "14:00", "unpaid_break_minutes": 60, "lunch_window": ["09:00", "13:00"]},
    {"code": "L", "start": "14:00", "end": "22:00", "unpaid_break_minutes": 60, "lunch_window": ["17:00", "21:00"]},
    {"code": "N", "start": "22:00", "end": "06:00", "unpaid_break_minutes": 30, "lunch_window": ["01:00", "04:00"]},
]
RULES = rules_from_dict({**ROUND_THE_CLOCK, "min_rest_hours_between_shifts": 8, "shifts": SHIFTS})
DAYS = pd.date_range("2027-03-01", periods=7, freq="D")


def requirement(days: pd.DatetimeIndex = DAYS) -> pd.Series:
    """3 agents by day, 2 at night."""
    index = open_intervals(days, RULES)
    return pd.Series(np.where((index.hour >= 6) & (index.hour < 22), 3, 2), index=index, name="scheduled")


def staff(n: int = 16) -> pd.DataFrame:
    return pd.DataFrame({"employee_id": [f"P{i:02d}" for i in range(n)], "name": [f"P{i}" for i in range(n)],
                         "role": ["group_leader"] * 4 + ["agent"] * (n - 4), "group": "G1", "team": "T1",
                         "shifts": [("E", "L", "N")] * n})


def test_a_shift_ending_at_or_before_its_start_ends_the_next_day():
    n = RULES.shift("N")
    assert (n.start_minute, n.end_minute, n.overnight, n.paid_hours) == (1320, 1800, True, 7.5)
    assert n.hours_text == "22:00–06:00(+1)" and n.lunch_window_minutes == (1500, 1680)
    late = rules_from_dict({**ROUND_THE_CLOCK, "shifts": [{"code": "L", "start": "16:00", "end": "24:00",
                                                           "lunch_window": ["18:00", "21:00"]}]}).shift("L")
    assert (late.end_minute, late.overnight, late.hours_text) == (1440, False, "16:00–24:00")
    assert rules_from_dict(tomllib.loads(rules_to_toml(RULES))) == RULES


@pytest.mark.parametrize("raw, words", [
    ({"shifts": [SHIFTS[2]]}, "shift 'N' 22:00–06:00(+1) ends the next day: a shift past midnight needs the center open "
                         "round the clock (open_time = \"00:00\", close_time = \"24:00\"), the open hours are 08:00–18:00"),
    ({**ROUND_THE_CLOCK, "shifts": [{**SHIFTS[2], "lunch_window": ["05:00", "07:00"]}]},
     "lunch_window 05:00–07:00 must lie inside the shift 22:00–06:00(+1)"),
    ({"open_time": "06:00", "close_time": "24:00", "shifts": [SHIFTS[2]]}, "the open hours are 06:00–24:00"),
    ({**ROUND_THE_CLOCK, "shifts": [{**SHIFTS[2], "unpaid_break_minutes": 480}]}, "shorter than the shift"),
])
def test_overnight_rules_that_do_not_fit_are_refused_in_words(raw, words):
    with pytest.raises(DataError) as e:
        rules_from_dict(raw, "rules.toml")
    assert words in str(e.value) and "rules.toml" in str(e.value)


@pytest.fixture(scope="module")
def week():
    people = staff()
    return people, solve(requirement(), people, RULES, time_limit_s=3, seed=1)


def test_the_night_shift_covers_the_next_days_first_hours(week):
    people, roster = week
    a = roster.assignments
    assert roster_violations(a, people, RULES) == []
    # the solver's coverage is the roster table's, counted independently, night shifts on the day after
    index = roster.coverage.index
    assert (rostered_on_phones(a, people, RULES, index).to_numpy() == roster.coverage["staffed"].to_numpy()).all()
    night = a[(a["shift"] == "N") & (a["date"] == DAYS[1])]
    assert len(night) >= 2
    at_1am = pd.Timestamp("2027-03-03 01:00")
    lunching = (night["lunch_start"] == "01:00").sum()
    assert roster.coverage.loc[at_1am, "staffed"] == len(night) - lunching
    # from 06:00 the night shift is gone and the early shift is on
    early = a[(a["shift"] == "E") & (a["date"] == DAYS[2])]
    at_7 = pd.Timestamp("2027-03-03 07:00")
    assert roster.coverage.loc[at_7, "staffed"] == len(early) - (early["lunch_start"] == "07:00").sum()
    # who is on the phones at 01:00 is the night shift of the day before
    phones = phones_day(a, people, RULES, DAYS[2], at_1am)
    on = phones.present(pd.DatetimeIndex([at_1am]))
    assert on.iloc[0] == roster.coverage.loc[at_1am, "staffed"]
    assert {w.employee_id for w in phones.people if w.start_minute < 0} == set(night["employee_id"])


def test_each_shift_lunches_its_own_length(week):
    people, roster = week
    a = roster.assignments
    lunches = a[a["shift"] == "N"]["lunch_start"]
    assert set(lunches) <= {"01:00", "01:30", "02:00", "02:30", "03:00", "03:30"}  # 30 min in 01:00–04:00
    paid = roster.employees.set_index("employee_id")["paid_hours"]
    worked = a.groupby(["employee_id", "shift"]).size().unstack(fill_value=0)
    expected = 7.0 * worked.get("E", 0) + 7.0 * worked.get("L", 0) + 7.5 * worked.get("N", 0)
    assert (paid.reindex(expected.index) == expected).all()
    # a day shift's hour-long lunch at 12:30 ends past its window; a night lunch at 03:30 fits its half hour
    row = a[a["shift"] == "E"].index[0]
    broken = a.copy()
    broken.loc[row, "lunch_start"] = "12:30"
    night_row = a[a["shift"] == "N"].index[0]
    broken.loc[night_row, "lunch_start"] = "03:30"
    said = roster_violations(broken, people, RULES)
    assert any("lunch window" in v and "12:30" in v for v in said)
    assert not any("03:30" in v and "lunch window" in v for v in said)


def test_rest_after_a_night_shift_counts_from_its_end_the_next_morning(week):
    people, roster = week
    a = roster.assignments.copy()
    # nobody works the early shift (06:00) right after a night shift (ends 06:00): 8 hours' rest are asked
    shifts = a.pivot(index="employee_id", columns="date", values="shift")
    assert not ((shifts.iloc[:, :-1].to_numpy() == "N") & (shifts.iloc[:, 1:].to_numpy() == "E")).any()
    emp = a.loc[a["shift"] == "N", ["employee_id", "date"]].iloc[0]
    nxt = a.index[(a["employee_id"] == emp["employee_id"]) & (a["date"] == emp["date"] + pd.Timedelta(days=1))]
    if len(nxt):
        a.loc[nxt, ["shift", "lunch_start"]] = ["E", "10:00"]
        assert any(v.startswith("shift succession") and emp["employee_id"] in v
                   for v in roster_violations(a, people, RULES))


def test_the_month_edges(week):
    people, roster = week
    # the first day's 00:00–06:00 belong to a night shift this roster does not hold: not covered, said once
    first = roster.coverage.loc["2027-03-01 00:00":"2027-03-01 05:30"]
    assert (first["staffed"] == 0).all() and (first["short"] == 2).all()
    assert len(roster.notes) == 1 and "2027-03-01 00:00–06:00" in roster.notes[0] and "--previous-month" in roster.notes[0]
    # the last day's night shift after midnight falls outside the month: no interval of the 8th is priced
    assert roster.coverage.index.max() == pd.Timestamp("2027-03-07 23:30")

    # with February's roster, its last night's workers cover 1 March's first hours (less their lunches)
    feb = pd.DataFrame({"employee_id": people["employee_id"], "date": pd.Timestamp("2027-02-28"),
                        "shift": ["N", "N", "N"] + ["OFF"] * (len(people) - 3),
                        "lunch_start": ["02:00", "02:00", "03:00"] + [None] * (len(people) - 3)})
    march = solve(requirement(), people, RULES, previous_month=feb, time_limit_s=3, seed=1)
    assert march.notes == []
    staffed = march.coverage["staffed"]
    assert staffed["2027-03-01 00:00"] >= 3 and staffed["2027-03-01 02:00"] >= 1
    assert roster_violations(march.assignments, people, RULES, previous_month=feb) == []
    # the February night workers may not start at 06:00 on 1 March (8 hours' rest)
    first_day = march.assignments[march.assignments["date"] == DAYS[0]].set_index("employee_id")["shift"]
    assert not (first_day[["P00", "P01", "P02"]] == "E").any()


def test_the_calendar_event_of_a_night_shift_ends_the_next_morning(week):
    people, roster = week
    a = roster.assignments
    row = a[a["shift"] == "N"].iloc[0]
    cal = icalendar.Calendar.from_ical(employee_calendar(roster, RULES, row["employee_id"], lang="en"))
    day = row["date"].date()
    event = next(e for e in cal.walk("VEVENT") if e.decoded("dtstart").date() == day)
    assert event.decoded("dtstart").replace(tzinfo=None) == dt.datetime.combine(day, dt.time(22, 0))
    assert event.decoded("dtend").replace(tzinfo=None) == dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6, 0))


def test_shiftcast_roster_with_a_night_shift(tmp_path):
    people = staff()
    req = requirement().rename_axis("interval_start").reset_index()
    req["interval_start"] = req["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    req.to_csv(tmp_path / "requirement.csv", index=False)
    people.assign(shifts=people["shifts"].map(";".join)).to_csv(tmp_path / "staff.csv", index=False)
    (tmp_path / "rules.toml").write_text(rules_to_toml(RULES), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["roster", "--requirement", str(tmp_path / "requirement.csv"),
                                       "--staff", str(tmp_path / "staff.csv"), "--rules", str(tmp_path / "rules.toml"),
                                       "--time-limit", "2", "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2027-03-01 00:00–06:00: worked by the night shift of the day before" in result.output
    roster = pd.read_csv(out / "roster.csv", keep_default_na=False)
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    assert "N" in set(roster["shift"])
    assert roster_violations(roster, load_staff(tmp_path / "staff.csv", RULES), RULES) == []


def test_an_api_roster_job_with_a_night_shift(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    rules_id = client.post("/api/v1/datasets/rules", data=rules_to_toml(RULES).encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    staff_bytes = testing.staff_csv(agents=14, leaders=4)
    staff_id = client.post("/api/v1/datasets/staff", data=staff_bytes, query_string={"rules_id": rules_id},
                           headers={**sup, "Content-Type": "text/csv"}).json["id"]
    days = pd.date_range("2027-03-01", periods=31, freq="D")
    staffing_id = testing.store_staffing(url, requirement(days).to_frame(), "2027-03")
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff_id, "rules_id": rules_id,
                                             "time_limit_s": 3, "seed": 1}, headers=sup)
    assert r.status_code == 202, r.json
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    doc = client.get(job["result_url"], headers=sup).json
    assert doc["shifts"]["N"]["start"] == "22:00" and doc["shifts"]["N"]["end"] == "06:00"
    assert len(doc["notes"]) == 1 and "night shift of the day before" in doc["notes"][0]
    roster = documents.stored_roster(doc)
    (tmp_path / "staff.csv").write_bytes(staff_bytes)
    assert roster_violations(roster.assignments, load_staff(tmp_path / "staff.csv", RULES), RULES) == []
    assert (roster.coverage.loc["2027-03-02 00:00":"2027-03-02 05:30", "staffed"] > 0).all()


def test_a_night_shifts_clock_records_after_midnight_are_its_days():
    from scheduler.attendance import ON_TIME, month_attendance
    from scheduler.on_phones import clocked_on_phones

    people = staff(4)
    roster = pd.DataFrame({"employee_id": ["P00", "P00", "P01", "P01"],
                           "date": pd.to_datetime(["2027-03-01", "2027-03-02", "2027-03-01", "2027-03-02"]),
                           "shift": ["N", "L", "E", "OFF"], "lunch_start": ["02:00", "18:00", "10:00", None]})
    clock = pd.DataFrame({"employee_id": ["P00", "P00", "P00", "P00", "P01", "P01"],
                          "time": pd.to_datetime(["2027-03-01 21:58", "2027-03-02 06:03", "2027-03-02 13:57",
                                                  "2027-03-02 22:01", "2027-03-01 05:59", "2027-03-01 14:00"]),
                          "kind": ["in", "out", "in", "out", "in", "out"]})
    days = {(d.employee_id, d.date.date().isoformat()): d for d in month_attendance(roster, clock, RULES, "2027-03").days}
    night = days["P00", "2027-03-01"]
    assert (night.status, night.clock_out, night.worked_minutes) == (ON_TIME, pd.Timestamp("2027-03-02 06:03"), 485)
    assert days["P00", "2027-03-02"].status == ON_TIME and days["P00", "2027-03-02"].late_minutes == 0
    index = pd.DatetimeIndex(["2027-03-01 23:00", "2027-03-02 01:00", "2027-03-02 02:00", "2027-03-02 07:00",
                              "2027-03-02 15:00"])
    on = clocked_on_phones(clock, roster, people, RULES, index)
    assert on.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]  # at lunch at 02:00, gone at 07:00, back on the late shift
    # at 01:00 the intraday view has the night worker in since 21:58 the evening before, not late
    look = phones_day(roster, people, RULES, pd.Timestamp("2027-03-02"), pd.Timestamp("2027-03-02 01:00"), clock)
    night_worker = next(w for w in look.people if w.shift == "N")
    assert (night_worker.employee_id, night_worker.status, night_worker.late_minutes()) == ("P00", "in", 0)
    assert look.present(pd.DatetimeIndex(["2027-03-02 01:00"])).tolist() == [1]


def test_the_workbook_shows_a_night_shift_ending_the_next_day(week):
    import io

    import openpyxl

    from shiftcast.exports.workbook import roster_workbook

    people, roster = week
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook(roster, RULES, people, lang="en", detail=True)))
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert any("22:00–06:00(+1)" in t for t in texts)  # the legend
    assert "06:00(+1)" in texts and "14:00" in texts  # the detail sheet's end column
