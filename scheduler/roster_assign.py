"""From day-level counts to people: who works which shift and when each person lunches.

The models decide who rests and how many of each class work each shift and lunch in each slot;
any split of those counts among the class's working people covers the same. The split here honours
shift requests first, then the previous roster (few changes), then shares late shifts fairly when the
late-shift fairness weight asks, and last swaps people off the shifts they refused. Rest days come from the rules' own greedy steps (scheduler.rules).
"""
from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from core.rules import MINUTES_A_DAY, hhmm
from scheduler.roster_model import place_lunches
from scheduler.roster_problem import LEAVE, REST, RosterProblem
from scheduler.roster_solver import check_stopped, run
from scheduler.rules import rest_row_holds, rest_trackers
from scheduler.rules.late_shift_fairness import takes_late_first
from scheduler.rules.leader_per_shift import leader_needed
from scheduler.rules.shift_succession import banned_after, forbidden_pairs, restricting
from scheduler.rules.monthly_hours import minutes_within, paid_minutes
from scheduler.rules.shifts_of_type import outside_bounds


# The time a pool's exact shift split (a succession the swaps left) may take: measured at load 13, 4 leaders
# × 31 days end proven in 0.02 s, 16 agents in 0.23 s.
SPLIT_MODEL_S = 1.0


def shifts_of_people(p: RosterProblem, rest: np.ndarray, y: dict) -> np.ndarray:
    """(E, D) shift index per person and day; -1 rest, -2 leave."""
    E, D, S = p.n_people, p.n_days, len(p.shift_codes)
    shift = np.where(p.leave, -2, np.where(rest, -1, 0)).astype(np.int64)
    late_so_far = np.zeros(E, np.int64)
    worked = np.zeros((E, S), np.int64)  # shifts of each type so far (scheduler.rules.shifts_of_type)
    late_order = [s for s in range(S) if p.late[s]] + [s for s in range(S) if not p.late[s]]
    codes = p.shift_codes
    limiting = restricting(p)
    pools: dict[tuple, list[int]] = {}
    for c, key in enumerate(p.classes):
        pools.setdefault(key.shift_pool, []).append(c)
    people = {key: [e for c in classes for e in p.members(c)] for key, classes in pools.items()}
    for d in range(D):
        banned = banned_after(p, shift[:, d - 1] if d else p.previous_month.last_shift) | (worked >= p.max_shifts)
        off_tomorrow = p.leave[:, d + 1] | rest[:, d + 1] if d + 1 < D else np.ones(E, bool)
        for key, classes in pools.items():
            working = [e for e in people[key] if not p.leave[e, d] and not rest[e, d]]
            left = {s: sum(int(y.get((c, d, s), 0)) for c in classes) for s in range(S)}
            todo = []
            for e in working:
                wish = p.shift_request[e, d]
                before = p.replan_shift[e].get(d)
                kept = codes.index(before) if before in codes else -1
                if wish >= 0 and left.get(wish, 0) > 0 and not banned[e, wish]:
                    shift[e, d] = wish
                    left[wish] -= 1
                elif kept >= 0 and left.get(kept, 0) > 0 and not banned[e, kept] and kept != p.shift_refusal[e, d]:
                    shift[e, d] = kept
                    left[kept] -= 1
                else:
                    todo.append(e)
            # fewest late shifts so far take the late shifts (scheduler.rules.late_shift_fairness); ties
            # rotate with the day
            todo.sort(key=lambda e: (*takes_late_first(p, late_so_far, e), (e + d) % max(len(working), 1)))
            queue = [s for s in late_order for _ in range(left[s])]
            for e, s in _split(todo, queue, banned, limiting, off_tomorrow):
                shift[e, d] = s
            _swap_refused(p, shift, working, d)
        on = np.flatnonzero(shift[:, d] >= 0)
        late_so_far[on] += p.late[shift[on, d]]
        worked[on, shift[on, d]] += 1
    _mend_successions(p, shift, list(people.values()))
    _mend_shift_bounds(p, shift, list(people.values()))
    return shift


