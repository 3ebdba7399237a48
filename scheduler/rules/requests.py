"""Wishes: rest days and shifts wished or refused (the leave table's kinds `rest_request`, `work_request`,
`shift_request` and `shift_refusal`; the row's `weight`, else the rules' weight of the kind): honoured where
they cost less than their weight, each one missed costs it. Each one not granted is explained with what made
it lose (RefusedRequest): the rule it would break, or the interval left short and the cost; they are soft, so
not conflicts."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from core.rules import MINUTES_A_DAY, hhmm
from scheduler.conflicts import Conflict, RefusedRequest, shift_name
from scheduler.roster_problem import two_days
from scheduler.rules.base import CountValues, DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term
from scheduler.rules.leader_per_shift import leader_needed

if TYPE_CHECKING:
    from collections.abc import Callable

    from scheduler.roster_problem import RosterProblem, Week


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        # wished rest first, refused rest last
        return [~self.p.rest_request[people, d], self.p.work_request[people, d], self.p.shift_request[people, d] >= 0]


class _Wanted(NamedTuple):
    """A class's wishes of one kind on one day: how many, and the least weight among them."""

    count: int
    weight: int


def _missed_terms(m: DayCounts, name: str, wanted: dict[tuple[int, int], _Wanted], can: dict) -> list[Term]:
    """Day-level terms of wishes: of the `wanted[k]` wishes of a class on a day at most `can[k]` (an
    expression of the counts) can be granted, so at least the rest are missed, each costing at least the
    least weight among them. A lower bound of the people's own goal, so the aggregate's bound stays one;
    without it the day-level counts ignore wishes and the people's stage rarely finds the days wished."""
    owned, terms = {}, []
    for k, want in wanted.items():
        granted = can.get(k)
        if granted is None or isinstance(granted, int):
            continue  # fixed counts: nothing to choose
        missed = m.model.new_int_var(0, want.count, f"{name}_missed_{'_'.join(map(str, k))}")
        m.model.add(missed >= want.count - granted)
        owned[k] = (missed, want.count)
        terms.append(Term(want.weight, missed))
    m.owned[name] = owned
    return terms


def _hint_missed(m: DayCounts, name: str, can: dict) -> None:
    for k, (missed, n) in m.owned.get(name, {}).items():
        m.model.add_hint(missed, min(max(n - int(can.get(k, 0)), 0), n))


def _wanted(p: RosterProblem, wish: np.ndarray) -> dict[tuple[int, int], _Wanted]:
    """(class, day) -> the wishes `wish` ((E, D) bool) of its people not on leave that day."""
    wish = wish & ~p.leave
    out = {}
    for c in range(len(p.classes)):
        people = p.members(c)
        counts = wish[people].sum(axis=0)
        for d in np.flatnonzero(counts).tolist():
            out[(c, d)] = _Wanted(int(counts[d]), int(p.wish_weight[people, d][wish[people, d]].min()))
    return out


def _can_work(p: RosterProblem, wanted: dict[tuple[int, int], _Wanted], resting: dict) -> dict:
    """(class, day) -> how many of the class's work wishes can be granted with `resting` of its people resting
    (expressions or values): all but those resting beyond the people who did not wish to work."""
    out = {}
    for (c, d), want in wanted.items():
        if (c, d) not in resting:
            continue
        free = int((~p.leave[p.members(c), d]).sum()) - want.count
        out[(c, d)] = want.count + free - resting[(c, d)]
    return out


def _weighted_day_terms(m: PersonDays, rest: np.ndarray | None = None, work: np.ndarray | None = None) -> list[Term]:
    """Person-stage goals of single days, each at its wish's own weight (RosterProblem.wish_weight): a day
    of `m` that works where (E, D) `rest` wishes rest, or rests where `work` wishes work."""
    if not m.goals:
        return []
    w = m.problem.wish_weight
    terms = []
    for (e, d), x in m.rest.items():
        if rest is not None and rest[e, d] and w[e, d]:
            terms.append(Term(int(w[e, d]), x.Not()))
        if work is not None and work[e, d] and w[e, d]:
            terms.append(Term(int(w[e, d]), x))
    return terms


def _on_phone(p: RosterProblem, s: int, l: int) -> np.ndarray:
    """(2T,) one person's intervals on the phones working shift s with lunch from interval l (-1 none), on
    cover's two-day axis."""
    out = p.cover[s].astype(np.int64).copy()
    if l >= 0:
        out[l:l + int(p.lunch_len[s])] -= 1
    return out


