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


def test_a_solve_stopped_after_its_first_roster_returns_its_best_roster_at_once_marked_cancelled():
    month = synthetic_month(60, seed=3)  # unhindered: ~25 s at this time limit, the aggregate alone ~16 s
    stop = threading.Event()
    reports = []

    def progress(objective: float, bound: float, seconds: float) -> None:
        reports.append(objective)
        if objective > min(reports):  # a roster made from the aggregate's counts costs more than they do
            stop.set()

    started = time.monotonic()
    roster = solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                   time_limit_s=60, progress=progress, stop=stop)
    took = time.monotonic() - started
    assert stop.is_set() and roster.status == "CANCELLED" and took < 40, took
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


def test_a_stop_while_the_rules_add_their_part_of_the_first_model_ends_the_solve_before_its_search(monkeypatch):
    """A cancel of a large staff's roster lands while its first model is built (seconds to minutes outside
    CP-SAT): the rules' parts see it (the weekend-rest fairness rule's reach of every person, say) and the
    solve ends there, before any search of that model starts."""
    import scheduler.roster_model as rm

    searches = []
    run, day_level = rm.run, rm.day_level
    stop = threading.Event()

    def rules_added_while_stopped(m):
        stop.set()  # the cancel comes as the rules add their day-level parts
        return day_level(m)

    monkeypatch.setattr(rm, "run", lambda *a, **k: searches.append(a) or run(*a, **k))
    monkeypatch.setattr(rm, "day_level", rules_added_while_stopped)
    month = synthetic_month(300, seed=2)
    with pytest.raises(Stopped, match="stopped before it found a roster"):
        solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads, time_limit_s=600,
              stop=stop)
    assert stop.is_set() and searches == []
