"""No lunch during an airing (`ad_response_window_minutes`): lunches stay clear of every airing's
response window; where airings leave a shift too few clear lunch hours for the stagger rule, the rest
lunch where they leave the airings least short, and the roster says who and why."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from core import times
from core.rules import MINUTES_A_DAY, hhmm
from scheduler.conflicts import Conflict, names, shift_name
from scheduler.roster_problem import two_days
from scheduler.rules.base import DayCounts, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from core.rules import Rules
    from scheduler.rules.table import RosterTable


class LunchOptions(NamedTuple):
    ok: np.ndarray  # (D, S, max slots) bool: slot allowed (clear of airings unless forced)
    clear: np.ndarray  # (D, S, max slots) bool: slot clear of airings
    cost: np.ndarray  # (D, S, max slots) int objective cost of one on-phone lunch starting there
    forced: list[tuple[int, int]]  # (day, shift) whose clear slots cannot hold the lunches: every slot allowed


def disjoint_lunches(starts: list[int], length: int) -> int:
    """How many lunches of `length` intervals starting at `starts` fit without overlapping."""
    count, free_from = 0, -1
    for l in sorted(starts):
        if l >= free_from:
            count, free_from = count + 1, l + length
    return count


def lunch_options(airing: np.ndarray, slots: list[list[int]], lengths: np.ndarray, rules: Rules) -> LunchOptions:
    """Which lunch slots each day's shifts may use, and what a lunch in an airing costs."""
    D, S = airing.shape[0], len(slots)
    width = max(max((len(x) for x in slots), default=0), 1)
    ok = np.zeros((D, S, width), bool)
    clear = np.zeros_like(ok)
    cost = np.zeros(ok.shape, np.int64)
    forced = []
    wide = two_days(airing)  # slots past T lie on the next day's grid (a night shift's lunch after midnight)
    for d in range(D):
        for s, here in enumerate(slots):
            if not here:
                continue
            length = int(lengths[s])
            hits = np.array([wide[d, l:l + length].sum() for l in here])
            free = hits == 0
            clear[d, s, :len(here)] = free
            # A lunch in an airing costs like an agent missing from an ordinary interval for each
            # airing interval it overlaps, so lunches stay clear of airings wherever coverage allows.
            cost[d, s, :len(here)] = rules.weights.overstaffing * hits
            if rules.lunches_fit(disjoint_lunches([l for l, c in zip(here, free) if c], length)):
                ok[d, s, :len(here)] = free
            else:
                # too few clear slots for every lunch under the stagger cap: any slot in the window; the
                # lunch cost and the coverage objective put the rest where they cost least
                ok[d, s, :len(here)] = True
                forced.append((d, s))
    return LunchOptions(ok, clear, cost, forced)


def airing_mask(ads: pd.DataFrame | None, days: pd.DatetimeIndex, rules: Rules) -> np.ndarray:
    """(D, T) True where an interval overlaps an airing's response window (its start to the longer of
    `ad_response_window_minutes` and its duration after)."""
    D, T = len(days), rules.intervals_per_day
    mask = np.zeros((D, T), bool)
    if ads is None or len(ads) == 0 or D == 0:
        return mask
    step = rules.interval_minutes
    window = pd.to_timedelta(rules.ad_response_window_minutes, unit="min")
    day_of = {day: i for i, day in enumerate(days)}
    durations = pd.to_timedelta(ads["duration_s"].to_numpy(np.int64) if "duration_s" in ads else 0, unit="s")
    starts = pd.DatetimeIndex(ads["start"])
    ends = starts + np.maximum(window, durations)
    # Only the airings whose window reaches one of the days: callers pass a whole ad history for one day.
    near = (ends > days.min()) & (starts < days.max() + pd.Timedelta(days=1))
    for start, end in zip(starts[near], ends[near]):
        # every interval [a, a+step) with a < end and a+step > start
        a = start.floor(f"{step}min")
        while a < end:
            d = day_of.get(a.normalize())
            t = (a.hour * 60 + a.minute - rules.open_minute) // step
            if d is not None and 0 <= t < T:
                mask[d, t] = True
            a += pd.Timedelta(minutes=step)
    return mask


