"""Rest days of many interchangeable people as one flow through day-by-day states.

People with the same rules (same weekly rest bounds, no leave, same start streak) differ only in
which rest pattern they get. A person's month is a path through states (day, work days in a row,
rest days so far this week): rest resets the streak, work adds one (never beyond the maximum), and
each week must end with its rest days within bounds. A flow of n units through these states is
exactly n such months (an integral flow splits into paths), so counting rest days per day on the
flow is as exact as one variable per person, and far smaller and stronger for CP-SAT.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster_problem import RosterProblem

REST_ARC, WORK_ARC = 1, 0


@dataclass
class FlowGroup:
    members: list[int]
    arcs: dict  # (day, streak, count, action) -> IntVar: people in that state taking that action
    step: dict  # ((day, streak, count), action) -> next state
    start: tuple
    rests: list  # per day: linear expression of people resting

    def patterns(self, value, n_days: int) -> list[np.ndarray]:
        """Split the solved flow into one rest row (n_days bools) per member."""
        left = {k: int(value(v)) for k, v in self.arcs.items()}
        rows = []
        for _ in self.members:
            row = np.zeros(n_days, bool)
            d, s, q = self.start
            for day in range(n_days):
                a = REST_ARC if left.get((day, s, q, REST_ARC), 0) > 0 else WORK_ARC
                left[day, s, q, a] -= 1
                row[day] = a == REST_ARC
                _, s, q = self.step[(day, s, q), a]
            rows.append(row)
        return rows

    def arc_counts(self, rows) -> dict:
        """Flow on each arc when the members rest as `rows` say (for hints); {} if a row breaks a rule."""
        counts: dict = defaultdict(int)
        for row in rows:
            d, s, q = self.start
            for day, resting in enumerate(row):
                a = REST_ARC if resting else WORK_ARC
                if ((day, s, q), a) not in self.step:
                    return {}
                counts[day, s, q, a] += 1
                _, s, q = self.step[(day, s, q), a]
        return dict(counts)


def add_flow_group(model: cp_model.CpModel, p: RosterProblem, members: list[int]) -> FlowGroup:
    """Flow variables for `members` (all with person 0's rules); rests[d] counts them resting on day d."""
    e0 = members[0]
    D, m, n = p.n_days, p.rules.max_consecutive_work_days, len(members)
    week_of = np.zeros(D, np.int64)
    last_of_week = np.zeros(D, bool)
    for w, week in enumerate(p.weeks):
        week_of[list(week.days)] = w
        last_of_week[week.days[-1]] = True
    bounds = p.rest_bounds[e0]
    start = (0, int(p.start_streak[e0]), 0)
    layer = {start}
    arcs, step, into = {}, {}, defaultdict(list)
    rests = [[] for _ in range(D)]
    for d in range(D):
        lo, hi = (int(v) for v in bounds[week_of[d]])
        following = set()
        for (dd, s, q) in layer:
            for a in (REST_ARC, WORK_ARC):
                s2, q2 = (0, q + 1) if a == REST_ARC else (s + 1, q)
                if s2 > m or q2 > hi:
                    continue
                if last_of_week[d]:
                    if q2 < lo:
                        continue
                    q2 = 0
                nxt = (d + 1, s2, q2)
                x = model.new_int_var(0, n, f"flow_e{e0}_d{d}_s{s}_q{q}_a{a}")
                arcs[d, s, q, a] = x
                step[(d, s, q), a] = nxt
                into[nxt].append(x)
                following.add(nxt)
                if a == REST_ARC:
                    rests[d].append(x)
        layer = following
    out_of = defaultdict(list)
    for (d, s, q, a), x in arcs.items():
        out_of[d, s, q].append(x)
    model.add(sum(out_of[start]) == n)
    for node, incoming in into.items():
        if node[0] < D:
            model.add(sum(out_of[node]) == sum(incoming))
    return FlowGroup(members, arcs, step, start, [sum(r) for r in rests])


def flow_signature(p: RosterProblem, e: int) -> tuple | None:
    """People with equal signatures can share a flow; None for anyone who needs their own variables."""
    if p.leave[e].any() or p.max_work_days[e] < p.n_days:
        return None
    return (int(p.class_of[e]), int(p.start_streak[e]), p.rest_bounds[e].tobytes(), p.window_need[e].tobytes())
