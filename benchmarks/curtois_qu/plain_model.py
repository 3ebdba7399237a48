"""The baseline: a plain CP-SAT model of an instance, one boolean per employee, day and shift, every hard
constraint stated directly and the benchmark's objective minimised, with no decomposition or search help."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from benchmarks.curtois_qu.instance import Instance
from benchmarks.curtois_qu.score import OFF, Roster


@dataclass
class PlainSolve:
    status: str
    roster: Roster | None  # None when no roster was found in the time
    objective: int | None
    bound: float
    seconds: float


def _no_short_runs(model: cp_model.CpModel, on: list, least: int) -> None:
    """No run of True of length < `least` strictly inside the horizon (runs touching either end are free)."""
    n = len(on)
    for length in range(1, least):
        for start in range(1, n - length):
            # not (off before, on for `length` days, off after)
            model.add_bool_or([on[start - 1]] + [on[d].Not() for d in range(start, start + length)]
                              + [on[start + length]])


def solve_plain(inst: Instance, time_limit_s: float, workers: int = 2) -> PlainSolve:
    """The plain model of `inst` solved for at most `time_limit_s` seconds."""
    started = time.perf_counter()
    m = cp_model.CpModel()
    E, D, S = len(inst.staff), inst.days, len(inst.shifts)
    x = {(e, d, s): m.new_bool_var(f"x{e}_{d}_{s}") for e in range(E) for d in range(D) for s in range(S)}
    works = {}
    for e, emp in enumerate(inst.staff):
        for d in range(D):
            w = works[e, d] = m.new_bool_var(f"w{e}_{d}")
            m.add(sum(x[e, d, s] for s in range(S)) == w)
            if d in emp.days_off:
                m.add(w == 0)
        for a, b in inst.forbidden_successions():
            for d in range(D - 1):
                m.add_bool_or([x[e, d, a].Not(), x[e, d + 1, b].Not()])
        for s, shift in enumerate(inst.shifts):
            if shift.id in emp.max_shifts:
                m.add(sum(x[e, d, s] for d in range(D)) <= emp.max_shifts[shift.id])
        minutes = sum(inst.shifts[s].minutes * x[e, d, s] for d in range(D) for s in range(S))
        m.add(minutes <= emp.max_minutes)
        m.add(minutes >= emp.min_minutes)
        row = [works[e, d] for d in range(D)]
        k = emp.max_consecutive_shifts
        for start in range(D - k):
            m.add(sum(row[start:start + k + 1]) <= k)
        _no_short_runs(m, row, emp.min_consecutive_shifts)
        _no_short_runs(m, [w.Not() for w in row], emp.min_consecutive_days_off)
        weekend = []
        for days in inst.weekends():
            v = m.new_bool_var(f"we{e}_{days[0]}")
            m.add_max_equality(v, [row[d] for d in days])
            weekend.append(v)
        m.add(sum(weekend) <= emp.max_weekends)

    terms = []
    ei, si = inst.employee_index, inst.shift_index
    for q in inst.on_requests:
        terms.append(q.weight * (1 - x[ei[q.employee], q.day, si[q.shift]]))
    for q in inst.off_requests:
        terms.append(q.weight * x[ei[q.employee], q.day, si[q.shift]])
    for c in inst.cover:
        n = sum(x[e, c.day, si[c.shift]] for e in range(E))
        under = m.new_int_var(0, c.requirement, f"under{c.day}_{c.shift}")
        over = m.new_int_var(0, E, f"over{c.day}_{c.shift}")
        m.add(n + under - over == c.requirement)
        terms += [c.under_weight * under, c.over_weight * over]
    m.minimize(sum(terms))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    seconds = time.perf_counter() - started
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlainSolve(name, None, None, solver.best_objective_bound, seconds)
    shift = np.full((E, D), OFF, np.int64)
    for (e, d, s), v in x.items():
        if solver.value(v):
            shift[e, d] = s
    return PlainSolve(name, Roster(inst, shift), int(solver.objective_value), solver.best_objective_bound, seconds)
