"""Agents' requests against a published roster: the days each would change, who decides it (group leader →
team leader → supervisor, by the [requests] rules' allowances), whether the rules approve it at once, and
its impact: expected service level and abandoned calls per interval it touches, before and after (the Erlang
models of scheduler.roster.expected_service), and the roster rules it would newly break."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from core.rules import Rules
from scheduler.on_phones import rostered_on_phones
from scheduler.roster import expected_service
from scheduler.rules import ROSTER_RULES
from scheduler.rules.table import roster_table
from shiftcast.exports.labels import LEAVE, REST
from shiftcast.exports.roster_frames import assignments_of, is_worked
from shiftcast.publishing import DayChange

Kind = Literal["leave", "rest", "work", "shift", "swap"]
DAYS_OFF = ("leave", "rest")
LEVELS = ("group_leader", "team_leader", "supervisor")
# The hard rules of whole days a request can break (a leave request is the leave's approval, so not "approved
# leave"); lunches are placed by the re-plan, not judged on a guess.
DAY_RULES = ("allowed shifts", "rest days per week", "maximum consecutive work days",
             "paid-hour cap", "paid-hour minimum", "leader on every shift")


@dataclass(frozen=True)
class Asked:
    """A request as made: leave or a rest day on `days`, work on a rest day (`work`) or a shift wished
    (`shift`, with its code), or a swap of the days with colleague `partner` (both agree)."""

    kind: Kind
    employee_id: str
    days: tuple[dt.date, ...]
    shift: str | None = None
    partner: str | None = None


@dataclass(frozen=True)
class Routing:
    """Who decides a request and why not the rules at once (in words; none: the rules approve it)."""

    level: str  # group_leader, team_leader or supervisor
    reasons: tuple[str, ...]

    @property
    def auto_approved(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class DaysOffTaken:
    """Days off already approved or pending per (group name, day) and per (team name, day), apart so that a
    group and a team of the same name do not count each other's."""

    by_group: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    by_team: dict[tuple[str, dt.date], int] = field(default_factory=dict)


@dataclass(frozen=True)
class IntervalImpact:
    """One interval a request touches: agents on shift, expected service level and abandoned calls, before
    and after (service figures None when the roster's requirement carries no calls)."""

    interval_start: str
    calls: float | None
    staffed_before: int
    staffed_after: int
    service_level_before: float | None
    service_level_after: float | None
    abandoned_before: float | None
    abandoned_after: float | None


@dataclass(frozen=True)
class Impact:
    intervals: tuple[IntervalImpact, ...]
    below_target: int  # intervals the change takes below the service target
    rules_broken: tuple[str, ...]  # roster rules the change would newly break, in words


class RequestError(ValueError):
    """A request that cannot be made, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def requested_changes(asked: Asked, roster: Any, rules: Rules, names: dict[str, str]) -> list[DayChange]:
    """The days the request would change on the roster, from what to what; a RequestError when it changes
    nothing or cannot hold (a shift not in the rules, a swap of equal days, work asked on a day worked)."""
    a = assignments_of(roster)
    cells = dict(zip(zip(a["employee_id"], a["date"].dt.date), a["shift"]))
    if asked.shift is not None and asked.shift not in rules.shift_codes:
        raise RequestError("shift", f"shift {asked.shift!r} is not one of the rules' shifts "
                                    f"({', '.join(rules.shift_codes)})")
    out = []
    for day in asked.days:
        if (asked.employee_id, day) not in cells:
            raise RequestError("days", f"{day} is not a day of the roster's month")
        mine = cells[(asked.employee_id, day)]
        if asked.kind == "swap":
            theirs = cells[(asked.partner, day)]
            if theirs != mine:
                out += [DayChange(asked.employee_id, names[asked.employee_id], str(day), mine, theirs),
                        DayChange(asked.partner, names[asked.partner], str(day), theirs, mine)]
            continue
        if asked.kind == "work" and is_worked(mine):
            raise RequestError("days", f"{day}: {asked.employee_id} works {mine} already; a work request is for a "
                                       "day off (a shift request changes a shift)")
        wanted = {"leave": LEAVE, "rest": REST}.get(asked.kind) or asked.shift or rules.shift_codes[0]
        if wanted != mine:
            out.append(DayChange(asked.employee_id, names[asked.employee_id], str(day), mine, wanted))
    if not out:
        raise RequestError("days", "the roster already has this: the request changes no day")
    return out


def routing(asked: Asked, group: str, team: str, today: dt.date, rules: Rules,
            days_off_taken: DaysOffTaken) -> Routing:
    """Who decides the request and whether the rules approve it at once."""
    r = rules.requests
    reasons, level = [], "group_leader"
    blackout = [d for d in asked.days if d in r.blackout_days]
    if blackout:
        reasons.append(f"{', '.join(map(str, blackout))} is a blackout day: the supervisor decides")
        level = "supervisor"
    notice = (min(asked.days) - today).days
    if notice < r.notice_days:
        reasons.append(f"asked {notice} day(s) ahead; the rules ask {r.notice_days}")
    if asked.kind in DAYS_OFF:
        for day in asked.days:
            in_group = days_off_taken.by_group.get((group, day), 0)
            in_team = days_off_taken.by_team.get((team, day), 0)
            if in_team >= r.team_days_off_per_day:
                reasons.append(f"{day}: {in_team} of team {team} off already, the team leader's allowance is "
                               f"{r.team_days_off_per_day}: the supervisor decides")
                level = "supervisor"
            elif in_group >= r.group_days_off_per_day:
                reasons.append(f"{day}: {in_group} of group {group} off already, the group leader's allowance is "
                               f"{r.group_days_off_per_day}: the team leader decides")
                if level == "group_leader":
                    level = "team_leader"
    if not r.auto_approve:
        reasons.append("the rules approve nothing without a leader (auto_approve = false)")
    return Routing(level, tuple(reasons))


def _lunch_guessed(rules: Rules, code: str) -> str | None:
    """A shift added takes its lunch at the shift's earliest lunch time (the re-plan places it); a day off none."""
    return rules.shift(code).lunch_earliest if is_worked(code) else None


