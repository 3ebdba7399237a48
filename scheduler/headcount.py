"""Headcount for HR: the smallest number of agents whose best roster meets the month's service target.

`required_headcount` starts from a fast relaxation (`headcount_bound`: shift counts per day in small
CP-SAT models, with lunches, rest days and leave but no individual people; a proven lower bound and an
estimate) and then solves real rosters (scheduler.roster.solve) only near it: from the estimate in steps
of one step unit (a hundredth of the estimate, at least one agent) times 1, 1, 2, 4, … until the answer
is bracketed, then by bisection, until the answer meets the target and it is pinned to within PRECISION of
itself (one fewer misses at the sample's size). Every solve is seeded (SEED: one worker, CP-SAT's
deterministic time), so the same inputs give the same answer on any machine under any load. It reports
each headcount tried (the curve) so HR sees the price of one agent fewer, and says which target each
headcount that falls short misses and by how much. Staff lists of any size are synthesized from a sample
staff list with its leader mix, shift restrictions and leave (`synthesize_staff`).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from scheduler.roster_solver import run, seeded, stopping
from core.periods import open_intervals
from core.rules import Rules
from core.words import counted

# The default target: at least this share of open intervals at the target service level, and
# no airing whose response window falls below it.
DEFAULT_TARGET_SHARE = 0.95
DEFAULT_SOLVE_SECONDS = 8.0
DEFAULT_MAX_SOLVES = 12
BOUND_SECONDS = 5.0
# Every CP-SAT search of the headcount (relaxation and roster solves) runs on one worker with this seed and
# a deterministic time limit: a headcount that moved with the machine's load would be no answer for HR.
SEED = 0
# The search stops once the answer is within this share of itself of the largest headcount known to fail
# (rounded down: one agent is the finest step, so below 100 agents it goes on until one fewer fails).
PRECISION = 0.01
# A roster whose objective is more than this share above its own lower bound is not the solver's best
# effort (it ran out of time); when it misses the target it is solved again with more time.
RETRY_GAP = 0.05

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    """When a roster is good enough: the share of open intervals at the target service level, and how many
    airings may have their response window below it."""

    share_of_intervals: float = DEFAULT_TARGET_SHARE
    airing_short_windows: int = 0


# --- the staff of a given size ----------------------------------------------------------------------

def _roles(mix: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(agents, leaders, others) of a staff list; others (the supervisor) are kept as they are."""
    is_leader = mix["role"].isin(rules.leader_roles)
    is_agent = (mix["role"] == "agent") & ~is_leader
    return mix[is_agent], mix[is_leader], mix[~is_agent & ~is_leader]


def leaders_needed(rules: Rules) -> int:
    """Fewest leaders who can put `leaders_per_shift` on every shift every day with their rest days."""
    per_day = rules.leaders_per_shift * len(rules.shifts)
    if per_day == 0:
        return 0
    m = rules.max_consecutive_work_days
    work_share = min((7 - rules.rest_days_per_week) / 7, m / (m + 1))
    return max(per_day, math.ceil(per_day / work_share - 1e-9))


def leaders_for(agents: int, staff_mix: pd.DataFrame | None, rules: Rules) -> int:
    """Leaders that go with `agents` agents: the sample's leaders per agent, never fewer than the rules need."""
    least = leaders_needed(rules)
    if staff_mix is None:
        return least
    mix_agents, mix_leaders, _ = _roles(staff_mix, rules)
    if len(mix_agents) == 0:
        return max(least, len(mix_leaders))
    return max(least, math.floor(agents * len(mix_leaders) / len(mix_agents) + 0.5))


def _spread_order(people: pd.DataFrame) -> pd.DataFrame:
    """People ordered so any prefix keeps the groups balanced (first of each group, then second, …)."""
    if len(people) == 0:
        return people
    rank = people.groupby(people["group"].fillna(""), sort=False).cumcount()
    return people.assign(_rank=rank.to_numpy()).sort_values(["_rank"], kind="stable").drop(columns="_rank")


def _take(people: pd.DataFrame, n: int) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """`n` people from `people`, cycling with copies when more are needed; (rows, (new id, template id))."""
    if n <= 0 or len(people) == 0:
        return people.iloc[:0], []
    order = _spread_order(people)
    picks = [order.iloc[i % len(order)] for i in range(n)]
    rows, pairs = [], []
    for i, row in enumerate(picks):
        copy = i // len(order)
        new_id = row["employee_id"] if copy == 0 else f"{row['employee_id']}~{copy + 1}"
        rows.append({**row.to_dict(), "employee_id": new_id, "name": row["name"] if copy == 0 else f"{row['name']} ({copy + 1})"})
        pairs.append((new_id, row["employee_id"]))
    return pd.DataFrame(rows, columns=people.columns), pairs