def _split(todo: list[int], queue: list[int], banned: np.ndarray, limiting: np.ndarray,
           off_tomorrow: np.ndarray) -> list[tuple[int, int]]:
    """(person, shift) pairs giving `queue`'s shifts to `todo` in order, keeping the shift-succession rule
    (scheduler.rules.shift_succession): people banned from some shifts choose first, then the shifts that
    restrict tomorrow go to those off tomorrow. A ban no shift left can keep is mended afterwards
    (_mend_successions)."""
    if not banned[todo].any() and not limiting[queue].any():
        return list(zip(todo, queue))
    shifts, people, pairs = list(queue), list(todo), []
    for e in sorted((e for e in todo if banned[e].any()), key=lambda e: -int(banned[e].sum())):
        if not shifts:
            break
        s = next((s for s in shifts if not banned[e, s]), shifts[0])
        shifts.remove(s)
        people.remove(e)
        pairs.append((e, s))
    free = [e for e in people if off_tomorrow[e]]
    for s in [s for s in shifts if limiting[s]]:
        if not free:
            break
        e = free.pop(0)
        shifts.remove(s)
        people.remove(e)
        pairs.append((e, s))
    return pairs + list(zip(people, shifts))


def _mend_successions(p: RosterProblem, shift: np.ndarray, pools: list[list[int]]) -> None:
    """Where someone works a shift right after one it may not follow (scheduler.rules.shift_succession):
    swap shifts within their pool on either day, which keeps every count the coverage and the leader rule
    depend on; failing that, split the pool's shifts again exactly with the same counts; failing that, the
    person takes another allowed shift that day (a leader only where the shift left keeps its leaders): the
    hard rule before the day's counts, the coverage being measured on the roster as it ends up.
    `shift` changes in place."""
    pairs = set(forbidden_pairs(p.rules))
    if not pairs:
        return
    D = p.n_days

    def yesterday(e: int, d: int) -> int:
        """The shift e worked the day before d: the first day's from the previous month or the days kept."""
        return shift[e, d - 1] if d else p.previous_month.last_shift[e]

    def fits(e: int, d: int) -> bool:
        before = yesterday(e, d)
        after = shift[e, d + 1] if d + 1 < D else -1
        return (before, shift[e, d]) not in pairs and (shift[e, d], after) not in pairs

    def swapped(e: int, d: int, pool: list[int]) -> bool:
        for day in (d, d - 1) if d else (d,):
            mine = shift[e, day]
            for f in pool:
                if f == e or shift[f, day] < 0 or shift[f, day] == mine:
                    continue
                shift[e, day], shift[f, day] = shift[f, day], mine
                if fits(e, day) and fits(f, day):
                    return True
                shift[f, day], shift[e, day] = shift[e, day], mine
        return False

    def moved(e: int, d: int, strict: bool) -> bool:
        """Another allowed shift on day d; not `strict`: one the next day may not follow either, which
        the pass mends on reaching that day."""
        mine = shift[e, d]
        if leader_needed(p, shift, e, d):
            return False  # the shift would be left short of leaders
        for s in np.flatnonzero(p.allowed[e]):
            if s == mine:
                continue
            shift[e, d] = s
            if fits(e, d) if strict else (yesterday(e, d), s) not in pairs:
                return True
        shift[e, d] = mine
        return False

    def broken(pool: list[int]) -> list[tuple[int, int]]:
        return [(e, d) for d in range(D) for e in pool if (yesterday(e, d), shift[e, d]) in pairs]

    for pool in pools:
        for e, d in broken(pool):
            swapped(e, d, pool)
        if broken(pool):
            _split_exactly(p, shift, pool, pairs)
        for d in range(D):  # day by day: a move may push the succession on to the next day
            for e in pool:
                if (yesterday(e, d), shift[e, d]) in pairs and not moved(e, d, True):
                    moved(e, d, False)