def airing_intervals(ads: pd.DataFrame | None, index: pd.DatetimeIndex, rules: Rules) -> np.ndarray:
    """True for the intervals of `index` (any open intervals of the rules' grid) inside an airing's response
    window, as airing_mask sees them."""
    index = pd.DatetimeIndex(index)
    days = index.normalize().unique()
    mask = airing_mask(ads, days, rules)
    d = days.get_indexer(index.normalize())
    t = (times.minute_of_day(index) - rules.open_minute) // rules.interval_minutes
    inside = (t >= 0) & (t < mask.shape[1])
    out = np.zeros(len(index), bool)
    out[inside] = mask[d[inside], t[inside]]
    return out


class LunchAirings(RosterRule):
    name = "no lunch during an airing"
    keys = ("ad_response_window_minutes",)
    objective_key = "lunch_in_airing"

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        terms = []
        for (d, s), here in m.lunches.items():
            position = {l: k for k, l in enumerate(p.lunch_slots[s])}
            terms += [Term(int(p.lunch_cost[d, s, position[l]]), x) for l, x in here.items()]
        return terms

    def cost(self, r: RosterDays) -> int:
        """Objective cost of the on-phone lunches (RosterProblem.lunch_cost)."""
        p, shift, lunch = r.problem, r.shift, r.lunch
        total = 0
        e_idx, d_idx = np.nonzero(p.on_phone[:, None] & (shift >= 0) & (lunch >= 0))
        for s, slots in enumerate(p.lunch_slots):
            if not slots:
                continue
            slot_of = np.full(2 * p.n_intervals, -1, np.int64)
            slot_of[slots] = np.arange(len(slots))
            mine = shift[e_idx, d_idx] == s
            e, d = e_idx[mine], d_idx[mine]
            total += int(p.lunch_cost[d, s, slot_of[lunch[e, d]]].sum())
        return total

    def explain(self, r: RosterDays) -> list[Conflict]:
        """Days when a shift's people lunch during airings: airings cover every possible lunch hour, or
        leave too few clear lunch hours for the stagger rule (at most a share of the shift together)."""
        p, shift, lunch_start = r.problem, r.shift, r.lunch
        out = []
        rules = p.rules
        for d, s in p.lunch_forced:
            people = np.flatnonzero(shift[:, d] == s)
            length = int(p.lunch_len[s])
            airing = two_days(p.airing)
            inside = [e for e in people if lunch_start[e, d] >= 0
                      and airing[d, lunch_start[e, d]:lunch_start[e, d] + length].any()]
            if not inside:
                continue
            t = rules.shifts[s]
            day = p.days[d].date().isoformat()
            slots = p.lunch_slots[s]
            clear = [hhmm((rules.open_minute + l * rules.interval_minutes) % MINUTES_A_DAY) for i, l in enumerate(slots) if p.lunch_clear[d, s, i]]
            phones = int(p.on_phone[people].sum())
            together = f"at most {p.lunch_cap(phones)} of its {phones} people on the phones may be at lunch at the " \
                       f"same time (lunch stagger share {rules.lunch_stagger_share:g})"
            if clear:
                hours = "one airing-free lunch hour" if len(clear) == 1 else "airing-free lunch hours that overlap"
                why = (f"airings leave {shift_name(p, s)} only {hours} (starting {', '.join(clear)}, lunch window "
                       f"{t.lunch_earliest}–{t.lunch_latest_end}) and {together}")
            else:
                why = (f"airings cover every possible lunch hour of {shift_name(p, s)} "
                       f"(lunch window {t.lunch_earliest}–{t.lunch_latest_end}); {together}")
            ids = [p.ids[e] for e in inside]
            shown = names(ids) if len(ids) <= 8 else ", ".join(ids[:8]) + f" and {len(ids) - 8} more"
            out.append(Conflict(self.name, day, tuple(ids),
                                f"On {day} {why}: {len(ids)} of its people lunch during airings ({shown}), "
                                f"placed where they leave the airings least short."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        window = pd.Timedelta(minutes=t.rules.ad_response_window_minutes)
        spans = [(start, start + max(window, pd.Timedelta(seconds=int(duration))))
                 for start, duration in zip(pd.to_datetime(t.ads["start"]), t.ads["duration_s"])] if t.ads is not None else []
        for emp, day, code, lunch in t.lunches():
            if lunch is None:
                continue
            t0 = day + pd.Timedelta(minutes=t.codes[code].minute_in_shift(lunch))
            t1 = t0 + pd.Timedelta(minutes=t.codes[code].unpaid_break_minutes)
            for a0, a1 in spans:
                if a0 < t1 and t0 < a1:
                    out.append(f"{self.name}: {emp} lunches at {lunch} on {day.date()} during the airing at {a0:%H:%M}")
                    break
        return out


RULE = LunchAirings()
