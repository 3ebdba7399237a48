"""People wanted on a shift each day (the rules' [shift_cover.CODE] tables, and the dated shift cover file
whose rows replace a day's count): `wanted` per weekday, each person short costing `under_weight`, each
person beyond costing `over_weight`.

Everyone rostered on the shift that day counts, leaders and supervisors too; people resting or on leave
do not. A cover of its own, beside the per-interval requirement the coverage prices: the day-level model
gets a short and an over count per day and shift against its shift counts, priced with the weights, so
the counts the people's rest days and shifts follow already weigh it. Without a [shift_cover] table or a
dated row the rule adds nothing."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.errors import DataError
from core.tables import spreadsheet_row
from core.rules import Rules, ShiftCover
from scheduler.conflicts import Conflict
from scheduler.roster_problem import ShiftTargets
from scheduler.rules.base import CountValues, DayCounts, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable


def shift_targets(days: pd.DatetimeIndex, rules: Rules, dated: pd.DataFrame | None = None) -> ShiftTargets:
    """The people wanted per day and shift of the horizon `days`, and the weights: the rules' [shift_cover]
    tables, each row of the dated shift cover (scheduler.data.load_shift_cover) replacing its day and shift.
    A dated row outside the month planned is a DataError naming its row; rows of the month outside the
    horizon (the days kept when re-planning from a day) are not read."""
    D, S = len(days), len(rules.shifts)
    wanted = np.full((D, S), -1, np.int64)
    under = np.zeros((D, S), np.int64)
    over = np.zeros((D, S), np.int64)
    weekday = np.array([day.weekday() for day in days], np.int64)
    for cover in rules.shift_cover:
        s = rules.shift_codes.index(cover.code)
        wanted[:, s] = np.array(cover.wanted, np.int64)[weekday]
        under[:, s] = cover.under_weight
        over[:, s] = cover.over_weight
    if dated is None:
        return ShiftTargets(wanted, under, over)
    source = dated.attrs.get("source", "shift cover")
    month = days[0].to_period("M")
    stated = {c.code: c for c in rules.shift_cover}
    for i, (day, code, want, w_under, w_over) in enumerate(dated[["date", "shift", "wanted", "under_weight",
                                                                 "over_weight"]].itertuples(index=False)):
        day = pd.Timestamp(day).normalize()
        if day.to_period("M") != month:
            raise DataError(source, f"{day.date()} is not in {month}, the month planned", row=spreadsheet_row(i),
                            column="date")
        d = (day - days[0]).days
        if not 0 <= d < D:
            continue
        s = rules.shift_codes.index(code)
        default = stated.get(code, ShiftCover(code, (0,) * 7))
        wanted[d, s] = int(want)
        under[d, s] = default.under_weight if pd.isna(w_under) else int(w_under)
        over[d, s] = default.over_weight if pd.isna(w_over) else int(w_over)
    return ShiftTargets(wanted, under, over)


def rostered(r: RosterDays) -> np.ndarray:
    """(D, S) people rostered on each shift each day."""
    S = len(r.problem.shift_codes)
    return np.stack([(r.shift == s).sum(axis=0) for s in range(S)], axis=1)


class ShiftCoverRule(RosterRule):
    name = "shift cover"
    keys = ("shift_cover",)
    hard = False
    objective_key = "shift_cover"

    def aggregate(self, m: DayCounts) -> list[Term]:
        t = m.problem.shift_targets
        E = m.problem.n_people
        owned = {}
        terms = []
        for d, s in zip(*np.nonzero(t.wanted >= 0)):
            d, s = int(d), int(s)
            want = int(t.wanted[d, s])
            under = m.model.new_int_var(0, want, f"shift_cover_under_d{d}_s{s}")
            over = m.model.new_int_var(0, E, f"shift_cover_over_d{d}_s{s}")
            m.model.add(m.working.get((d, s), 0) + under - over == want)
            owned[d, s] = (under, over)
            terms += [Term(int(t.under_weight[d, s]), under), Term(int(t.over_weight[d, s]), over)]
        if owned:
            m.owned[self.name] = owned
        return terms

    def hint(self, m: DayCounts, values: CountValues) -> None:
        p = m.problem
        counts = np.zeros((p.n_days, len(p.shift_codes)), np.int64)
        for (_, d, s), v in values.y.items():
            counts[d, s] += int(v)
        for (d, s), (under, over) in m.owned.get(self.name, {}).items():
            want = int(p.shift_targets.wanted[d, s])
            m.model.add_hint(under, max(want - int(counts[d, s]), 0))
            m.model.add_hint(over, max(int(counts[d, s]) - want, 0))

    def cost(self, r: RosterDays) -> int:
        t = r.problem.shift_targets
        stated = t.wanted >= 0
        have = rostered(r)
        short = np.where(stated, np.maximum(t.wanted - have, 0), 0)
        beyond = np.where(stated, np.maximum(have - t.wanted, 0), 0)
        return int((t.under_weight * short + t.over_weight * beyond).sum())

    def explain(self, r: RosterDays) -> list[Conflict]:
        """Each day and shift with fewer people rostered than wanted."""
        p = r.problem
        t = p.shift_targets
        have = rostered(r)
        out = []
        for d, s in zip(*np.nonzero((t.wanted >= 0) & (have < t.wanted))):
            day = p.days[d].date().isoformat()
            want, n = int(t.wanted[d, s]), int(have[d, s])
            shift = p.rules.shifts[s]
            out.append(Conflict(self.name, day, (), f"{day} {shift.name_en.lower()} shift {shift.code}: {n} rostered, "
                                                    f"{want} wanted ({want - n} short)"))
        return out

    def check(self, t: RosterTable) -> list[str]:
        wanted = {(day, c.code): c.wanted[day.weekday()] for c in t.rules.shift_cover for day in t.days}
        if t.shift_cover is not None:
            for day, code, want in t.shift_cover[["date", "shift", "wanted"]].itertuples(index=False):
                day = pd.Timestamp(day).normalize()
                if day in t.days:
                    wanted[day, code] = int(want)
        out = []
        for (day, code), want in sorted(wanted.items()):
            n = int((t.table[day] == code).sum())
            if n < want:
                out.append(f"{self.name}: {n} on shift {code} on {day.date()}, {want} wanted ({want - n} short)")
        return out


RULE = ShiftCoverRule()
