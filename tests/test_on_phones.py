"""Who is on the phones at a time of day: the roster checked against the clock so far (scheduler.on_phones)."""
from __future__ import annotations

import pandas as pd
import pytest

from core.errors import DataError
from core.rules import Rules
from scheduler.on_phones import EXPECTED, IN, LATE, LEFT, NOT_IN, REST_DAY_IN, phones_day, rostered_on_phones

DAY = pd.Timestamp("2026-12-15")
RULES = Rules()  # early 08:00–17:00, late 10:00–18:00, 5 minutes' grace


def _staff(*ids: str, supervisor: str | None = None) -> pd.DataFrame:
    rows = [(e, f"name {e}", "agent") for e in ids] + ([(supervisor, "boss", "supervisor")] if supervisor else [])
    return pd.DataFrame(rows, columns=["employee_id", "name", "role"])


def _roster(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame([(e, DAY, shift, lunch) for e, shift, lunch in rows],
                        columns=["employee_id", "date", "shift", "lunch_start"])


def _clock(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([(e, pd.Timestamp(f"2026-12-15 {t}"), kind) for e, t, kind in rows],
                        columns=["employee_id", "time", "kind"])


ROSTER = _roster([("A", "E", "12:00"), ("B", "E", "12:00"), ("C", "E", "11:00"), ("D", "L", "13:00"),
                  ("F", "L", "13:00"), ("R", "OFF", None), ("S", "E", "12:00"), ("V", "LEAVE", None)])
STAFF = _staff("A", "B", "C", "D", "F", "R", "V", supervisor="S")


def test_the_clock_by_the_time_says_who_is_there_and_who_is_missing():
    clock = _clock([("A", "07:50:00", "in"), ("B", "08:40:00", "in"), ("C", "07:55:00", "in"),
                    ("C", "10:10:00", "out"), ("R", "07:58:00", "in"), ("D", "09:55:00", "in"),
                    # punched after the look: not yet known
                    ("F", "10:20:00", "in"), ("A", "17:02:00", "out")])
    day = phones_day(ROSTER, STAFF, RULES, DAY, DAY + pd.Timedelta("10:15:00"), clock)
    status = {w.employee_id: w.status for w in day.people}
    # the supervisor takes no calls, leave is no shift; F's late shift started 15 minutes ago, beyond the grace
    assert status == {"A": IN, "B": LATE, "C": LEFT, "D": IN, "F": NOT_IN, "R": REST_DAY_IN}
    late = next(w for w in day.people if w.employee_id == "B")
    assert late.late_minutes() == 40
    index = pd.DatetimeIndex([DAY + pd.Timedelta(t) for t in ("10:15:00", "11:00:00", "12:00:00", "17:00:00")])
    # rostered on the phones: A B C (E) and D F (L); at 11:00 C lunches, at 12:00 A and B do; at 17:00 only L
    assert rostered_on_phones(ROSTER, STAFF, RULES, index).tolist() == [5, 4, 3, 2]
    # there: A B D and R (working the early shift, lunch mid-window 12:00); C left, F not in
    assert day.present(index).tolist() == [4, 4, 1, 1]
    rest_day = next(w for w in day.people if w.employee_id == "R")
    assert (rest_day.shift, rest_day.rostered) == ("E", False)


def test_within_the_grace_or_before_the_shift_a_person_is_still_expected():
    only_the_supervisor = _clock([("S", "07:45:00", "in")])  # the day's clock runs; no agent has punched yet
    day = phones_day(ROSTER, STAFF, RULES, DAY, DAY + pd.Timedelta("08:05:00"), only_the_supervisor)
    status = {w.employee_id: w.status for w in day.people}
    assert status["A"] == EXPECTED and status["D"] == EXPECTED
    later = phones_day(ROSTER, STAFF, RULES, DAY, DAY + pd.Timedelta("08:15:00"), only_the_supervisor)
    assert {w.employee_id for w in later.with_status(NOT_IN)} == {"A", "B", "C"}


def test_clock_records_without_a_punch_on_the_day_are_not_taken_for_everyone_absent():
    another_day = _clock([("A", "07:50:00", "in")]).assign(time=lambda c: c["time"] - pd.Timedelta(days=1))
    day = phones_day(ROSTER, STAFF, RULES, DAY, DAY + pd.Timedelta("11:30:00"), another_day)
    assert day.clock_empty and not day.clock_given
    assert {w.status for w in day.people} == {EXPECTED}


def test_without_clock_records_everyone_rostered_is_taken_as_there():
    day = phones_day(ROSTER, STAFF, RULES, DAY, DAY + pd.Timedelta("11:30:00"))
    assert not day.clock_given
    assert {w.status for w in day.people} == {EXPECTED}
    index = pd.DatetimeIndex([DAY + pd.Timedelta("11:30:00")])
    assert day.present(index).tolist() == rostered_on_phones(ROSTER, STAFF, RULES, index).tolist() == [4]  # C at lunch


def test_a_roster_naming_someone_not_on_the_staff_list_is_refused_by_name():
    roster = _roster([("A", "E", "12:00"), ("Z9", "E", "12:00")])
    roster.attrs["source"] = "roster.csv"
    with pytest.raises(DataError, match=r"roster\.csv.*Z9 is not on the staff list"):
        phones_day(roster, STAFF, RULES, DAY, DAY + pd.Timedelta("11:30:00"))