def _staffed(r: RosterDays) -> np.ndarray:
    """(D, T) people on the phones (as scheduler.roster_search measures it, which the rules may not import)."""
    p = r.problem
    wide = np.zeros((p.n_days, 2 * p.n_intervals), np.int64)
    for e, d in zip(*np.nonzero((r.shift >= 0) & p.on_phone[:, None])):
        wide[d] += _on_phone(p, int(r.shift[e, d]), int(r.lunch[e, d]))
    return p.staffed(wide)


def _rule_costs(r: RosterDays) -> int:
    from scheduler.rules import ROSTER_RULES  # imported here: the package imports this module
    return sum(rule.cost(r) for rule in ROSTER_RULES)


def _objective_change(r: RosterDays, staffed: np.ndarray, moves: list[tuple[int, int, int, int]],
                      base: int) -> int:
    """How much the roster's objective rises when person e takes shift s with lunch l on day d, for each
    (e, d, s, l) of `moves` (s -1 for a rest day): coverage and every rule's part (`base` on `r`), measured."""
    p = r.problem
    shift, lunch = r.shift.copy(), r.lunch.copy()
    change = np.zeros((p.n_days, 2 * p.n_intervals), np.int64)
    for e, d, s, l in moves:
        if p.on_phone[e]:
            if shift[e, d] >= 0:
                change[d] -= _on_phone(p, int(shift[e, d]), int(lunch[e, d]))
            if s >= 0:
                change[d] += _on_phone(p, s, l)
        shift[e, d], lunch[e, d] = s, l
    after = staffed + p.fold(change)
    moved = RosterDays(p, shift, lunch)
    coverage = int(p.coverage_cost(after).sum() - p.coverage_cost(staffed).sum())
    return coverage + _rule_costs(moved) - base


def _clock(p: RosterProblem, t: int) -> str:
    """'14:00': the start of the day's interval t (t ≥ T: the next day's, on cover's two-day axis)."""
    return hhmm((p.rules.open_minute + t * p.rules.interval_minutes) % MINUTES_A_DAY)


def _short_without(p: RosterProblem, staffed: np.ndarray, d: int, s: int) -> str | None:
    """'3 below the requirement at 14:00' when one person fewer on shift s of day d leaves it short."""
    covered = np.flatnonzero(p.cover[s])  # the hours they are there: the others they do not change
    if d == p.n_days - 1:
        covered = covered[covered < p.n_intervals]  # after the horizon's last midnight nothing is priced
    after = two_days(staffed)[d, covered] - 1 - two_days(p.required)[d, covered]
    if after.min() >= 0:
        return None
    t = int(covered[np.argmin(after)])
    return f"{-int(after.min())} below the requirement at {_clock(p, t)}"


def _day(p: RosterProblem, d: int) -> str:
    return p.days[d].date().isoformat()


def _costs(move: str, change: int, w: int) -> str:
    """`change`: the objective's change on `move`, the wish's own weight `w` already taken off."""
    if change <= 0:
        # a single move the search did not make; said as it is
        return f"not found by the search: {move} alone would change the objective by {change}"
    return f"{move} costs {change + w} in the objective, more than the wish's weight {w}"


class _Move(NamedTuple):
    other: int | None  # the day of the week turned the other way; None: no other day changes
    cost: int  # the objective's change


def _cheapest_week_move(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int, others: list[int],
                        moves_of: Callable[[int | None], list[list[tuple[int, int, int, int]]]]) -> _Move | str:
    """Person e's day d turned to rest (if a work day) or to work (if a rest day), with one of `others`, their
    days of that week turned the other way, or none: the cheapest that keeps every rule, each priced on the
    move sets `moves_of(other)` lists; where none keeps the rules, the rule the first breaks, in words."""
    from scheduler.rules import ROSTER_RULES  # imported here: the package imports this module
    p = r.problem
    resting = not r.rest[e, d]
    best, broken = None, []
    for o in others + [None]:
        row = r.rest[e].copy()
        row[d] = resting
        if o is not None:
            row[o] = not resting
        failing = [rule.name for rule in ROSTER_RULES if not rule.holds(p, e, row)]
        if failing:
            broken.append((o, failing))
            continue
        for moves in moves_of(o):
            cost = _objective_change(r, staffed, moves, base)
            if best is None or cost < best.cost:
                best = _Move(o, cost)
    if best is None:
        o, failing = broken[0]
        instead = f", with their rest day that week on {_day(p, o)}" if o is not None else ""
        return f"it would break the rule of {failing[0]}{instead}"
    return best