def changed_assignments(a: pd.DataFrame, rules: Rules, changes: Sequence[DayChange]) -> pd.DataFrame:
    """The assignments (as assignments_of gives them) with the changes made."""
    at = {(c.employee_id, pd.Timestamp(c.date)): c.after for c in changes}
    keys = list(zip(a["employee_id"], a["date"]))
    changed = a.copy()
    changed["shift"] = [at.get(k, s) for k, s in zip(keys, a["shift"])]
    changed["lunch_start"] = [_lunch_guessed(rules, at[k]) if k in at else lunch
                              for k, lunch in zip(keys, a["lunch_start"])]
    return changed


def _on_phones_delta(before: pd.DataFrame, after: pd.DataFrame, staff: pd.DataFrame, rules: Rules,
                     index: pd.DatetimeIndex) -> pd.Series:
    """Per interval of `index`, how many agents on the phones the changes add (+) or take away (−)
    (scheduler.on_phones counts them: on a shift, not at lunch, in a role that takes calls)."""
    return rostered_on_phones(after, staff, rules, index) - rostered_on_phones(before, staff, rules, index)


def coverage_impact(roster: Any, requirement: pd.DataFrame | None, staff: pd.DataFrame, rules: Rules,
                    changes: Sequence[DayChange]) -> Impact:
    """What the changes do to the intervals they touch and to the roster's rules."""
    staffed = roster.coverage["staffed"]
    days = {pd.Timestamp(c.date) for c in changes}
    index = staffed.index[staffed.index.normalize().isin(list(days))]
    was = assignments_of(roster)
    now = changed_assignments(was, rules, changes)
    delta = _on_phones_delta(was, now, staff, rules, index)
    delta = delta[delta != 0]
    touched = delta.index
    before = staffed.reindex(touched).astype(int)
    after = (before + delta.reindex(touched)).clip(lower=0)
    perf_before = expected_service(requirement, before, rules) if requirement is not None else None
    perf_after = expected_service(requirement, after, rules) if requirement is not None else None

    def figures(perf, t):
        if perf is None:
            return None, None, None
        row = perf.loc[t]
        rate = row.get("abandon_rate")
        abandoned = None if rate is None or pd.isna(rate) else round(float(rate) * float(row["calls"]), 2)
        return float(row["calls"]), round(float(row["service_level"]), 4), abandoned

    rows = []
    target = rules.service.service_level
    below = 0
    for t in touched:
        calls, sl_b, ab_b = figures(perf_before, t)
        _, sl_a, ab_a = figures(perf_after, t)
        if sl_a is not None and sl_a < target <= (sl_b if sl_b is not None else np.inf):
            below += 1
        rows.append(IntervalImpact(t.strftime("%Y-%m-%dT%H:%M"), calls, int(before[t]), int(after[t]), sl_b, sl_a,
                                   ab_b, ab_a))
    return Impact(tuple(rows), below, tuple(_new_violations(was, now, staff, rules)))


def _day_rule_violations(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules) -> list[str]:
    t = roster_table(assignments, staff, rules)
    return [v for rule in ROSTER_RULES if rule.name in DAY_RULES for v in rule.check(t)]


def _new_violations(before: pd.DataFrame, after: pd.DataFrame, staff: pd.DataFrame, rules: Rules) -> list[str]:
    """The day rules `after` breaks that `before` did not."""
    was = set(_day_rule_violations(before, staff, rules))
    return [v for v in _day_rule_violations(after, staff, rules) if v not in was]
