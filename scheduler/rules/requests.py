"""Requested rest days and shifts (the leave table's kinds `rest_request` and `shift_request`; weights
`rest_request`, `shift_request`): honoured where they cost little, each one missed costs its weight.
Each one not granted is explained with its reason (RefusedRequest); they are soft, so not conflicts."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.rules import hhmm
from scheduler.conflicts import Conflict, RefusedRequest, shift_name
from scheduler.rules.base import (CountValues, DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term,
                                  day_wish_terms)

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        return [~self.p.rest_request[people, d], self.p.shift_request[people, d] >= 0]


def _missed_terms(m: DayCounts, name: str, weight: int, wanted: dict, granted: dict) -> list[Term]:
    """Day-level terms of requests: of the `wanted[k]` requests of a class on a day at most `granted[k]`
    (the class's people resting) can be granted, so at least the rest are missed. A lower bound of the
    people's own goal, so the aggregate's bound stays one; without it the day-level counts ignore
    requests and the people's stage rarely finds the rest days requested."""
    if not weight:
        return []
    owned, terms = {}, []
    for k, n in wanted.items():
        can = granted.get(k)
        if can is None or isinstance(can, int):
            continue  # fixed counts: nothing to choose
        missed = m.model.new_int_var(0, n, f"{name}_missed_{'_'.join(map(str, k))}")
        m.model.add(missed >= n - can)
        owned[k] = (missed, n)
        terms.append(Term(weight, missed))
    m.owned[name] = owned
    return terms


def _hint_missed(m: DayCounts, name: str, granted: dict) -> None:
    for k, (missed, n) in m.owned.get(name, {}).items():
        m.model.add_hint(missed, max(n - int(granted.get(k, 0)), 0))


def _wanted_rest(p: RosterProblem) -> dict:
    """(class, day) -> rest requests of its people not on leave that day."""
    wish = p.rest_request & ~p.leave
    out = {}
    for c in range(len(p.classes)):
        counts = wish[p.members(c)].sum(axis=0)
        out.update({(c, int(d)): int(counts[d]) for d in np.flatnonzero(counts)})
    return out


def _on_phone(p: RosterProblem, s: int, l: int) -> np.ndarray:
    """(T,) one person's intervals on the phones working shift s with lunch from interval l (-1 none)."""
    out = p.cover[s].astype(np.int64).copy()
    if l >= 0:
        out[l:l + int(p.lunch_len[s])] -= 1
    return out


def _staffed(r: RosterDays) -> np.ndarray:
    """(D, T) people on the phones (as scheduler.roster_search measures it, which the rules may not import)."""
    p = r.problem
    staffed = np.zeros((p.n_days, p.n_intervals), np.int64)
    for e, d in zip(*np.nonzero((r.shift >= 0) & p.on_phone[:, None])):
        staffed[d] += _on_phone(p, int(r.shift[e, d]), int(r.lunch[e, d]))
    return staffed


def _rule_costs(r: RosterDays) -> int:
    from scheduler.rules import ROSTER_RULES  # imported here: the package imports this module
    return sum(rule.cost(r) for rule in ROSTER_RULES)


def _objective_change(r: RosterDays, staffed: np.ndarray, moves: list[tuple[int, int, int, int]],
                      base: int) -> int:
    """How much the roster's objective rises when person e takes shift s with lunch l on day d, for each
    (e, d, s, l) of `moves` (s -1 for a rest day): coverage and every rule's part (`base` on `r`), measured."""
    p = r.problem
    shift, lunch, after = r.shift.copy(), r.lunch.copy(), staffed.copy()
    for e, d, s, l in moves:
        if p.on_phone[e]:
            if shift[e, d] >= 0:
                after[d] -= _on_phone(p, int(shift[e, d]), int(lunch[e, d]))
            if s >= 0:
                after[d] += _on_phone(p, s, l)
        shift[e, d], lunch[e, d] = s, l
    moved = RosterDays(p, shift, lunch)
    coverage = int(p.coverage_cost(after).sum() - p.coverage_cost(staffed).sum())
    return coverage + _rule_costs(moved) - base


def _clock(p: RosterProblem, t: int) -> str:
    """'14:00': the start of the day's interval t."""
    return hhmm(p.rules.open_minute + t * p.rules.interval_minutes)


def _short_without(p: RosterProblem, staffed: np.ndarray, d: int, s: int) -> str | None:
    """'3 below the requirement at 14:00' when one person fewer on shift s of day d leaves it short."""
    after = staffed[d] - p.cover[s].astype(np.int64) - p.required[d]
    if after.min() >= 0:
        return None
    t = int(np.argmin(after))
    return f"{-int(after[t])} below the requirement at {_clock(p, t)}"


def _day(p: RosterProblem, d: int) -> str:
    return p.days[d].date().isoformat()


def _costs(move: str, change: int, w: int) -> str:
    """`change`: the objective's change on `move`, the request's own weight `w` already taken off."""
    if change <= 0:
        # a single move the search did not make; said as it is
        return f"not found by the search: {move} alone would change the objective by {change}"
    return f"{move} costs {change + w} in the objective, more than the request's weight {w}"


def _rest_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    """Why person e works on day d they asked to rest: the rule it would break, or the coverage it
    would leave short and what it costs, from moving one of their rest days there (or adding one)."""
    from scheduler.rules import ROSTER_RULES  # imported here: the package imports this module
    p = r.problem
    s, l = int(r.shift[e, d]), int(r.lunch[e, d])
    w = p.rules.weights.rest_request
    week = next(k for k in p.weeks if d in k.days)
    others = [o for o in week.days if r.rest[e, o]]
    best, broken = None, []
    for o in others + [None]:
        row = r.rest[e].copy()
        row[d] = True
        if o is not None:
            row[o] = False
        failing = [rule.name for rule in ROSTER_RULES if not rule.holds(p, e, row)]
        if failing:
            broken.append((o, failing))
            continue
        moves = [(e, d, -1, -1)] + ([(e, o, s, l)] if o is not None else [])
        cost = _objective_change(r, staffed, moves, base)
        if best is None or cost < best[1]:
            best = (o, cost)
    if best is None:
        o, failing = broken[0]
        instead = f", with their rest day that week on {_day(p, o)}" if o is not None and o in week.days else ""
        return f"it would break the rule of {failing[0]}{instead}"
    o, cost = best
    short = _short_without(p, staffed, d, s) if p.on_phone[e] else None
    moved = f"resting then instead of on {_day(p, o)}" if o is not None else "one more rest day"
    if cost <= 0:
        return _costs(moved, cost, w)
    if short:
        return f"the day is short of agents without them: {short}; {_costs(moved, cost, w)}"
    return f"outweighed by coverage: {_costs(moved, cost, w)}"


def _shift_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    p = r.problem
    want, got = int(p.shift_request[e, d]), int(r.shift[e, d])
    w = p.rules.weights.shift_request
    if got < 0:
        return "it is their rest day that week"
    if p.leader[e]:
        same = int((p.leader & (r.shift[:, d] == got)).sum())
        if same <= p.rules.leaders_per_shift:
            return f"{shift_name(p, got)} would be left without a leader"
    short = _short_without(p, staffed, d, got) if p.on_phone[e] else None
    slots = p.lunch_slots[want]
    cost = _objective_change(r, staffed, [(e, d, want, slots[len(slots) // 2] if slots else -1)], base)
    if cost <= 0:
        return _costs("the change", cost, w)
    if short:
        return f"{shift_name(p, got)} is short of agents without them: {short}; {_costs('the change', cost, w)}"
    return f"outweighed by coverage: {_costs('the change', cost, w)}"


def requests_made(p: RosterProblem) -> dict[str, int]:
    """Rest and shift requests on days not on leave, by the leave table's kind."""
    return {"rest_request": int((p.rest_request & ~p.leave).sum()),
            "shift_request": int(((p.shift_request >= 0) & ~p.leave).sum())}


class RestRequests(RosterRule):
    name = "requested rest days"
    keys = ("weights.rest_request",)
    hard = False
    greedy_order = 0
    objective_key = "rest_requests"

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        return _missed_terms(m, self.name, p.rules.weights.rest_request, _wanted_rest(p), m.resting)

    def hint(self, m: DayCounts, values: CountValues) -> None:
        _hint_missed(m, self.name, values.resting)

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.rest_request, rest=p.rest_request)

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        return int(p.rules.weights.rest_request * (p.rest_request & ~r.rest & ~p.leave).sum())

    def explain(self, r: RosterDays) -> list[Conflict]:
        """One entry per rest day requested and not granted, with the reason."""
        p = r.problem
        missed = p.rest_request & ~r.rest & ~p.leave
        if not missed.any():
            return []
        staffed, base = _staffed(r), _rule_costs(r)
        out = []
        for e, d in zip(*(a.tolist() for a in np.nonzero(missed))):
            reason = _rest_reason(r, staffed, base, e, d)
            out.append(RefusedRequest(
                self.name, _day(p, d), (p.ids[e],),
                f"{p.ids[e]} asked to rest on {_day(p, d)} and works {shift_name(p, int(r.shift[e, d]))}: {reason}.",
                "rest_request", "rest", reason))
        return out


class ShiftRequests(RosterRule):
    name = "requested shifts"
    keys = ("weights.shift_request",)
    hard = False
    objective_key = "shift_requests"

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.shift_request, work=p.shift_request >= 0)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        wish = p.shift_request >= 0
        return int(p.rules.weights.shift_request * (wish & (r.shift != p.shift_request) & ~p.leave).sum())

    def explain(self, r: RosterDays) -> list[Conflict]:
        """One entry per shift requested and not granted, with the reason."""
        p = r.problem
        missed = (p.shift_request >= 0) & (r.shift != p.shift_request) & ~p.leave
        if not missed.any():
            return []
        staffed, base = _staffed(r), _rule_costs(r)
        out = []
        for e, d in zip(*(a.tolist() for a in np.nonzero(missed))):
            got = int(r.shift[e, d])
            now = shift_name(p, got) if got >= 0 else "a rest day"
            reason = _shift_reason(r, staffed, base, e, d)
            want = int(p.shift_request[e, d])
            out.append(RefusedRequest(
                self.name, _day(p, d), (p.ids[e],),
                f"{p.ids[e]} asked for {shift_name(p, want)} on {_day(p, d)} and has {now}: {reason}.",
                "shift_request", p.shift_codes[want], reason))
        return out


REST = RestRequests()
SHIFT = ShiftRequests()
