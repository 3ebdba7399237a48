"""What a supervisor can still do about the rest of a day, ranked by the calls it saves: move lunches out of
intervals below target into ones with room, call in people on their rest day, offer overtime (staying late,
coming early), and release people early where it is quiet.

Each action is priced with Erlang A under the rules' targets (the callers' patience): the calls it saves are
the abandoned calls it avoids over the rest of the day's expected calls, its cost the paid hours it adds
(a release saves them). The actions are chosen one at a time, each the one saving most on top of those
before it, so their savings add up; releases come last, only on a day that needs no hours added and only
where every interval they leave keeps the service-level target.

One person is priced as (1 - shrinkage) of an agent on the phones: the measures of the whole agent counts on
either side, mixed in that proportion (`_by_people`). The intraday view's service per interval
(scheduler.roster.expected_service) counts the floor of people x (1 - shrinkage) instead, as the roster does;
the two agree wherever that product is whole. They differ on purpose: under the floor, one person more of ten
at 30 % shrinkage (7.0 to 7.7 agents) changes nothing, so a call-in or a moved lunch would be worth nothing
until a second one came, and the ranking would hinge on where the floor falls. So an action's calls saved is
not the difference of the view's `abandoned` column, only close to it.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pandas as pd

from core import times
from core.words import named
from core.rules import Rules, hhmm, minutes_of
from scheduler.on_phones import EXPECTED, PhonesDay, Workday
from scheduler.staffing import performance

MAX_ACTIONS = 10
MAX_RELEASES = 5
# A person called in or asked to come early is not on the phones sooner than this after the look.
NOTICE_MINUTES = 60
# A rest-day call-in is half a day: long enough to be worth the trip, short enough to need no lunch.
CALL_IN_MINUTES = 240
MAX_OVERTIME_MINUTES = 120
# An hour paid is offered only where it saves at least this many calls; an hour released only where it
# costs fewer (and keeps the service-level target).
CALLS_PER_PAID_HOUR = 1.0
# Below half a call an action changes nothing a supervisor could see.
MIN_CALLS_SAVED = 0.5


@dataclass(frozen=True)
class Action(ABC):
    """One thing to do: who, the calls it saves (negative: more lost) and the paid hours it adds (negative:
    saved)."""

    employee_id: str
    calls_saved: float
    paid_hours: float
    kind: ClassVar[str]

    @abstractmethod
    def what(self) -> str:
        """The action in words, without its price, `{who}` standing for the person."""

    @property
    @abstractmethod
    def when(self) -> tuple[int, int]:
        """The minutes of the day it changes: the new lunch, the hours worked or the hours released."""


@dataclass(frozen=True)
class MoveLunch(Action):
    """Lunch moved from `from_minute` to `to_minute` (minutes of the day), `lunch_minutes` long."""

    from_minute: int
    to_minute: int
    lunch_minutes: int

    kind: ClassVar[str] = "move_lunch"

    @property
    def when(self) -> tuple[int, int]:
        return (self.to_minute, self.to_minute + self.lunch_minutes)

    def what(self) -> str:
        return (f"move the lunch of {{who}} from {hhmm(self.from_minute)}–{hhmm(self.from_minute + self.lunch_minutes)} "
                f"to {hhmm(self.to_minute)}–{hhmm(self.to_minute + self.lunch_minutes)}")


@dataclass(frozen=True)
class CallIn(Action):
    """Called in on a rest day to work `start_minute`–`end_minute`."""

    start_minute: int
    end_minute: int

    kind: ClassVar[str] = "call_in"

    @property
    def when(self) -> tuple[int, int]:
        return (self.start_minute, self.end_minute)

    def what(self) -> str:
        return f"call in {{who}} on their rest day for {hhmm(self.start_minute)}–{hhmm(self.end_minute)}"


@dataclass(frozen=True)
class StayLate(Action):
    """Overtime after the shift: `shift_end_minute` to `end_minute`."""

    shift_end_minute: int
    end_minute: int

    kind: ClassVar[str] = "stay_late"

    @property
    def when(self) -> tuple[int, int]:
        return (self.shift_end_minute, self.end_minute)

    def what(self) -> str:
        return f"overtime: {{who}} stays {hhmm(self.shift_end_minute)}–{hhmm(self.end_minute)}"


@dataclass(frozen=True)
class ComeEarly(Action):
    """Overtime before the shift: `start_minute` to `shift_start_minute`."""

    start_minute: int
    shift_start_minute: int

    kind: ClassVar[str] = "come_early"

    @property
    def when(self) -> tuple[int, int]:
        return (self.start_minute, self.shift_start_minute)

    def what(self) -> str:
        return f"overtime: {{who}} comes in early, {hhmm(self.start_minute)}–{hhmm(self.shift_start_minute)}"


@dataclass(frozen=True)
class Release(Action):
    """Sent home at `start_minute` instead of the shift's end `shift_end_minute`."""

    start_minute: int
    shift_end_minute: int

    kind: ClassVar[str] = "release"

    @property
    def when(self) -> tuple[int, int]:
        return (self.start_minute, self.shift_end_minute)

    def what(self) -> str:
        return f"release {{who}} early at {hhmm(self.start_minute)} (shift ends {hhmm(self.shift_end_minute)})"


