"""A leader on every shift (`leaders_per_shift`, `leader_roles`): each shift opens with a meeting a
leader runs. Soft in the models at a cost no coverage can outweigh, so a month where leave leaves a
shift leaderless still gets a roster, with the reason in words."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.conflicts import Conflict, names, shift_name
from scheduler.rules.base import CountValues, DayCounts, PersonDays, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem
    from scheduler.rules.table import RosterTable

# A shift without its leader costs more than any coverage could gain.
LEADER_MISSING_COST = 1_000_000


def leaders_missing(r: RosterDays) -> int:
    """Leaders missing from the roster's shifts, summed over days and shifts."""
    p = r.problem
    leaders = np.flatnonzero(p.leader)
    need = p.rules.leaders_per_shift
    return sum(max(need - int((r.shift[leaders, d] == s).sum()), 0)
               for d in range(p.n_days) for s in range(len(p.shift_codes)))


def leader_needed(p: RosterProblem, shift: np.ndarray, e: int, d: int) -> bool:
    """Whether person e is a leader their shift of day d cannot spare: without them it has fewer than
    `leaders_per_shift` leaders. `shift` is the (E, D) shift index of each person and day."""
    return bool(p.leader[e]) and int((p.leader & (shift[:, d] == shift[e, d])).sum()) <= p.rules.leaders_per_shift


class LeaderPerShift(RosterRule):
    name = "leader on every shift"
    keys = ("leaders_per_shift", "leader_roles")
    objective_key = "leaders_missing"

    def aggregate(self, m: DayCounts) -> list[Term]:
        need = m.problem.rules.leaders_per_shift
        if need <= 0:
            return []
        missing = {}
        for (d, s), leaders in m.leaders.items():
            miss = m.model.new_int_var(0, need, f"leader_missing_d{d}_s{s}")
            m.model.add(leaders + miss >= need)
            missing[d, s] = miss
        m.owned[self.name] = missing
        return [Term(LEADER_MISSING_COST, x) for x in missing.values()]

    def hint(self, m: DayCounts, values: CountValues) -> None:
        p = m.problem
        leaders = np.zeros((p.n_days, len(p.shift_codes)), np.int64)
        for (c, d, s), v in values.y.items():
            leaders[d, s] += int(v) * p.classes[c].leader
        for (d, s), miss in m.owned.get(self.name, {}).items():
            m.model.add_hint(miss, max(p.rules.leaders_per_shift - int(leaders[d, s]), 0))

    def person(self, m: PersonDays) -> list[Term]:
        """In the model choosing the leaders' rest days: enough of them free for every shift each day."""
        p = m.problem
        need = p.rules.leaders_per_shift
        if not m.leaders_first or need <= 0:
            return []
        terms = []
        S = len(p.shift_codes)
        for d in range(p.n_days):
            for s in range(S):
                able = [1 - m.rest[e, d] for e in m.people if (e, d) in m.rest and p.allowed[e, s]]
                miss = m.model.new_int_var(0, need, f"leaders_short_d{d}_s{s}")
                m.model.add(sum(able) + miss >= need)
                terms.append(Term(LEADER_MISSING_COST, miss))
            working = [1 - m.rest[e, d] for e in m.people if (e, d) in m.rest]
            miss = m.model.new_int_var(0, need * S, f"leaders_short_d{d}")
            m.model.add(sum(working) + miss >= need * S)
            terms.append(Term(LEADER_MISSING_COST, miss))
        return terms

    def cost(self, r: RosterDays) -> int:
        return LEADER_MISSING_COST * leaders_missing(r)

    def explain(self, r: RosterDays) -> list[Conflict]:
        """Shifts and days without enough leaders, and why each leader was not there."""
        p, shift = r.problem, r.shift
        need = p.rules.leaders_per_shift
        out = []
        leaders = np.flatnonzero(p.leader)
        for d, day in enumerate(p.days):
            for s in range(len(p.shift_codes)):
                present = int((shift[leaders, d] == s).sum())
                if present >= need:
                    continue
                reasons: dict[str, list[str]] = {}
                for e in leaders:
                    if shift[e, d] == s:
                        continue
                    if p.leave[e, d]:
                        why = "on leave"
                    elif not p.allowed[e, s]:
                        others = [p.shift_codes[k] for k in np.flatnonzero(p.allowed[e])]
                        why = f"may only work {'/'.join(others)}"
                    elif shift[e, d] == -1 and p.fixed_off[e, d]:
                        why = f"on a weekday their contract '{p.rules.contracts[p.contract_of[e]].name}' keeps off"
                    elif shift[e, d] == -1:
                        why = "on a rest day the weekly rest and consecutive-day rules require"
                    else:
                        why = f"needed on shift {p.shift_codes[shift[e, d]]}"
                    reasons.setdefault(why, []).append(p.ids[e])
                parts = [f"{names(ids)} {'is' if len(ids) == 1 else 'are'} {why}" for why, ids in reasons.items()]
                what = "no leader works" if present == 0 else f"only {present} of {need} leaders work"
                detail = "; ".join(parts) if parts else "there are no leaders in the staff list"
                out.append(Conflict(self.name, day.date().isoformat(), tuple(p.ids[e] for e in leaders),
                                    f"On {day.date().isoformat()} {what} {shift_name(p, s)}: {detail}."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        rules = t.rules
        leaders = set(t.staff.loc[t.staff["role"].isin(rules.leader_roles), "employee_id"])
        need = rules.leaders_per_shift
        for day in t.days:
            col = t.table[day]
            for code in t.codes:
                present = sum(1 for e in leaders if col.get(e) == code)
                if present < need:
                    out.append(f"{self.name}: {present} leaders on shift {code} on {day.date()}, needs {need}")
        return out


RULE = LeaderPerShift()