def _default_mix(rules: Rules) -> pd.DataFrame:
    """A minimal mix: one agent template and the leaders the rules need, everyone on every shift."""
    n_leaders = leaders_needed(rules)
    rows = [{"employee_id": "A1", "name": "Agent 1", "role": "agent", "group": "G1", "team": "T1"}]
    role = rules.leader_roles[0] if rules.leader_roles else "group_leader"
    rows += [{"employee_id": f"L{i + 1}", "name": f"Leader {i + 1}", "role": role, "group": "G1", "team": "T1"} for i in range(n_leaders)]
    mix = pd.DataFrame(rows)
    mix["shifts"] = [rules.shift_codes] * len(mix)
    mix["preferred_rest_weekday"] = pd.array([None] * len(mix), dtype="Int64")
    return mix


def synthesize_staff(agents: int, rules: Rules, staff_mix: pd.DataFrame | None = None,
                     leave: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A staff list with `agents` agents and the leaders that go with them, shaped like `staff_mix`.

    Agents and leaders are taken from the mix group by group; beyond its size they are copied (new ids),
    each copy with its template's shift restrictions, preferred rest day and leave, so leave per person
    stays what the sample has. Other roles (the supervisor) are kept as they are.
    """
    mix = _default_mix(rules) if staff_mix is None else staff_mix
    mix_agents, mix_leaders, others = _roles(mix, rules)
    if len(mix_agents) == 0:
        mix_agents = _roles(_default_mix(rules), rules)[0]
    if len(mix_leaders) == 0 and leaders_needed(rules):
        mix_leaders = _roles(_default_mix(rules), rules)[1]
    n_leaders = leaders_for(agents, staff_mix, rules)
    agent_rows, agent_pairs = _take(mix_agents, agents)
    leader_rows, leader_pairs = _take(mix_leaders, n_leaders)
    staff = pd.concat([others, leader_rows, agent_rows], ignore_index=True)
    staff["preferred_rest_weekday"] = pd.array(staff["preferred_rest_weekday"], dtype="Int64")
    staff.attrs["source"] = mix.attrs.get("source", "synthesized staff")
    if leave is None:
        return staff, None
    pairs = [(e, e) for e in others["employee_id"]] + leader_pairs + agent_pairs
    template = pd.DataFrame(pairs, columns=["employee_id", "_template"])
    out = template.merge(leave.rename(columns={"employee_id": "_template"}), on="_template").drop(columns="_template")
    return staff, out[list(leave.columns)].sort_values(["date", "employee_id"], kind="stable").reset_index(drop=True)


# --- the fast lower bound ---------------------------------------------------------------------------

@dataclass
class Bound:
    """The relaxation's answer: people on the phones needed (a proven lower bound), a likelier estimate,
    and per day the fewest on shift the estimate found."""

    on_phone: int  # proven: no roster meeting the target has fewer people on the phones
    estimate: int  # the same relaxation with every airing interval at the service level: where to start
    optimal: bool  # the proven bound is the relaxation's optimum (not only the solver's bound)
    feasible: bool  # False: no headcount can meet the target (e.g. lunches leave too many intervals empty)
    daily_on_shift: pd.Series  # per day, people on shift in the estimate's solution
    allowed_misses: int
    seconds: float


def _problem(requirement, rules: Rules, ads=None):
    """The roster problem's arrays (requirement, shifts, lunch slots, airing windows, weeks) for one person."""
    from scheduler.roster_build import build_problem

    staff, _ = synthesize_staff(1, rules)
    return build_problem(requirement, staff, rules, None, ads)


def service_need(requirement, rules: Rules, p, windows: list[np.ndarray] = ()) -> tuple[np.ndarray, np.ndarray]:
    """(D, T) people to roster for the target service level alone (no occupancy or ASA cap), and (D, T) the
    fewest an airing-window interval can have even when the rest of its window answers every call in time.

    Below the first an interval misses the target; below the second its airing's window does. Without
    calls both are the roster's requirement (`scheduled`) and the second only in airing windows.
    """
    if not isinstance(requirement, pd.DataFrame) or "calls" not in requirement:
        return p.required, np.where(p.airing, p.required, 0)
    from scheduler.staffing import requirements

    t = rules.service
    service_only = replace(t, max_occupancy=1.0, max_asa_s=None, max_abandon_rate=None)
    grid = p.interval_starts()
    calls = requirement["calls"].reindex(grid).fillna(0.0).astype(float)
    aht = requirement["aht_s"].reindex(grid).fillna(t.aht_s) if "aht_s" in requirement else pd.Series(t.aht_s, index=grid)
    need = requirements(calls, aht, service_only, rules.interval_minutes)["scheduled"].to_numpy()
    need = np.minimum(need.reshape(p.required.shape), p.required)
    # the service level an interval must reach when the rest of each of its windows is perfect
    c = calls.to_numpy()
    level = np.zeros(len(c))
    for pos in windows:
        total = c[pos].sum()
        if total <= 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            least = np.where(c[pos] > 0, (t.service_level * total - (total - c[pos])) / c[pos], 0.0)
        level[pos] = np.maximum(level[pos], least)
    floor = np.zeros(len(c), dtype=np.int64)
    # rounded down to whole percent (a lower level needs no more people), one staffing call per level
    percent = np.floor(np.clip(level, 0, t.service_level) * 100 + 1e-9).astype(int)
    for pct in np.unique(percent[percent > 0]):
        at = np.flatnonzero(percent == pct)
        sized = requirements(calls.iloc[at], aht.iloc[at], replace(service_only, service_level=pct / 100), rules.interval_minutes)
        floor[at] = sized["scheduled"].to_numpy()
    return need, np.minimum(floor.reshape(need.shape), need)


def _relaxation(p, need: np.ndarray, floor: np.ndarray, rules: Rules, allowed_misses: int, airings_missable: bool,
                share: np.ndarray, time_limit_s: float) -> tuple[int, int | None, pd.Series | None, bool]:
    """Solve the shift-count relaxation: (proven lower bound, best found or None, daily on shift, optimal)."""
    D, T, S = p.n_days, p.n_intervals, len(p.shift_codes)
    model = cp_model.CpModel()
    top = int(need.sum(axis=1).max() + need.max() + 1) * 2
    x = {(d, s): model.new_int_var(0, top, f"x{d}_{s}") for d in range(D) for s in range(S)}
    people = model.new_int_var(0, top * S, "people")
    misses = []
    on_phones: list[list[list]] = [[[] for _ in range(T)] for _ in range(D)]

    def add(d: int, t: int, term) -> None:
        # cover's two-day axis: t ≥ T is the next day's; past the horizon it counts nowhere
        if d + t // T < D:
            on_phones[d + t // T][t % T].append(term)

    for d in range(D):
        for s in range(S):
            for t in np.flatnonzero(p.cover[s]):
                add(d, int(t), x[d, s])
            slots = p.lunch_slots[s]
            if slots:
                lunches = []
                for k, first in enumerate(slots):
                    if p.lunch_ok[d, s, k]:
                        v = model.new_int_var(0, top, f"lunch{d}_{s}_{first}")
                        lunches.append(v)
                        for t in range(first, first + int(p.lunch_len[s])):
                            add(d, t, -v)
                model.add(sum(lunches) == x[d, s])
    for d in range(D):
        staffed = on_phones[d]
        for t in range(T):
            r = int(need[d, t])
            if floor[d, t] > 0 and floor[d, t] < r:
                model.add(sum(staffed[t]) >= int(floor[d, t]))
            if r == 0:
                continue
            if allowed_misses == 0 or (p.airing[d, t] and not airings_missable):
                model.add(sum(staffed[t]) >= r)
            else:
                miss = model.new_bool_var(f"miss{d}_{t}")
                model.add(sum(staffed[t]) >= r).only_enforce_if(miss.Not())
                misses.append(miss)
    if misses:
        model.add(sum(misses) <= allowed_misses)
    on_shift = [sum(x[d, s] for s in range(S)) for d in range(D)]
    for d in range(D):
        # on shift ≤ people × (1 − leave share), in thousandths, rounded in the relaxation's favour
        model.add(1000 * on_shift[d] <= (1000 - int(math.floor(1000 * share[d]))) * people)
    m = rules.max_consecutive_work_days
    for a in range(0, D - m):
        model.add(sum(on_shift[a:a + m + 1]) <= m * people)
    r = rules.rest_days_per_week
    for week in p.weeks:  # with a paid-hour cap the weekly rest days are a minimum: still an upper bound on work
        k = len(week.days)
        rest = r if k == 7 else math.floor(r * k / 7)
        model.add(sum(on_shift[d] for d in week.days) <= (k - rest) * people)
    if rules.monthly_paid_hours_cap_enabled:
        most_paid = max(s.paid_hours for s in rules.shifts)
        max_days = min(D, math.floor(rules.monthly_paid_hours_cap / most_paid + 1e-9))
        model.add(sum(on_shift) <= max_days * people)
    model.minimize(people)
    with seeded(SEED):
        found = run(model, time_limit_s)
    solver = found.solver
    if found.status == "INFEASIBLE":
        return -1, None, None, True
    lower = max(int(math.ceil(solver.best_objective_bound - 1e-6)), 0)
    if not found.found:
        return lower, None, None, False
    daily = pd.Series([int(solver.value(v)) for v in on_shift], index=p.days, name="on_shift")
    return lower, int(solver.objective_value), daily, found.status == "OPTIMAL"


def headcount_bound(requirement, rules: Rules, *, ads=None, leave_share=None, target: Target = Target(),
                    time_limit_s: float = BOUND_SECONDS) -> Bound:
    """Fewest people on the phones (agents and leaders) any roster meeting `target` needs, and an estimate.

    A relaxation of the roster: per day and shift a count of people (no individuals), lunches placed as
    counts in the lunch slots the roster allows (none in airing windows), each interval staffed for the
    target service level except at most the share of intervals the target lets go, airing-window intervals
    never below what their window needs when the rest of it is perfect (`service_need`), and the people: on
    each day at most everyone not on leave (`leave_share[d]` of them away), in every window of
    max_consecutive_work_days + 1 days and in every week at most the work days the rest rules leave.
    The proven bound lets any interval go so; the estimate keeps every airing interval at the service level.
    """
    started = time.monotonic()
    p = _problem(requirement, rules, ads)
    windows = airing_windows(ads, p.interval_starts(), rules)
    need, floor = service_need(requirement, rules, p, windows)
    share = np.zeros(p.n_days) if leave_share is None else np.asarray(leave_share, float)
    allowed = int(math.floor((1 - target.share_of_intervals) * need.size + 1e-9))
    # the estimate first: its solution is a feasible start the proven relaxation cannot improve on by much
    strict = _relaxation(p, need, floor, rules, allowed, False, share, time_limit_s / 2)
    lower, best, daily, optimal = _relaxation(p, need, floor, rules, allowed, True, share, time_limit_s / 2)
    if lower < 0:
        empty = pd.Series(np.zeros(p.n_days, int), index=p.days, name="on_shift")
        return Bound(0, 0, True, False, empty, allowed, time.monotonic() - started)
    estimate = strict[1] if strict[1] is not None else (best if best is not None else lower)
    daily = strict[2] if strict[2] is not None else daily
    if daily is None:
        daily = pd.Series(np.zeros(p.n_days, int), index=p.days, name="on_shift")
    return Bound(lower, max(estimate, lower), optimal, True, daily, allowed, time.monotonic() - started)


def agents_in(staff: pd.DataFrame, rules: Rules) -> int:
    """Agents on a staff list (its leaders, who also take calls, are counted apart)."""
    return len(_roles(staff, rules)[0])


def mix_leave_share(staff_mix: pd.DataFrame | None, leave: pd.DataFrame | None, days: pd.DatetimeIndex,
                    rules: Rules) -> np.ndarray | None:
    """Per day, the share of the people on the phones away on `leave` in a staff list like `staff_mix`, at
    its own size (None without leave): what the relaxation takes as `leave_share`."""
    if leave is None:
        return None
    mix = _default_mix(rules) if staff_mix is None else staff_mix
    staff, lv = synthesize_staff(agents_in(mix, rules), rules, staff_mix, leave)
    return leave_share(staff, lv, days, rules)


def leave_share(staff: pd.DataFrame, leave: pd.DataFrame | None, days: pd.DatetimeIndex, rules: Rules) -> np.ndarray:
    """Per day, the share of the people on the phones who are on approved leave."""
    from scheduler.roster_problem import OFF_PHONE_ROLES

    on_phone = staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"]
    if leave is None or len(leave) == 0 or len(on_phone) == 0:
        return np.zeros(len(days))
    away = leave[(leave["kind"] == "leave") & leave["employee_id"].isin(on_phone)]
    counts = away.groupby(pd.to_datetime(away["date"]).dt.normalize())["employee_id"].nunique()
    return counts.reindex(days, fill_value=0).to_numpy(float) / len(on_phone)


def agents_for_on_phone(on_phone: int, staff_mix: pd.DataFrame | None, rules: Rules) -> int:
    """Fewest agents whose staff list (with its leaders, who take calls too) has `on_phone` people on the phones."""
    n = max(on_phone - leaders_for(on_phone, staff_mix, rules), 0)
    while n > 0 and n - 1 + leaders_for(n - 1, staff_mix, rules) >= on_phone:
        n -= 1
    while n + leaders_for(n, staff_mix, rules) < on_phone:
        n += 1
    return n


# --- judging a roster ------------------------------------------------------------------------------

@dataclass
class Trial:
    """One headcount tried: the roster's service and whether it meets the target."""

    agents: int
    leaders: int
    met: bool
    share_met: float  # share of open intervals at the target service level
    short_intervals: int  # intervals staffed below requirement
    airing_windows_short: int  # airings whose response window misses the target service level
    shortfall_agent_intervals: int
    service_level: float  # expected, calls-weighted over the month (NaN without calls)
    abandoned_calls: float  # expected (NaN without calls or without a caller patience)
    status: str
    seconds: float
    misses: str = ""  # which part of the target the roster misses and by how much, in words ("" when met)
    attempts: int = 1  # roster solves spent on this headcount (a doubtful one is solved again, longer)


def _percent(share: float) -> str:
    return f"{100 * share:.1f}".removesuffix(".0") + " %"


def service_words(rules: Rules) -> str:
    """The service level an interval must reach, in words."""
    t = rules.service
    return f"{_percent(t.service_level)} of calls answered within {t.answer_within_s:g} s"


def shortfall_words(share_met: float, intervals: int, airing_windows_short: int, target: Target, rules: Rules) -> str:
    """Which part of `target` a roster misses and by how much, in words ("" when it meets both)."""
    parts = []
    if share_met < target.share_of_intervals - 1e-12:
        needed = math.ceil(target.share_of_intervals * intervals - 1e-9)
        gap = needed - round(share_met * intervals)
        parts.append(f"{_percent(share_met)} of open intervals at {service_words(rules)}, below the target "
                     f"{_percent(target.share_of_intervals)} by {counted(gap, 'interval')}")
    if airing_windows_short > target.airing_short_windows:
        allowed = "none" if target.airing_short_windows == 0 else f"at most {target.airing_short_windows}"
        parts.append(f"{counted(airing_windows_short, 'airing response window')} below {service_words(rules)} "
                     f"(target: {allowed}), {airing_windows_short - target.airing_short_windows} too many")
    return "; ".join(parts)


def airing_windows(ads: pd.DataFrame | None, index: pd.DatetimeIndex, rules: Rules) -> list[np.ndarray]:
    """Per airing, the positions in `index` (open intervals) of its response window, as the roster sees it."""
    from scheduler.rules.lunch_airings import airing_mask

    if ads is None or len(ads) == 0:
        return []
    days = pd.DatetimeIndex(sorted(set(index.normalize())))
    where = pd.Series(np.arange(len(index)), index=index)
    offsets = pd.to_timedelta(np.arange(rules.intervals_per_day) * rules.interval_minutes + rules.open_minute, unit="min")
    grid = (days.values[:, None] + offsets.values[None, :])
    out = []
    for k in range(len(ads)):
        mask = airing_mask(ads.iloc[k:k + 1], days, rules)
        starts = pd.DatetimeIndex(grid[mask])
        pos = where.reindex(starts).dropna().to_numpy(int)
        if len(pos):
            out.append(pos)
    return out


def interval_service(roster, requirement, rules: Rules) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Per interval of the roster: at the target service level?, and the expected service (None without calls).

    An interval meets the target when it is staffed to requirement, or when the agents it has still answer
    the target share in time (the requirement may be set by the occupancy cap rather than the service level).
    """
    from scheduler.roster import expected_service

    cov = roster.coverage
    full = cov["staffed"].to_numpy() >= cov["required"].to_numpy()
    perf = expected_service(requirement, cov["staffed"], rules)
    if perf is None:
        return full, None
    level = perf["service_level"].reindex(cov.index).to_numpy(float)
    return full | (level >= rules.service.service_level - 1e-9), perf.reindex(cov.index)


def judge(roster, requirement, rules: Rules, target: Target, windows: list[np.ndarray], agents: int, leaders: int) -> Trial:
    """Whether a solved roster meets `target`: the share of intervals at the target service level, and
    every airing's window at it (calls-weighted over the window; staffed to requirement without calls)."""
    ok, perf = interval_service(roster, requirement, rules)
    cov = roster.coverage
    short_windows = 0
    for pos in windows:
        if perf is None:
            short_windows += int(not ok[pos].all())
            continue
        calls = perf["calls"].to_numpy(float)[pos]
        level = np.nan_to_num(perf["service_level"].to_numpy(float)[pos], nan=1.0)
        if calls.sum() > 0 and (calls * level).sum() / calls.sum() < rules.service.service_level - 1e-9:
            short_windows += 1
    share = float(ok.mean()) if len(ok) else 1.0
    misses = shortfall_words(share, len(ok), short_windows, target, rules)
    k = roster.kpis
    return Trial(
        agents=agents, leaders=leaders, met=not misses, share_met=share, misses=misses,
        short_intervals=int((cov["short"].to_numpy() > 0).sum()), airing_windows_short=short_windows,
        shortfall_agent_intervals=int(cov["short"].sum()),
        service_level=np.nan if k.expected_service_level is None else float(k.expected_service_level),
        abandoned_calls=np.nan if k.expected_abandoned_calls is None else float(k.expected_abandoned_calls),
        status=roster.status, seconds=float(roster.seconds),
    )


# --- the search --------------------------------------------------------------------------------------

@dataclass
class HeadcountResult:
    """The answer and how it was found."""

    agents: int | None  # smallest headcount found meeting the target (None: none tried met it)
    leaders: int | None
    people: int | None  # everyone on the staff list at that headcount (agents, leaders, supervisors)
    lower_bound_agents: int  # from the relaxation: fewer agents cannot meet the target
    estimate_agents: int  # from the relaxation with airing intervals kept staffed: where the search started
    verified: str  # how "one fewer fails" is known: "solve", "bound"; "pinned" (margin within PRECISION); "open"
    margin: int  # agents between the answer and the largest headcount known to fail, minus one (0 = closed)
    curve: pd.DataFrame  # one row per headcount tried, by agents
    bound: Bound
    solves: int  # headcounts tried
    seconds: float
    roster: object | None = None  # the roster at the answer
    staff: pd.DataFrame | None = None
    leave: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def roster_solves(self) -> int:
        """Roster solves in all, re-solves of doubtful ones included (`solves` counts headcounts tried)."""
        return int(self.curve["attempts"].sum()) if len(self.curve) else 0

    def summary(self) -> dict:
        """JSON-ready headline numbers."""
        return {
            "agents": self.agents, "leaders": self.leaders, "people": self.people,
            "lower_bound_agents": self.lower_bound_agents, "estimate_agents": self.estimate_agents,
            "verified": self.verified, "margin": self.margin,
            "solves": self.solves, "roster_solves": self.roster_solves, "seconds": round(self.seconds, 2),
            "notes": self.notes,
        }


def _default_solve(requirement, staff, rules, leave, ads, time_limit_s):
    from scheduler.roster import solve

    return solve(requirement, staff, rules, leave=leave, ads=ads, time_limit_s=time_limit_s, seed=SEED)


def requirement_days(requirement) -> pd.DatetimeIndex:
    """Every day from the requirement's first to its last, as the roster plans them."""
    index = pd.DatetimeIndex(requirement.index)
    return pd.date_range(index.min().normalize(), index.max().normalize(), freq="D")


@dataclass
class Tried:
    """One headcount tried: its point of the curve, and the roster, staff list and leave behind it (None when
    the trial was solved in another process, which sends back only the trial)."""

    trial: Trial
    roster: object | None = None
    staff: pd.DataFrame | None = None
    leave: pd.DataFrame | None = None


@dataclass
class Tryout:
    """Solves the roster for a staff list of a given size and judges it: one point of the curve."""

    requirement: object
    rules: Rules
    staff_mix: pd.DataFrame | None = None
    leave: pd.DataFrame | None = None
    ads: pd.DataFrame | None = None
    target: Target = Target()
    time_limit_s: float = DEFAULT_SOLVE_SECONDS
    solve: Callable | None = None
    windows: list[np.ndarray] | None = None

    def __post_init__(self) -> None:
        self.solve = self.solve or _default_solve
        if self.windows is None:
            self.windows = airing_windows(self.ads, open_intervals(requirement_days(self.requirement), self.rules), self.rules)

    def __call__(self, agents: int) -> Tried:
        """The trial at `agents` agents, with its roster (None when the solver gave up), staff and leave.

        A solve that gives up, or misses the target with a roster far from its own lower bound (gap above
        RETRY_GAP), says little about the headcount: it is solved once more with twice the time.
        """
        staff, lv = synthesize_staff(agents, self.rules, self.staff_mix, self.leave)
        leaders = int(staff["role"].isin(self.rules.leader_roles).sum())
        trial, roster, spent = None, None, 0.0
        for attempt, limit in enumerate((self.time_limit_s, 2 * self.time_limit_s), start=1):
            started = time.monotonic()
            try:
                roster = self.solve(self.requirement, staff, self.rules, lv, self.ads, limit)
            except RuntimeError as exc:  # the solver gave up (e.g. too short a time limit): no roster, no evidence
                roster = None
                trial = Trial(agents, leaders, met=False, share_met=np.nan, short_intervals=0, airing_windows_short=0,
                              shortfall_agent_intervals=0, service_level=np.nan, abandoned_calls=np.nan,
                              status=f"ERROR: {exc}", seconds=np.nan, misses=f"the roster solver gave up: {exc}")
            else:
                trial = judge(roster, self.requirement, self.rules, self.target, self.windows, agents, leaders)
            spent += time.monotonic() - started
            doubtful = roster is None or (not trial.met and float(getattr(roster, "gap", 0.0)) > RETRY_GAP)
            if not doubtful:
                break
        trial.attempts, trial.seconds = attempt, spent
        return Tried(trial, roster, staff, lv)


# Solves the trials at these headcounts (all of them, in any order or at once) and gives them in that order.
RunTrials = Callable[[Tryout, list[int]], list[Tried]]


def in_process(tryout: Tryout, headcounts: list[int]) -> list[Tried]:
    """The trials one after another in this process: the CLI's, the demo's and the notebooks' way."""
    return [tryout(n) for n in headcounts]


def allowed_margin(agents: int) -> int:
    """Untried headcounts below an answer of `agents` the search may leave: PRECISION of it, rounded down."""
    return math.floor(PRECISION * agents + 1e-9)


@dataclass
class Search:
    """Where the headcount search stands: the next headcount to try, the bracket so far (largest known to fail,
    smallest known to meet), and how far it has stepped; `record` moves it on by one trial's verdict.

    From `n` (the estimate) steps of 1, 1, 2, 4, … units away from it until the answer is bracketed, then
    bisection until it is pinned: the estimate is usually within a few per cent, so a unit of a hundredth of
    it brackets a large staff's answer in as few solves as a small staff's.
    """

    n: int
    fail: int  # largest headcount known to fail (by the bound, or a solve)
    unit: int
    ok: int | None = None
    moves: int = 0
    met: dict[int, bool] = field(default_factory=dict)
    done: bool = False

    def record(self, n: int, met: bool) -> None:
        """Take the verdict at `n` agents and choose the next headcount (or end the search)."""
        self.met[n] = met
        if met:
            self.ok = n if self.ok is None else min(self.ok, n)
        else:
            self.fail = max(self.fail, n)
        if self.ok is not None and self.ok - self.fail - 1 <= allowed_margin(self.ok):
            self.done = True
            return
        step = self.unit * 2 ** max(self.moves - 1, 0)
        self.moves += 1
        if self.ok is None:
            self.n = self.n + step
        elif all(v for k, v in self.met.items() if k < self.ok):  # still going down from a met estimate
            self.n = max(self.ok - step, self.fail + 1)
        else:
            self.n = (self.fail + self.ok) // 2

    def ahead(self, width: int, solves_left: int) -> list[int]:
        """Up to `width` headcounts to solve at once: the next one first, then the ones the search would try
        after it whichever way each verdict goes (breadth first, a met verdict's branch before a missed one's),
        never more steps deep than `solves_left`. Whatever the verdicts, the search then consults the same
        headcounts in the same order as one solving them one at a time."""
        batch: list[int] = []
        level = [self]
        for _depth in range(solves_left):
            below = []
            for state in level:
                if state.done:
                    continue
                if state.n not in batch and len(batch) < width:
                    batch.append(state.n)
                for verdict in (True, False):
                    branch = replace(state, met=dict(state.met))
                    branch.record(state.n, verdict)
                    below.append(branch)
            if len(batch) >= width or not below:
                break
            level = below
        return batch


def required_headcount(
    requirement,
    rules: Rules,
    staff_mix: pd.DataFrame | None = None,
    *,
    leave: pd.DataFrame | None = None,
    ads: pd.DataFrame | None = None,
    target: Target = Target(),
    time_limit_s: float = DEFAULT_SOLVE_SECONDS,
    max_solves: int = DEFAULT_MAX_SOLVES,
    start: int | None = None,
    bound: Bound | None = None,
    solve=None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    run_trials: RunTrials = in_process,
    at_once: int = 1,
) -> HeadcountResult:
    """The smallest number of agents (with the leaders that go with them) whose best roster meets `target`.

    `requirement` is what scheduler.roster.solve takes (the staffing table, `scheduled` per interval;
    with `calls` and `aht_s` the service level is judged per interval and per airing window, and the
    curve has expected service level and abandoned calls). Staff lists are synthesized from `staff_mix`
    (with `leave` copied per person, see `synthesize_staff`). Search: the relaxation first (`bound`, when
    already computed for these inputs), a roster at its estimate (or `start`), then steps of 1, 1, 2, 4, …
    units (a hundredth of the start, at least one agent) up or down until the answer is bracketed and
    bisection until at most `allowed_margin` headcounts below it are left untried, at most `max_solves`
    headcounts tried (one roster solve each, two when the first is doubtful: see `Tryout`). Every solve is
    seeded (SEED), so the same inputs give the same answer.
    `solve(requirement, staff, rules, leave, ads, time_limit_s) -> Roster` replaces the roster solver.
    `stop`, once set (from another thread), ends the roster solve under way and the search: the answer is
    what the finished solves showed, with a note.
    `run_trials` solves a batch of headcounts (`in_process`: one after another here; the API's job workers: as
    tasks, side by side); with `at_once` above 1 each batch holds the next headcount and the ones the search
    may try after it (`Search.ahead`), so the answer and the curve are those of the search one at a time.
    """
    started = time.monotonic()
    say = progress or (lambda _msg: None)
    if bound is None:
        share = mix_leave_share(staff_mix, leave, requirement_days(requirement), rules)
        bound = headcount_bound(requirement, rules, ads=ads, leave_share=share, target=target)
    lower = agents_for_on_phone(bound.on_phone, staff_mix, rules)
    notes: list[str] = []
    if not bound.feasible:
        notes.append("the relaxation shows that no headcount meets the target (too many intervals every roster leaves "
                     "short, e.g. when every lunch slot overlaps them); the curve shows what the solves found")
    say(f"bound: {bound.on_phone} on the phones -> at least {lower} agents; estimate {bound.estimate} "
        f"on the phones ({bound.seconds:.1f} s)")
    tryout = Tryout(requirement, rules, staff_mix, leave, ads, target, time_limit_s, solve)
    trials: dict[int, Trial] = {}  # the headcounts the search consulted: the curve
    found: dict[int, Tried] = {}
    ahead: dict[int, Tried] = {}  # solved, not yet consulted (a batch's speculative members)

    def report(trial: Trial, gave_up: bool) -> None:
        n = trial.agents
        if gave_up:
            say(f"{n} agents + {trial.leaders} leaders: the roster solver gave up ({trial.status})")
        else:
            verdict = "meets the target" if trial.met else f"misses the target: {trial.misses}"
            say(f"{n} agents + {trial.leaders} leaders: {trial.share_met:.1%} of intervals at the service level, "
                f"{counted(trial.airing_windows_short, 'airing window')} below it -> {verdict}")

    estimate = agents_for_on_phone(bound.estimate, staff_mix, rules)
    n = max(lower, start if start is not None else estimate)
    search = Search(n=n, fail=lower - 1, unit=max(1, math.floor(PRECISION * n)))
    cut_short = False
    while not search.done and len(trials) < max_solves:
        if search.n not in ahead:
            batch = search.ahead(at_once, max_solves - len(trials))
            if len(batch) > 1:
                say(f"solving {', '.join(map(str, batch))} agents at once (the first is the search's next step, "
                    "the others the steps after it whichever way it goes)")
            with stopping(stop):
                solved = run_trials(tryout, batch)
            if stop is not None and stop.is_set():  # a solve cut short says nothing about its headcount
                notes.append(f"stopped before the search ended, after {counted(len(trials), 'headcount')} tried")
                cut_short = True
                break
            ahead.update(zip(batch, solved))
        n = search.n
        tried = ahead.pop(n)
        trials[n] = tried.trial
        if tried.trial.met:
            found[n] = tried
        report(tried.trial, gave_up=tried.trial.status.startswith("ERROR"))
        search.record(n, tried.trial.met)
    ok, fail = search.ok, search.fail
    if ahead:
        notes.append(f"{counted(len(ahead), 'roster solve')} run ahead at once with the search's steps "
                     f"({', '.join(map(str, sorted(ahead)))} agents) turned out not to be needed")
    if ok is None:
        if not cut_short:
            notes.append(f"no headcount tried (up to {max(trials)} agents) met the target within {counted(max_solves, 'roster solve')}")
        agents, margin, verified = None, 0, "open"
    else:
        agents, margin = ok, ok - fail - 1
        if margin == 0:
            verified = "bound" if fail == lower - 1 else "solve"
        else:
            verified = "pinned" if margin <= allowed_margin(ok) else "open"
        if verified == "solve" and trials[fail].status.startswith("ERROR"):
            verified = "open"
            notes.append(f"the roster solver gave up at {fail} agents, so one fewer is not proven to miss the target")
        above = sorted(k for k, t in trials.items() if k > ok and not t.met)
        if above:
            notes.append(f"rosters at {', '.join(map(str, above))} agents missed the target although {ok} met it: the "
                         "time-limited roster solves are not monotone here, so neighbouring answers are as plausible")
        if verified == "pinned":
            notes.append(f"the target is met at {ok} agents and missed at {fail}; between {fail + 1} and {ok - 1} it was "
                         f"not tried: the answer is pinned to within {_percent(PRECISION)} of itself (up to {margin} lower)")
        elif margin:
            why = "the search was stopped" if cut_short else f"solve limit {max_solves}"
            notes.append(f"the target is met at {ok} agents; between {fail + 1} and {ok - 1} it was not tried "
                         f"({why}), so the answer may be up to {margin} lower")
    curve = pd.DataFrame([vars(t) for t in sorted(trials.values(), key=lambda t: t.agents)]).set_index("agents") \
        if trials else pd.DataFrame()
    answer = found.get(agents, Tried(trials[agents]) if agents is not None else None)
    staff = answer.staff if answer is not None and answer.staff is not None else None
    if staff is None and agents is not None:  # solved in another process: the same list, made again
        staff = synthesize_staff(agents, rules, staff_mix)[0]
    return HeadcountResult(
        agents=agents, leaders=trials[agents].leaders if agents is not None else None,
        people=len(staff) if staff is not None else None, lower_bound_agents=lower, estimate_agents=estimate,
        verified=verified,
        margin=margin, curve=curve, bound=bound, solves=len(trials), seconds=time.monotonic() - started,
        roster=answer.roster if answer is not None else None, staff=staff,
        leave=answer.leave if answer is not None else None, notes=notes,
    )
