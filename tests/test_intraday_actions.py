"""The ranked intraday actions (scheduler.intraday_actions) on small synthetic days: lunches moved out of the
busy hour, rest-day call-ins, overtime, early release where it is quiet."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from core import times
from core.rules import Rules, minutes_of
from scheduler.intraday_actions import (CallIn, ComeEarly, MoveLunch, Release, StayLate, _by_people, action_lines,
                                       ranked_actions)
from scheduler.on_phones import phones_day
from scheduler.roster import expected_service

DAY = pd.Timestamp("2026-12-15")
RULES = Rules()  # early 08:00–17:00 (lunch 11:00–14:00), late 10:00–18:00 (lunch 12:00–15:00), patience 90 s


def _day(early: int, late: int, *, resting: int = 0, early_lunch: str = "12:00", late_lunch: str = "13:00"):
    ids = [f"A{i:02d}" for i in range(early + late + resting)]
    shifts = ["E"] * early + ["L"] * late + ["OFF"] * resting
    lunches = [early_lunch] * early + [late_lunch] * late + [None] * resting
    roster = pd.DataFrame({"employee_id": ids, "date": DAY, "shift": shifts, "lunch_start": lunches})
    staff = pd.DataFrame({"employee_id": ids, "name": [f"n{i}" for i in ids], "role": "agent"})
    return roster, staff, ids[early + late:]


def _rest(at: str, calls: dict[str, float], base: float) -> pd.DataFrame:
    """Expected calls per interval from `at` to close: `base`, or calls[HH:MM] for the hour starting there."""
    index = pd.date_range(DAY + pd.Timedelta(f"{at}:00"), DAY + pd.Timedelta("17:45:00"), freq="15min")
    minute = times.minute_of_day(index)
    mean = np.full(len(index), base)
    for start, value in calls.items():
        m = minutes_of(start)
        mean[(minute >= m) & (minute < m + 60)] = value
    return pd.DataFrame({"mean": mean, "upper": mean * 1.3, "aht_s": 240.0}, index=index)


def _actions(roster, staff, resting, rest, airing=None, rules=RULES):
    at = rest.index[0]
    phones = phones_day(roster, staff, rules, DAY, at)
    airing = np.zeros(len(rest), bool) if airing is None else airing
    return ranked_actions(phones, rest, airing, resting, set(staff["employee_id"]), rules)


def test_lunches_move_out_of_the_busy_hour_into_hours_with_room_but_not_into_an_airing():
    roster, staff, resting = _day(16, 0)
    rest = _rest("11:30", {"12:00": 40.0, "17:00": 0.0}, 12.0)  # all lunch in the busiest hour
    airing = (rest.index >= DAY + pd.Timedelta("13:00:00")) & (rest.index < DAY + pd.Timedelta("13:30:00"))
    actions = _actions(roster, staff, resting, rest, airing)
    moves = [a for a in actions if isinstance(a, MoveLunch)]
    assert moves, actions
    assert all(a.paid_hours == 0 and a.calls_saved >= 0.5 and a.from_minute == minutes_of("12:00") for a in moves)
    for a in moves:
        # lunch out of 12:00–13:00, inside the early shift's window, clear of the 13:00–13:30 airing
        assert minutes_of("11:30") <= a.to_minute <= minutes_of("13:00") and a.to_minute != a.from_minute
        assert a.to_minute >= minutes_of("13:30") or a.to_minute + 60 <= minutes_of("13:00")
    saved = [a.calls_saved for a in actions if not isinstance(a, Release)]
    assert saved == sorted(saved, reverse=True)
    assert len({a.employee_id for a in actions}) == len(actions)  # each names a different person
    line = action_lines(actions, dict(zip(staff["employee_id"], staff["name"])))[0]
    assert line.startswith(f"1. move the lunch of {moves[0].employee_id} n{moves[0].employee_id} from 12:00–13:00 to ")
    assert "calls saved, no paid hours" in line


def test_a_short_afternoon_calls_in_people_on_their_rest_day_and_asks_for_overtime():
    roster, staff, resting = _day(6, 6, resting=3)
    rest = _rest("11:30", {"14:00": 45.0, "15:00": 45.0, "17:00": 40.0}, 15.0)
    actions = _actions(roster, staff, resting, rest)
    call_ins = [a for a in actions if isinstance(a, CallIn)]
    assert call_ins and {a.employee_id for a in call_ins} <= set(resting)
    for a in call_ins:
        assert a.start_minute >= minutes_of("12:30")  # an hour's notice after 11:30
        assert a.paid_hours == 4.0 and a.calls_saved >= 4.0  # each paid hour saves at least a call
    overtime = [a for a in actions if isinstance(a, StayLate)]
    assert overtime and all(a.shift_end_minute == minutes_of("17:00") and a.end_minute <= minutes_of("18:00")
                            for a in overtime)
    assert all(a.calls_saved >= a.paid_hours for a in overtime)
    assert not any(isinstance(a, Release) for a in actions)  # a day needing hours added sends no one home


def test_coming_early_is_offered_to_a_late_shift_not_yet_started():
    roster, staff, resting = _day(2, 6)
    rest = _rest("08:00", {"09:00": 30.0}, 6.0)
    actions = _actions(roster, staff, resting, rest)
    early = [a for a in actions if isinstance(a, ComeEarly)]
    assert early, actions
    assert all(a.shift_start_minute == minutes_of("10:00") and a.start_minute >= minutes_of("09:00") for a in early)


def test_a_quiet_afternoon_releases_agents_after_the_last_airing_only():
    roster, staff, resting = _day(10, 10)
    rest = _rest("11:30", {}, 8.0)
    airing = rest.index == DAY + pd.Timedelta("14:00:00")
    actions = _actions(roster, staff, resting, rest, airing)
    assert actions and all(isinstance(a, Release) for a in actions)
    for a in actions:
        assert a.start_minute >= minutes_of("14:15") and a.paid_hours < 0
        assert a.calls_saved > -1.0  # fewer calls lost than the hour is worth
    line = action_lines(actions)[0]
    assert line.startswith(f"1. release {actions[0].employee_id} early at ") and "paid hours saved" in line


def test_without_the_callers_patience_no_action_is_priced():
    roster, staff, resting = _day(4, 4, resting=2)
    rules = replace(RULES, service=replace(RULES.service, patience_s=None))
    assert _actions(roster, staff, resting, _rest("11:30", {"14:00": 60.0}, 20.0), rules=rules) == []


def test_a_person_is_priced_as_the_views_whole_agents_where_they_are_whole_and_between_them_elsewhere():
    rest = _rest("11:30", {"12:00": 40.0}, 12.0)
    calls, aht = rest["mean"].to_numpy(float), rest["aht_s"].to_numpy(float)
    lost = calls[:, None] * _by_people(calls, aht, 20, "abandon_rate", RULES)
    view = {people: (expected_service(pd.DataFrame({"calls": rest["mean"], "aht_s": rest["aht_s"]}),
                                      pd.Series(float(people), index=rest.index), RULES)["abandon_rate"] * rest["mean"]
                     ).to_numpy() for people in range(21)}
    for people in (10, 20):  # 7 and 14 agents at 30 % shrinkage: the floor and the mix agree
        assert np.allclose(lost[:, people], view[people])
    # 11 people are 7.7 agents: between the view's 7 and 8 agents (the view itself counts 7, as for 10)
    eight = view[12]  # floor(12 x 0.7) = 8
    assert np.allclose(view[11], view[10])
    assert ((lost[:, 11] <= view[10] + 1e-9) & (lost[:, 11] >= eight - 1e-9)).all()
    assert (lost[:, 11] < view[10]).any()