# Every kind of action, as the API's schema lists them.
ACTION_KINDS = tuple(a.kind for a in (MoveLunch, CallIn, StayLate, ComeEarly, Release))


@dataclass(frozen=True)
class _Candidate:
    action: Action
    change: np.ndarray  # people on the phones added (+1) or taken (-1) per interval of the rest of the day


class _Day:
    """The rest of the day's people on the phones, lost calls and service level per count of people."""

    def __init__(self, phones: PhonesDay, index: pd.DatetimeIndex, calls: np.ndarray, upper: np.ndarray,
                 aht_s: np.ndarray, rules: Rules, headroom: int):
        self.rules = rules
        self.minute = times.minute_of_day(index)
        self.step = rules.interval_minutes
        self.count = phones.present(index).to_numpy(np.int64)
        top = int(self.count.max(initial=0)) + headroom + 1
        self.lost = calls[:, None] * _by_people(calls, aht_s, top, "abandon_rate", rules)
        # A release must hold even if the calls reach the forecast's upper bound.
        self.level_at_upper = _by_people(upper, aht_s, top, "service_level_a", rules)
        self.top = top
        self.rows = np.arange(len(index))

    def at(self, count: np.ndarray) -> np.ndarray:
        return np.clip(count, 0, self.top)

    def lost_with(self, change: np.ndarray | int = 0) -> np.ndarray:
        """Calls lost per interval with `change` people more on the phones (per interval, or in every one)."""
        return self.lost[self.rows, self.at(self.count + change)]

    def saved(self, change: np.ndarray) -> float:
        return float((self.lost_with() - self.lost_with(change)).sum())

    def marginal(self) -> np.ndarray:
        """Calls one more person on the phones saves in each interval."""
        return self.lost_with() - self.lost_with(1)

    def span(self, start: int, end: int) -> np.ndarray:
        return (self.minute >= start) & (self.minute < end)


def _by_people(calls: np.ndarray, aht_s: np.ndarray, top: int, column: str, rules: Rules) -> np.ndarray:
    """Erlang A's `column` per interval (rows) for 0 to `top` people there (columns), each person on the phones
    (1 - shrinkage) of the time: the measure of the floor of their expected agents mixed with the next whole
    agent's in the fraction, so that every person counts (the module's docstring says why not the floor alone)."""
    on = np.arange(top + 1) * (1 - rules.service.shrinkage)
    low = np.floor(on + 1e-9)  # the floor expected_service takes, with its tolerance
    share, whole = on - low, low.astype(np.int64)
    agents = np.arange(int(low.max()) + 2)
    n, k = len(calls), len(agents)
    perf = performance(pd.Series(np.repeat(calls, k)), pd.Series(np.repeat(aht_s, k)),
                       pd.Series(np.tile(agents, n).astype(float)), rules.service, rules.interval_minutes)
    by_agents = perf[column].to_numpy().reshape(n, k)
    return by_agents[:, whole] * (1 - share) + by_agents[:, whole + 1] * share


def _worth(intervals: int, step: int) -> float:
    return CALLS_PER_PAID_HOUR * intervals * step / 60