def _mend_shift_bounds(p: RosterProblem, shift: np.ndarray, pools: list[list[int]]) -> None:
    """Split again exactly the pools where someone's count of a shift type misses their contract's bounds
    (scheduler.rules.shifts_of_type), or their paid minutes where the day bounds do not keep them
    (scheduler.rules.monthly_hours); what no split of the days' counts mends, the rules' conflicts say."""
    pairs = set(forbidden_pairs(p.rules))
    paid = paid_minutes(p, shift)
    for pool in pools:
        if len(pool) > 1 and (outside_bounds(p, shift, pool) or _minutes_missed(p, paid, pool)):
            _split_exactly(p, shift, pool, pairs)


def _minutes_missed(p: RosterProblem, paid: np.ndarray, pool: list[int]) -> bool:
    for e in pool:
        if p.minutes_counted[e]:
            least, most = minutes_within(p, e)
            if paid[e] < least or (most is not None and paid[e] > most):
                return True
    return False


def _split_exactly(p: RosterProblem, shift: np.ndarray, pool: list[int], pairs: set[tuple[int, int]]) -> None:
    """Split the pool's shifts again by CP-SAT: every day's count of each shift as it is, no succession the
    rule forbids, each person's shifts of each type within their contract's bounds, as few changes as may be.
    Left as it is when no such split is found in SPLIT_MODEL_S."""
    D, S = p.n_days, len(p.shift_codes)
    ours = np.flatnonzero(p.allowed[pool[0]]).tolist()  # a pool's people may work the same shifts
    minutes = np.rint(p.paid_hours * 60).astype(np.int64)
    m = cp_model.CpModel()
    x, on = {}, {}
    for e in pool:
        for d in np.flatnonzero(shift[e] >= 0):
            x.update({(e, d, s): m.new_bool_var(f"x{e}_{d}_{s}") for s in ours})
            m.add_exactly_one(x[e, d, s] for s in ours)
            for s in ours:
                m.add_hint(x[e, d, s], int(s == shift[e, d]))
                on.setdefault((d, s), []).append(x[e, d, s])
    for d in range(D):
        for s in range(S):
            if (d, s) in on:
                m.add(sum(on[d, s]) == int((shift[pool, d] == s).sum()))
    for (e, d, a), v in x.items():
        if d == 0 and (p.previous_month.last_shift[e], a) in pairs:
            m.add(v == 0)
        for b in range(S):
            if (a, b) in pairs and (e, d + 1, b) in x:
                m.add_bool_or([v.Not(), x[e, d + 1, b].Not()])
    for e in pool:
        for s in ours:
            mine = [x[e, d, s] for d in np.flatnonzero(shift[e] >= 0)]
            if p.max_shifts[e, s] < len(mine):
                m.add(sum(mine) <= int(p.max_shifts[e, s]))
            if p.min_shifts[e, s]:
                m.add(sum(mine) >= int(p.min_shifts[e, s]))
        if p.minutes_counted[e]:
            least, most = minutes_within(p, e)
            paid = sum(int(minutes[s]) * x[e, d, s] for d in np.flatnonzero(shift[e] >= 0) for s in ours)
            m.add(paid >= least)
            if most is not None:
                m.add(paid <= most)
    m.minimize(sum(v for (e, d, s), v in x.items() if s != shift[e, d]))
    solved = run(m, SPLIT_MODEL_S)
    if solved.found:
        for (e, d, s), v in x.items():
            if solved.solver.value(v):
                shift[e, d] = s


def _swap_refused(p: RosterProblem, shift: np.ndarray, working: list[int], d: int) -> None:
    """Give each of `working` (one shift pool) who works a shift they refused on day d the shift of a colleague
    who refused neither and was not granted a wished shift: the day's counts per shift stay as they were, and
    a pool's people may all work the same shifts."""
    for e in working:
        refused = p.shift_refusal[e, d]
        if refused < 0 or shift[e, d] != refused:
            continue
        other = next((o for o in working if shift[o, d] != refused and p.shift_refusal[o, d] != refused
                      and p.shift_request[o, d] != shift[o, d]), None)
        if other is not None:
            shift[e, d], shift[other, d] = shift[other, d], refused


