"""Stopping a roster solve from another thread (a cancelled job): CP-SAT stops, the best so far comes back."""
from __future__ import annotations

import threading
import time

import pytest

from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_solver import Stopped, stopping
from scheduler.roster_synthetic import synthetic_month
from core.rules import DEFAULT_RULES


def test_a_stopped_solve_returns_its_best_roster_at_once_marked_cancelled():
    month = synthetic_month(60, seed=3)  # unhindered: ~25 s at this time limit, the aggregate alone ~16 s
    stop = threading.Event()
    timer = threading.Timer(2.0, stop.set)  # mid-search, while CP-SAT may find nothing new for seconds
    started = time.monotonic()
    timer.start()
    roster = solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                   time_limit_s=60, stop=stop)
    took = time.monotonic() - started
    timer.cancel()
    assert roster.status == "CANCELLED" and took < 10, took
    assert len(roster.assignments) == 60 * 31  # a whole roster all the same, every hard rule kept
    assert roster_violations(roster.assignments, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads) == []


def test_a_solve_stopped_before_it_has_a_roster_says_so_without_building_its_models(monkeypatch):
    """A stop that comes while the models are built (seconds to minutes for a large staff, outside CP-SAT)
    ends the solve there: no roster exists yet to keep, and none is built just to be thrown away."""
    import scheduler.roster_model as rm

    built = []
    monkeypatch.setattr(rm, "day_level", lambda m: built.append(m))
    month = synthetic_month(12, days=7, seed=1)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped, match="stopped before it found a roster"):
        solve(month.requirement, month.staff, DEFAULT_RULES, time_limit_s=30, stop=stop)
    assert built == []


def test_a_solve_inside_a_stopping_block_stops_without_its_own_event():
    """What a headcount search relies on: one event stops every roster solve in the block."""
    month = synthetic_month(12, days=7, seed=1)
    stop = threading.Event()
    stop.set()
    with stopping(stop), pytest.raises(Stopped):
        solve(month.requirement, month.staff, DEFAULT_RULES, time_limit_s=30)
    assert solve(month.requirement, month.staff, DEFAULT_RULES, time_limit_s=30).status != "CANCELLED"