def _lunch_moves(day: _Day, people: list[Workday], at_minute: int, airing: np.ndarray, used: set[str]) -> list[_Candidate]:
    rules = day.rules
    a, b = rules.stagger_fraction
    out = []
    for code in {w.shift for w in people}:
        shift = rules.shift(code)
        mine = [w for w in people if w.shift == code]
        cap = math.ceil(a * len(mine) / b)
        together = np.zeros(len(day.minute), np.int64)
        for w in mine:
            if w.lunch_minute is not None:
                together += day.span(w.lunch_minute, w.lunch_minute + w.lunch_minutes)
        first, last = minutes_of(shift.lunch_earliest), minutes_of(shift.lunch_latest_end) - shift.unpaid_break_minutes
        starts = [m for m in range(first, last + 1, day.step) if m >= at_minute]
        movable = {}
        for w in sorted(mine, key=lambda w: w.employee_id):
            if w.lunch_minute is not None and w.lunch_minute >= at_minute and w.employee_id not in used:
                movable.setdefault(w.lunch_minute, w)
        for old, w in movable.items():
            old_span = day.span(old, old + w.lunch_minutes)
            for new in starts:
                new_span = day.span(new, new + w.lunch_minutes)
                if new == old or (airing & new_span).any() or (together[new_span & ~old_span] + 1 > cap).any():
                    continue
                change = old_span.astype(np.int64) - new_span
                out.append(_Candidate(MoveLunch(w.employee_id, day.saved(change), 0.0, old, new, w.lunch_minutes), change))
    return out


def _kept_run(marginal: np.ndarray, order: np.ndarray, step: int) -> int:
    """How many intervals of `order` (from the shift's edge outwards) are each worth an hour's pay share."""
    kept = 0
    for i in order:
        if marginal[i] < _worth(1, step):
            break
        kept += 1
    return kept


def _overtime(day: _Day, people: list[Workday], at_minute: int, used: set[str]) -> list[_Candidate]:
    rules = day.rules
    marginal = day.marginal()
    earliest = at_minute + NOTICE_MINUTES
    out = []
    firsts = {}
    for w in sorted(people, key=lambda w: w.employee_id):
        if w.employee_id not in used and w.rostered:
            firsts.setdefault((w.shift, w.status == EXPECTED), w)
    for (code, expected), w in firsts.items():
        later = np.flatnonzero(day.span(w.end_minute, min(rules.close_minute, w.end_minute + MAX_OVERTIME_MINUTES)))
        kept = _kept_run(marginal, later, day.step)
        if kept:
            change = np.zeros(len(day.minute), np.int64)
            change[later[:kept]] = 1
            end = w.end_minute + kept * day.step
            out.append(_Candidate(StayLate(w.employee_id, day.saved(change), kept * day.step / 60, w.end_minute, end), change))
        if expected and w.start_minute > earliest:
            sooner = np.flatnonzero(day.span(max(earliest, w.start_minute - MAX_OVERTIME_MINUTES, rules.open_minute),
                                             w.start_minute))[::-1]
            kept = _kept_run(marginal, sooner, day.step)
            if kept:
                change = np.zeros(len(day.minute), np.int64)
                change[sooner[:kept]] = 1
                start = w.start_minute - kept * day.step
                out.append(_Candidate(ComeEarly(w.employee_id, day.saved(change), kept * day.step / 60, start,
                                                w.start_minute), change))
    return out


