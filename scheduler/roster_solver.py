"""Running CP-SAT for the roster: time limits, a reproducible mode, progress reports and cancellation.

Each solve of the roster runs its CP-SAT searches through `run`. Two context settings reach every one of
them without being passed along:

- `stopping(event)`: once the event is set, every search ends within ~0.1 s, keeping its best solution;
- `seeded(seed)`: every search runs on one worker with that random seed and a deterministic time limit,
  and the stage decisions read `elapsed()`, the deterministic time spent, instead of the wall clock, so
  the same inputs give the same roster on any machine under any load.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, NamedTuple

from ortools.sat.python import cp_model

Progress = Callable[[float, float, float], None]


class SolverRun(NamedTuple):
    solver: cp_model.CpSolver
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None, started: float):
        super().__init__()
        self._progress, self._started = progress, started

    def on_solution_callback(self) -> None:
        if self._progress is not None:
            self._progress(self.objective_value, self.best_objective_bound, time.monotonic() - self._started)


@dataclass
class _Clock:
    """Seconds a solve has spent: wall-clock, or with a seed the searches' deterministic time."""

    seed: int | None
    started: float
    spent: float = 0.0

    def elapsed(self) -> float:
        return self.spent if self.seed is not None else time.monotonic() - self.started


_CLOCK: ContextVar[_Clock | None] = ContextVar("roster_clock", default=None)
# Set by `stopping` for its own thread (see the module docstring).
STOP: ContextVar[threading.Event | None] = ContextVar("roster_stop", default=None)


@contextmanager
def seeded(seed: int | None):
    """A solve's clock for the block: wall-clock without a seed, deterministic with one."""
    token = _CLOCK.set(_Clock(seed, time.monotonic()))
    try:
        yield
    finally:
        _CLOCK.reset(token)


def spend(seconds: float) -> None:
    """Count `seconds` of work outside CP-SAT on a seeded solve's deterministic clock (the wall clock of an
    unseeded one sees it already)."""
    clock = _CLOCK.get()
    if clock is not None and clock.seed is not None:
        clock.spent += seconds


def elapsed() -> float:
    """Seconds the solve in this context has spent (deterministic with a seed); outside a solve, the wall
    clock (time.monotonic), so differences of it are seconds all the same."""
    clock = _CLOCK.get()
    return clock.elapsed() if clock is not None else time.monotonic()


def run(model: cp_model.CpModel, time_limit_s: float, workers: int = 2, progress: Progress | None = None,
        started: float | None = None, presolve: bool = True, linearization: int = 1, gap: float = 0.0) -> SolverRun:
    """Solve `model` within the time limit; `progress(objective, bound, seconds since started)` per solution."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    limit = max(0.05, float(time_limit_s))
    clock = _CLOCK.get()
    if clock is not None and clock.seed is not None:
        params.num_workers = 1
        params.random_seed = clock.seed
        params.max_deterministic_time = limit
    else:
        params.num_workers = workers
        params.max_time_in_seconds = limit
    params.relative_gap_limit = gap
    params.cp_model_presolve = presolve
    params.linearization_level = linearization
    if stopped():
        params.max_time_in_seconds = 0.0
    with _stopping(solver, STOP.get()):
        status = solver.solve(model, _Reporter(progress, started or time.monotonic()))
    if clock is not None:
        clock.spent += solver.deterministic_time
    return SolverRun(solver, solver.status_name(status))


@contextmanager
def _stopping(solver: cp_model.CpSolver, stop: threading.Event | None):
    """While the solve runs, a watcher ends it once `stop` is set: a solution callback may not come for
    seconds (a search proving its bound), and CP-SAT swallows what a callback raises."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop.is_set():
                solver.stop_search()

    watcher = threading.Thread(target=watch, name="cp-sat-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


@contextmanager
def stopping(stop: threading.Event | None):
    """Every roster solve in the block (in this thread) stops once `stop` is set; None keeps the enclosing
    block's event, so a search made of many solves (the headcount's) is stopped by one event."""
    if stop is None:
        yield
        return
    token = STOP.set(stop)
    try:
        yield
    finally:
        STOP.reset(token)


def stopped() -> bool:
    """Whether the solve running in this context was asked to stop (its STOP event is set)."""
    stop = STOP.get()
    return stop is not None and stop.is_set()


class Stopped(RuntimeError):
    """The solve was asked to stop before it had any roster to give."""


def check_stopped() -> None:
    """Raise Stopped if the solve was asked to stop: building the models of a large staff takes seconds to
    minutes outside CP-SAT, where only these checks see the stop. Inside `finishing` it does not raise."""
    if stopped() and not _FINISHING.get():
        raise Stopped("the roster solve was stopped before it found a roster")


_FINISHING: ContextVar[bool] = ContextVar("roster_finishing", default=False)


@contextmanager
def finishing():
    """In the block a stop still ends every CP-SAT search at once, but check_stopped does not raise: what the
    block builds is the roster a stopped solve gives back."""
    token = _FINISHING.set(True)
    try:
        yield
    finally:
        _FINISHING.reset(token)