def lunches_of_people(p: RosterProblem, shift: np.ndarray, lunch: dict) -> np.ndarray:
    """(E, D) first lunch interval per person and day (-1 when not working or no lunch).

    People on the phones take the model's lunch counts (which keep the stagger cap); the others, off
    the phones, rotate over the slots clear of airings (the cheapest allowed ones when none is clear).
    Where the shift split left a shift with other people than the model counted (a succession mended,
    scheduler.rules.shift_succession), the lunches are placed again for the people it has.
    """
    E, D = shift.shape
    start = np.full((E, D), -1, np.int64)
    for d in range(D):
        for s, slots in enumerate(p.lunch_slots):
            if not slots:
                continue
            people = [e for e in np.flatnonzero(shift[:, d] == s)]
            phones = [e for e in people if p.on_phone[e]]
            # rotate with the day so no one always takes the earliest lunch
            k = d % max(len(phones), 1)
            phones = phones[k:] + phones[:k]
            queue = [l for l in slots for _ in range(int(lunch.get((d, s, l), 0)))]
            allowed = [i for i in range(len(slots)) if p.lunch_ok[d, s, i]]
            cheapest = min(p.lunch_cost[d, s, i] for i in allowed)
            ok = [slots[i] for i in allowed if p.lunch_clear[d, s, i]] or \
                 [slots[i] for i in allowed if p.lunch_cost[d, s, i] == cheapest]
            if len(phones) != len(queue) and len(queue):
                placed = place_lunches(p, d, s, [(i, slots[i]) for i in allowed], len(phones), lunch)
                queue = [l for l in slots for _ in range(placed.get(l, 0))]
            for i, e in enumerate(phones):
                start[e, d] = queue[i] if i < len(queue) else ok[i % len(ok)]
            for i, e in enumerate(e for e in people if not p.on_phone[e]):
                start[e, d] = ok[(i + d) % len(ok)]
    return start


def assignment_rows(p: RosterProblem, shift: np.ndarray, lunch_start: np.ndarray) -> dict:
    """Columns of the assignments table (employee_id, date, shift, lunch_start), person by person."""
    E, D = shift.shape
    codes = list(p.shift_codes)
    r = p.rules
    names = np.array(codes + [LEAVE, REST], dtype=object)  # index -2 -> LEAVE, -1 -> REST
    # lunch slots lie on cover's two-day axis: past midnight the clock starts again
    lunch_text = np.array([hhmm((r.open_minute + t * r.interval_minutes) % MINUTES_A_DAY)
                           for t in range(2 * p.n_intervals)] + [None], dtype=object)
    return {
        "employee_id": np.repeat(np.array(p.ids, dtype=object), D),
        "date": np.tile(p.days.values, E),
        "shift": names[shift.ravel()],
        "lunch_start": lunch_text[lunch_start.ravel()],  # -1 -> None
    }


# How strongly spread_rest_counts leans rest days to a week's quieter days: a day's share goes with
# (the week's mean requirement / the day's) to this power. Measured on a 300-agent synthetic month:
# objective 561k even, 547k / 531k / 545k at powers 2 / 4 / 8; the aggregate's roster 511k.
QUIET_DAY_LEAN = 4.0


def spread_rest_counts(p: RosterProblem) -> dict:
    """(class, day) -> people resting, each class's weekly rest days (a partial week's share of them)
    spread over the week's days, more on quiet days, as people are free: a plan to start from when no
    model answer is at hand."""
    counts = {}
    for c in range(len(p.classes)):
        members = p.members(c)
        free = ~p.leave[members]
        for w, week in enumerate(p.weeks):
            days = list(week.days)
            # a partial week at a month edge: its share of a week's rest days, within the bounds (the
            # most is every free day when the month's hours bound the rest days instead)
            lo, hi = p.rest_bounds[members, w, 0], p.rest_bounds[members, w, 1]
            owed = float(np.clip(len(days) / 7 * p.rules.rest_days_per_week, lo, hi).sum())
            need = p.required[days].sum(axis=1).astype(float)
            room = free[:, days].sum(axis=0) * (need.mean() / np.maximum(need, 1.0)) ** QUIET_DAY_LEAN
            share = np.round(np.cumsum(owed * room / max(room.sum(), 1e-9)))
            counts.update({(c, d): int(n) for d, n in zip(days, np.diff(share, prepend=0.0))})
    return counts


