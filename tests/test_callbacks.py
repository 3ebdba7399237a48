"""Callbacks (scheduler.callbacks and the rules' [callbacks]) on small days worked out by hand."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.periods import open_intervals
from core.rules import DEFAULT_RULES, Callbacks, rules_from_toml, rules_to_toml
from scheduler.callbacks import callback_work
from scheduler.rules.lunch_airings import airing_intervals

DAY = "2026-12-07"
# 300 s a callback, everyone reached: an interval of 4 agents on the phones (occupancy cap 0.85) carrying
# 2 erlangs of inbound calls has (4 × 0.85 − 2) × 900 / 300 = 4.2 callbacks of room; one more agent 2.55.
RULES = replace(DEFAULT_RULES, callbacks=Callbacks(share_reached=1.0, handle_s=300.0))
ROOM = 4.2


def _day(lost: dict[str, float], rules=RULES, airing: tuple[str, ...] = (), add_agents: bool = False):
    index = open_intervals(pd.DatetimeIndex([DAY]), rules)
    abandoned = pd.Series(0.0, index=index)
    for at, n in lost.items():
        abandoned[pd.Timestamp(f"{DAY} {at}")] = n
    aired = index.isin([pd.Timestamp(f"{DAY} {at}") for at in airing])
    return callback_work(abandoned, pd.Series(4.0, index=index), pd.Series(2.0, index=index), aired, rules,
                         add_agents=add_agents)


def _at(work, at: str) -> pd.Series:
    return work.table.loc[pd.Timestamp(f"{DAY} {at}")]


def test_a_peaks_lost_calls_are_worked_in_the_room_of_the_intervals_after_it_never_during_an_airing():
    work = _day({"10:00": 10}, airing=("10:15",))
    assert _at(work, "10:00")["created"] == 10 and _at(work, "10:00")["worked"] == 0  # worked from the next interval
    assert _at(work, "10:15")["worked"] == 0 and _at(work, "10:15")["room"] == 0  # an airing: everyone takes calls
    assert _at(work, "10:30")["worked"] == pytest.approx(ROOM)
    assert _at(work, "10:45")["worked"] == pytest.approx(ROOM)
    assert _at(work, "11:00")["worked"] == pytest.approx(10 - 2 * ROOM)
    assert _at(work, "10:30")["waiting"] == pytest.approx(10 - ROOM)
    assert work.waiting_at(pd.Timestamp(f"{DAY} 10:45")) == pytest.approx(10 - ROOM)
    totals = work.totals()
    assert (totals.created, totals.missed, totals.open) == (10, 0, 0)
    assert totals.done_in_time == pytest.approx(10)
    assert _at(work, "10:00")["done_in_time"] == pytest.approx(10)  # credited to the interval they were lost in
    assert work.table["extra_agents"].sum() == 0


def test_callbacks_without_room_before_their_deadline_are_missed():
    within_half_hour = replace(RULES, callbacks=replace(RULES.callbacks, deadline_hours=0.5))
    work = _day({"10:00": 6}, rules=within_half_hour, airing=("10:15", "10:30"))
    assert work.totals().missed == 6 and work.totals().done_in_time == 0
    assert _at(work, "10:30")["missed"] == 0 and _at(work, "10:00")["missed"] == 6
    # By closing time: the last interval's room, and nothing after it.
    late = _day({"17:30": 10})
    assert _at(late, "17:45")["worked"] == pytest.approx(ROOM)
    assert late.totals().missed == pytest.approx(10 - ROOM)
    # Lost in the last interval: no interval is left to call them back.
    assert _day({"17:45": 3}).totals().missed == 3


def test_a_deadline_of_hours_reaches_into_the_next_morning_and_leaves_later_ones_open():
    rules = replace(RULES, callbacks=replace(RULES.callbacks, deadline_hours=24.0))
    index = open_intervals(pd.DatetimeIndex([DAY, "2026-12-08"]), rules)
    abandoned = pd.Series(0.0, index=index)
    abandoned[pd.Timestamp(f"{DAY} 17:45")] = 3
    work = callback_work(abandoned, pd.Series(4.0, index=index), pd.Series(2.0, index=index),
                         np.zeros(len(index), bool), rules)
    assert work.table.loc[pd.Timestamp("2026-12-08 08:00"), "worked"] == pytest.approx(3)  # first thing
    assert work.per_day().loc[pd.Timestamp(DAY), "done_in_time"] == pytest.approx(3)
    # Without room: the first day's are missed at the second day's close, their deadline; those lost on the
    # second day are due after the table ends: open there, not missed.
    abandoned[pd.Timestamp("2026-12-08 17:30")] = 2
    later = callback_work(abandoned, pd.Series(0.0, index=index), pd.Series(0.0, index=index),
                          np.zeros(len(index), bool), rules)
    assert (later.totals().missed, later.totals().open) == (3, 2)
    assert later.per_day()[["missed", "open"]].values.tolist() == [[3, 0], [0, 2]]


def test_sizing_a_plan_adds_agents_where_the_room_before_the_deadline_is_too_small():
    within_an_hour = replace(RULES, callbacks=replace(RULES.callbacks, deadline_hours=1.0))
    # Lost at 10:00 (deadline 11:15): 10:15, 10:30, 10:45 and 11:00 hold 4 × 4.2 = 16.8 of the 30; the other 13.2
    # are 5.18 agents' work, so 5 agents at 10:15, and the 0.45 left (less than half an agent's) are missed.
    work = _day({"10:00": 30}, rules=within_an_hour, add_agents=True)
    assert _at(work, "10:15")["extra_agents"] == 5 and work.table["extra_agents"].sum() == 5
    assert _at(work, "10:15")["worked"] == pytest.approx(ROOM + 5 * 2.55)
    assert work.totals().missed == pytest.approx(30 - 4 * ROOM - 5 * 2.55)
    # Nothing to add while the room holds them all.
    assert _day({"10:00": 10}, add_agents=True).table["extra_agents"].sum() == 0


def test_only_the_callers_reached_make_work_and_none_when_callbacks_are_off():
    half = replace(RULES, callbacks=replace(RULES.callbacks, share_reached=0.5))
    assert _day({"10:00": 10}, rules=half).totals().created == 5
    off = replace(RULES, callbacks=replace(RULES.callbacks, enabled=False))
    assert _day({"10:00": 10}, rules=off).totals().created == 0
    # The handle time defaults to the service's.
    assert callback_work(pd.Series([1.0]), pd.Series([1.0]), pd.Series([0.0]), np.array([False]),
                         DEFAULT_RULES).handle_s == DEFAULT_RULES.service.aht_s


def test_airings_are_the_intervals_the_roster_keeps_for_them():
    index = open_intervals(pd.DatetimeIndex([DAY]), RULES)
    ads = pd.DataFrame({"start": [pd.Timestamp(f"{DAY} 10:05")], "duration_s": [120], "channel": ["A"],
                        "product": ["x"]})
    aired = index[airing_intervals(ads, index, RULES)]
    # 10:05 + the 30-minute response window: 10:00, 10:15 and 10:30.
    assert list(aired.strftime("%H:%M")) == ["10:00", "10:15", "10:30"]


def test_the_callbacks_rules_read_back_and_bad_values_are_named():
    rules = rules_from_toml(b"[callbacks]\nshare_reached = 0.5\ndeadline_hours = 4\nhandle_s = 180\n")
    assert rules.callbacks == Callbacks(enabled=True, share_reached=0.5, deadline_hours=4.0, handle_s=180.0)
    assert rules_from_toml(rules_to_toml(rules).encode()) == rules
    assert DEFAULT_RULES.callbacks.enabled and DEFAULT_RULES.callbacks.deadline_hours is None
    bad = {
        b"[callbacks]\nshare_reached = 1.5\n": ("share_reached", "callbacks.share_reached must be > 0 and ≤ 1, got 1.5"),
        b"[callbacks]\nshare_reached = 0\n": ("share_reached", "callbacks.share_reached must be > 0"),
        b"[callbacks]\ndeadline_hours = 0.1\n": ("deadline_hours", "whole number of the 15-minute intervals"),
        b"[callbacks]\ndeadline_hours = -2\n": ("deadline_hours", "callbacks.deadline_hours must be > 0"),
        b"[callbacks]\nhandle_s = 0\n": ("handle_s", "callbacks.handle_s must be > 0"),
        b"[callbacks]\nenabled = \"yes\"\n": ("enabled", "callbacks.enabled must be true or false"),
        b"[callbacks]\ndeadline = 4\n": ("deadline", "unknown key 'deadline' in [callbacks]"),
        b"callbacks = 1\n": (None, "[callbacks] must be a table"),
    }
    for text, (column, words) in bad.items():
        with pytest.raises(DataError) as caught:
            rules_from_toml(text, source="rules.toml")
        assert words in str(caught.value) and "rules.toml" in str(caught.value), text
        assert caught.value.column == column, text