def _week_of(p: RosterProblem, d: int) -> Week:
    return next(k for k in p.weeks if d in k.days)


def _rest_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    """Why person e works on day d they asked to rest: the rule it would break, or the coverage it
    would leave short and what it costs, from moving one of their rest days there (or adding one)."""
    p = r.problem
    s, l = int(r.shift[e, d]), int(r.lunch[e, d])
    w = int(p.wish_weight[e, d])
    others = [o for o in _week_of(p, d).days if r.rest[e, o]]
    best = _cheapest_week_move(r, staffed, base, e, d, others,
                               lambda o: [[(e, d, -1, -1)] + ([(e, o, s, l)] if o is not None else [])])
    if isinstance(best, str):
        return best
    o, cost = best
    short = _short_without(p, staffed, d, s) if p.on_phone[e] else None
    moved = f"resting then instead of on {_day(p, o)}" if o is not None else "one more rest day"
    if cost <= 0:
        return _costs(moved, cost, w)
    if short:
        return f"the day is short of agents without them: {short}; {_costs(moved, cost, w)}"
    return f"outweighed by coverage: {_costs(moved, cost, w)}"


def _middle_lunch(p: RosterProblem, s: int) -> int:
    slots = p.lunch_slots[s]
    return slots[len(slots) // 2] if slots else -1


def _shift_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    p = r.problem
    want, got = int(p.shift_request[e, d]), int(r.shift[e, d])
    w = int(p.wish_weight[e, d])
    if got < 0:
        return "it is their rest day that week"
    if leader_needed(p, r.shift, e, d):
        return f"{shift_name(p, got)} would be left without a leader"
    short = _short_without(p, staffed, d, got) if p.on_phone[e] else None
    cost = _objective_change(r, staffed, [(e, d, want, _middle_lunch(p, want))], base)
    if cost <= 0:
        return _costs("the change", cost, w)
    if short:
        return f"{shift_name(p, got)} is short of agents without them: {short}; {_costs('the change', cost, w)}"
    return f"outweighed by coverage: {_costs('the change', cost, w)}"


def _work_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    """Why person e rests on day d they asked to work: the rule working then would break, or what it costs
    (their rest day moved to another day of the week, or one rest day fewer), with the interval that other
    day would leave short."""
    p = r.problem
    w = int(p.wish_weight[e, d])
    shifts = np.flatnonzero(p.allowed[e]).tolist()
    others = [o for o in _week_of(p, d).days if r.shift[e, o] >= 0]
    best = _cheapest_week_move(r, staffed, base, e, d, others,
                               lambda o: [[(e, d, s, _middle_lunch(p, s))] + ([(e, o, -1, -1)] if o is not None else [])
                                          for s in shifts])
    if isinstance(best, str):
        return best
    o, cost = best
    if o is None:
        return _costs("one rest day fewer", cost, w)
    moved = f"resting on {_day(p, o)} instead"
    short = _short_without(p, staffed, o, int(r.shift[e, o])) if p.on_phone[e] else None
    if cost > 0 and short:
        return f"{_day(p, o)} is short of agents without them: {short}; {_costs(moved, cost, w)}"
    return _costs(moved, cost, w)


def _refusal_reason(r: RosterDays, staffed: np.ndarray, base: int, e: int, d: int) -> str:
    """Why person e works the shift they refused on day d: the only shift they may work, the shift left without
    a leader, or the interval it leaves short and what moving them to another shift costs."""
    p = r.problem
    got = int(r.shift[e, d])
    w = int(p.wish_weight[e, d])
    others = [s for s in np.flatnonzero(p.allowed[e]).tolist() if s != got]
    if not others:
        return f"the staff file allows them {shift_name(p, got)} only"
    if leader_needed(p, r.shift, e, d):
        return f"{shift_name(p, got)} would be left without a leader"
    cost = min(_objective_change(r, staffed, [(e, d, s, _middle_lunch(p, s))], base) for s in others)
    short = _short_without(p, staffed, d, got) if p.on_phone[e] else None
    if cost > 0 and short:
        return f"{shift_name(p, got)} is short of agents without them: {short}; {_costs('another shift', cost, w)}"
    return _costs("another shift", cost, w)


def requests_made(p: RosterProblem) -> dict[str, int]:
    """Wishes on days not on leave, by the leave table's kind."""
    return {"rest_request": int((p.rest_request & ~p.leave).sum()),
            "work_request": int((p.work_request & ~p.leave).sum()),
            "shift_request": int(((p.shift_request >= 0) & ~p.leave).sum()),
            "shift_refusal": int(((p.shift_refusal >= 0) & ~p.leave).sum())}


def _missed_weights(p: RosterProblem, missed: np.ndarray) -> int:
    return int(p.wish_weight[missed & ~p.leave].sum())


class RestRequests(RosterRule):
    name = "requested rest days"
    keys = ("weights.rest_request",)
    hard = False
    greedy_order = 0
    objective_key = "rest_requests"

    def aggregate(self, m: DayCounts) -> list[Term]:
        return _missed_terms(m, self.name, _wanted(m.problem, m.problem.rest_request), m.resting)

    def hint(self, m: DayCounts, values: CountValues) -> None:
        _hint_missed(m, self.name, values.resting)

    def person(self, m: PersonDays) -> list[Term]:
        return _weighted_day_terms(m, rest=m.problem.rest_request)

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def cost(self, r: RosterDays) -> int:
        return _missed_weights(r.problem, r.problem.rest_request & ~r.rest)

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
        return _weighted_day_terms(m, work=m.problem.shift_request >= 0)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        return _missed_weights(p, (p.shift_request >= 0) & (r.shift != p.shift_request))

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


class WorkRequests(RosterRule):
    name = "refused rest days"
    keys = ("weights.work_request",)
    hard = False
    objective_key = "work_requests"

    def aggregate(self, m: DayCounts) -> list[Term]:
        wanted = _wanted(m.problem, m.problem.work_request)
        return _missed_terms(m, self.name, wanted, _can_work(m.problem, wanted, m.resting))

    def hint(self, m: DayCounts, values: CountValues) -> None:
        wanted = _wanted(m.problem, m.problem.work_request)
        _hint_missed(m, self.name, _can_work(m.problem, wanted, values.resting))

    def person(self, m: PersonDays) -> list[Term]:
        return _weighted_day_terms(m, work=m.problem.work_request)

    def cost(self, r: RosterDays) -> int:
        return _missed_weights(r.problem, r.problem.work_request & r.rest)

    def explain(self, r: RosterDays) -> list[Conflict]:
        """One entry per day someone asked to work and rests, with what made the wish lose."""
        p = r.problem
        missed = p.work_request & r.rest & ~p.leave
        if not missed.any():
            return []
        staffed, base = _staffed(r), _rule_costs(r)
        out = []
        for e, d in zip(*(a.tolist() for a in np.nonzero(missed))):
            reason = _work_reason(r, staffed, base, e, d)
            out.append(RefusedRequest(
                self.name, _day(p, d), (p.ids[e],),
                f"{p.ids[e]} asked to work on {_day(p, d)} and rests: {reason}.", "work_request", "work", reason))
        return out


class ShiftRefusals(RosterRule):
    """Kept by the split of shifts among people (scheduler.roster_assign): someone who refused a shift swaps
    with a colleague of the same kind on another shift that day, so the counts the models chose hold."""

    name = "refused shifts"
    keys = ("weights.shift_refusal",)
    hard = False
    objective_key = "shift_refusals"

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        return _missed_weights(p, (p.shift_refusal >= 0) & (r.shift == p.shift_refusal))

    def explain(self, r: RosterDays) -> list[Conflict]:
        """One entry per shift refused and worked, with what made the refusal lose."""
        p = r.problem
        missed = (p.shift_refusal >= 0) & (r.shift == p.shift_refusal) & ~p.leave
        if not missed.any():
            return []
        staffed, base = _staffed(r), _rule_costs(r)
        out = []
        for e, d in zip(*(a.tolist() for a in np.nonzero(missed))):
            reason = _refusal_reason(r, staffed, base, e, d)
            refused = int(p.shift_refusal[e, d])
            out.append(RefusedRequest(
                self.name, _day(p, d), (p.ids[e],),
                f"{p.ids[e]} refused {shift_name(p, refused)} on {_day(p, d)} and works it: {reason}.",
                "shift_refusal", f"not {p.shift_codes[refused]}", reason))
        return out


REST = RestRequests()
WORK = WorkRequests()
SHIFT = ShiftRequests()
REFUSAL = ShiftRefusals()