def _call_in(day: _Day, resting: list[str], at_minute: int, used: set[str]) -> list[_Candidate]:
    rules = day.rules
    free = [e for e in resting if e not in used]
    if not free:
        return []
    arrival = -(-(at_minute + NOTICE_MINUTES) // day.step) * day.step
    out = []
    for start in range(arrival, rules.close_minute - day.step + 1, day.step):
        end = min(start + CALL_IN_MINUTES, rules.close_minute)
        if end - start < CALL_IN_MINUTES and start != arrival:
            break  # a shorter window later in the day saves no more than the full one before it
        change = day.span(start, end).astype(np.int64)
        out.append(_Candidate(CallIn(free[0], day.saved(change), (end - start) / 60, start, end), change))
    return out


def _release(day: _Day, people: list[Workday], airing: np.ndarray, used: set[str], agents: set[str]) -> _Candidate | None:
    """The release that sends one agent home soonest, after the day's last airing (everyone on shift takes
    its calls), with every interval it leaves at or above the target even at the forecast's upper bound, and
    costing fewer calls than the hours it saves are worth."""
    target = day.rules.service.service_level
    ok = ((day.level_at_upper[day.rows, day.at(day.count - 1)] >= target)
          & (day.lost_with(-1) - day.lost_with() < _worth(1, day.step)))
    aired = np.flatnonzero(airing)
    after = int(day.minute[aired[-1]]) + day.step if len(aired) else int(day.minute[0])
    best = None
    seen = set()
    for w in sorted(people, key=lambda w: w.employee_id):
        same = (w.start_minute, w.end_minute, w.lunch_minute)
        if w.employee_id in used or w.employee_id not in agents or w.end_minute <= after or same in seen:
            continue
        seen.add(same)  # the first of those working the same hours stands for them all
        on = w.on_phones(day.minute)
        blocked = day.minute[on & ~ok]
        start = max(after, int(blocked.max()) + day.step if len(blocked) else after)
        if start >= w.end_minute or (best is not None and start >= best.action.start_minute):
            continue
        change = -(on & day.span(start, w.end_minute)).astype(np.int64)
        hours = -change.sum() * day.step / 60
        best = _Candidate(Release(w.employee_id, day.saved(change), -hours, start, w.end_minute), change)
    return best


def ranked_actions(phones: PhonesDay, rest: pd.DataFrame, airing: np.ndarray, resting: list[str],
                   agents: set[str], rules: Rules) -> list[Action]:
    """The actions for the rest of the day (`rest`: per interval from the look, the expected `mean` calls, their
    80 % `upper` bound and the handle time `aht_s`), ranked by calls saved: the people on the phones are `phones`' present ones,
    `airing` marks the intervals of `rest` no lunch may fall in, `resting` are the agents on a rest day who
    can be called in, `agents` those who may be released (not leaders). Empty without the callers' patience
    (rules.service.patience_s), which prices them."""
    if rules.service.patience_s is None or rest.empty:
        return []
    at_minute = int(times.minute_of_day(rest.index[:1])[0])
    day = _Day(phones, pd.DatetimeIndex(rest.index), rest["mean"].to_numpy(float), rest["upper"].to_numpy(float),
               rest["aht_s"].to_numpy(float), rules, headroom=MAX_ACTIONS + 1)
    people = {w.employee_id: w for w in phones.people if w.present}
    used: set[str] = set()
    chosen: list[Action] = []
    for _ in range(MAX_ACTIONS):
        present = list(people.values())
        candidates = (_lunch_moves(day, present, at_minute, airing, used) + _overtime(day, present, at_minute, used)
                      + _call_in(day, resting, at_minute, used))
        worth = [c for c in candidates
                 if c.action.calls_saved >= max(MIN_CALLS_SAVED, CALLS_PER_PAID_HOUR * c.action.paid_hours)]
        if not worth:
            break
        best = max(worth, key=lambda c: (c.action.calls_saved, -c.action.paid_hours))
        chosen.append(best.action)
        used.add(best.action.employee_id)
        day.count = day.count + best.change
        if isinstance(best.action, MoveLunch):
            people[best.action.employee_id] = replace(people[best.action.employee_id], lunch_minute=best.action.to_minute)
    # A day that needs hours added sends no one home.
    releases = 0 if any(a.paid_hours > 0 for a in chosen) else MAX_RELEASES
    for _ in range(releases):
        release = _release(day, list(people.values()), airing, used, agents)
        if release is None:
            break
        chosen.append(release.action)
        used.add(release.action.employee_id)
        day.count = day.count + release.change
    return chosen


def action_lines(actions: list[Action], names: dict[str, str] | None = None) -> list[str]:
    """The ranked actions in words: what to do and who, the calls it saves and the paid hours it costs."""
    names = names or {}
    lines = []
    for rank, a in enumerate(actions, 1):
        who = named(a.employee_id, names)
        if a.paid_hours < 0:
            price = f"{max(-a.calls_saved, 0.0) + 0.0:.1f} more calls lost, {-a.paid_hours:.2f} paid hours saved"
        else:
            paid = "no paid hours" if a.paid_hours == 0 else f"{a.paid_hours:.2f} paid hours"
            price = f"{a.calls_saved:.1f} calls saved, {paid}"
        lines.append(f"{rank}. {a.what().format(who=who)}: {price}")
    return lines