def rest_days_of_people(p: RosterProblem, counts: dict, preset: np.ndarray | None = None,
                        decided: np.ndarray | None = None, variant: int = 0) -> tuple[np.ndarray, bool]:
    """(E, D) rest days matching the day-level rest counts per class as far as the rules allow, and
    whether a rule had to give way to another.

    People marked `decided` keep their `preset` rows; `counts` are for the others of each class.
    `variant` > 0 breaks ties among equally urgent people in another (seeded) order.

    Earliest deadline first, day by day: whoever a rule says must rest today (scheduler.rules'
    rest trackers: a (max consecutive + 1)-day window closing, the week's rest days still owed equal
    to its days left, the month's work days used up) rests; the remaining places go to those the
    rules' keys put first (requested rest days, then the most urgent). Rules are never broken for a
    count; when two collide the one forcing a rest day wins, and the other is explained later.
    """
    E, D = p.n_people, p.n_days
    tie = np.random.default_rng(variant).permutation(E) if variant else None
    decided = np.zeros(E, bool) if decided is None else decided
    rest = np.zeros((E, D), bool) if preset is None else preset & decided[:, None]
    trackers = rest_trackers(p)
    broken = False
    for d in range(D):
        check_stopped()
        for c in range(len(p.classes)):
            members = p.members(c)
            members = members[~p.leave[members, d] & ~decided[members]]
            if not len(members):
                continue
            must = np.zeros(len(members), bool)
            room = np.ones(len(members), bool)
            for t in trackers:
                must |= t.must(d, members)
                room &= t.room(d, members)
            broken |= bool((must & ~room).any())
            optional = members[~must & room]
            keys = [k for t in trackers for k in t.keys(d, optional)]
            last = (optional * 7 + d) % 11 if tie is None else tie[optional]
            # np.lexsort sorts by its last key first
            order = np.lexsort([optional, last] + keys[::-1]) if len(optional) else np.zeros(0, np.int64)
            want = int(counts.get((c, d), 0))
            chosen = np.concatenate([members[must], optional[order[:max(want - int(must.sum()), 0)]]])
            rest[chosen, d] = True
            for t in trackers:
                t.off(d, chosen, True)
        on_leave = np.flatnonzero(p.leave[:, d])
        for t in trackers:
            t.off(d, on_leave, False)
    return rest, broken


def repair_rest_counts(p: RosterProblem, rest: np.ndarray, counts: dict, decided: np.ndarray | None = None) -> int:
    """Move single rest days between days (same person, rules kept) toward the aggregate's counts.

    Changes `rest` in place; returns how many rest days moved.
    """
    moved = 0
    decided = np.zeros(p.n_people, bool) if decided is None else decided
    for c in range(len(p.classes)):
        members = [e for e in p.members(c) if not decided[e]]
        if not members:
            continue
        diff = np.array([int(rest[members, d].sum()) - int(counts.get((c, d), 0)) for d in range(p.n_days)])
        for d1 in np.flatnonzero(diff > 0):
            targets = sorted(np.flatnonzero(diff < 0), key=lambda d2: abs(d2 - d1))
            for d2 in targets:
                while diff[d1] > 0 and diff[d2] < 0:
                    done = False
                    for e in members:
                        if not rest[e, d1] or rest[e, d2] or p.leave[e, d2]:
                            continue
                        row = moved_rest_day(p, e, rest[e], d1, d2)
                        if row is not None:
                            rest[e] = row
                            diff[d1] -= 1
                            diff[d2] += 1
                            moved += 1
                            done = True
                            break
                    if not done:
                        break
                if diff[d1] <= 0:
                    break
    return moved


def moved_rest_day(p: RosterProblem, e: int, row: np.ndarray, off: int, on: int) -> np.ndarray | None:
    """Person e's rest days `row` with the rest day on day `off` moved to day `on`; None where that breaks a
    rule (the rules' `holds`). The one move of a rest day both the count repair and the pass after the search
    (scheduler.roster_search) make."""
    moved = row.copy()
    moved[off], moved[on] = False, True
    return moved if rest_row_holds(p, e, moved) else None
