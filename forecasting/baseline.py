"""The baseline (no-ad) part of the model: open hours, weekday x interval-of-day profile, trend, yearly
season and holidays, as a sparse design matrix with one smoothing penalty per block of coefficients."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core import times
from core.festivals import festival_named
from forecasting import holidays as hol

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIN_OPEN_SHARE = 0.05  # a weekday-slot with calls on fewer of its days than this is taken as closed...
MIN_OPEN_DAYS = 2  # ...or on fewer days than this: one stray call does not open the center
TREND_KNOT_DAYS = 28  # trend may bend once a month...
TREND_LAST_KNOT_DAYS = 42  # ...but its last slope rests on at least six weeks of history
YEARLY_MIN_DAYS = 400  # a yearly season only once more than a year was seen
YEARLY_HARMONICS = 3
SPRING_FESTIVAL = festival_named("spring").name
SF_PARTS = ("first three days", "week before", "week after")
SF_WEEK = 7


@dataclass
class Block:
    """A block of coefficients with its penalty: `s` (on the block), `lam` its weight; `learn` says
    whether the weight is learned from the data (empirical Bayes) or fixed."""

    name: str
    cols: slice
    s: np.ndarray
    lam: float
    learn: bool


def rw1_penalty(groups: np.ndarray, ridge: float, slots: np.ndarray | None = None) -> np.ndarray:
    """First-difference penalty between neighbours of the same group (in order; with `slots`, only
    between adjacent slots: a gap of closed hours breaks the chain) plus a small ridge."""
    n = len(groups)
    d = []
    for i in range(n - 1):
        if groups[i] == groups[i + 1] and (slots is None or slots[i + 1] - slots[i] == 1):
            row = np.zeros(n)
            row[i], row[i + 1] = -1.0, 1.0
            d.append(row)
    s = np.asarray(d).T @ np.asarray(d) if d else np.zeros((n, n))
    return s + ridge * np.eye(n)


@dataclass
class BaselineDesign:
    """Everything needed to rebuild the baseline columns for any intervals, learned from the history."""

    interval_minutes: int
    open_cells: np.ndarray  # (7, slots per day) bool: weekday-slot pairs when the center is open
    t0: pd.Timestamp
    t_end: pd.Timestamp
    knots: np.ndarray  # trend knots, years since t0
    yearly: bool
    holiday_names: list[str] = field(default_factory=list)
    makeup_workday: bool = False
    overrides: tuple = ()
    use_holidays: bool = True
    country: str = hol.CHINA
    spring_festival: bool = False  # its first days and the weeks around it have effects of their own

    # Derived layout, filled by _layout().
    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    cells: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))
    weekdays: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @classmethod
    def learn(
        cls, y: pd.Series, interval_minutes: int, open_cells: np.ndarray, overrides=(), use_holidays: bool = True,
        country: str = hol.CHINA,
    ) -> "BaselineDesign":
        idx = y.index
        t0, t_end = idx[0].normalize(), idx[-1]
        span_days = (t_end - t0).days + 1
        last_knot = span_days - TREND_LAST_KNOT_DAYS
        knots = np.arange(TREND_KNOT_DAYS, last_knot + 1, TREND_KNOT_DAYS, dtype=float) / 365.25
        if use_holidays:
            cal = hol.calendar_days(idx, overrides, country)
            kind, name, _ = hol.day_kind_arrays(idx, cal)
        else:
            kind = name = np.full(len(idx), "", dtype=object)
        names = sorted({str(n) for k, n in zip(kind, name) if k == "holiday"})
        design = cls(
            interval_minutes=interval_minutes,
            open_cells=open_cells,
            t0=t0,
            t_end=t_end,
            knots=knots,
            yearly=span_days >= YEARLY_MIN_DAYS,
            holiday_names=names,
            makeup_workday=bool((kind == "workday").any()),
            overrides=tuple(overrides),
            use_holidays=use_holidays,
            country=country,
            spring_festival=SPRING_FESTIVAL in names,
        )
        design._layout()
        return design

    def _layout(self) -> None:
        self.slots = np.flatnonzero(self.open_cells.any(axis=0))
        self.cells = np.argwhere(self.open_cells)  # (weekday, slot), weekday-major
        self.weekdays = sorted(set(self.cells[:, 0].tolist()))
        step = self.interval_minutes
        clock = [f"{(s * step) // 60:02d}:{(s * step) % 60:02d}" for s in self.slots]
        self.names = (
            [f"slot[{c}]" for c in clock]
            + [f"weekday[{WEEKDAYS[d]}]" for d in self.weekdays[1:]]
            + [f"weekday_slot[{WEEKDAYS[d]} {(s * step) // 60:02d}:{(s * step) % 60:02d}]" for d, s in self.cells]
            + ["trend_slope"] + [f"trend_bend[{k * 365.25:.0f}d]" for k in self.knots]
            + ([f"yearly_{f}{h}" for h in range(1, YEARLY_HARMONICS + 1) for f in ("cos", "sin")] if self.yearly else [])
            + [f"holiday[{n}]" for n in self.holiday_names]
            + (["makeup_workday"] if self.makeup_workday else [])
            + ([f"spring_festival[{p}]" for p in SF_PARTS] if self.spring_festival else [])
        )

    def blocks(self) -> list[Block]:
        n_slot, n_wd, n_cell = len(self.slots), len(self.weekdays) - 1, len(self.cells)
        n_trend = 1 + len(self.knots)
        n_year = 2 * YEARLY_HARMONICS if self.yearly else 0
        n_hol = len(self.holiday_names) + int(self.makeup_workday) + len(SF_PARTS) * int(self.spring_festival)
        edges = np.cumsum([0, n_slot, n_wd, n_cell, n_trend, n_year, n_hol])
        out = [
            Block("intraday", slice(edges[0], edges[1]), rw1_penalty(np.zeros(n_slot), 1e-6, self.slots), 10.0, True),
            Block("weekday", slice(edges[1], edges[2]), 1e-6 * np.eye(n_wd), 1.0, False),
            # Weekday-specific shapes are smooth departures from the common shape (factor smooth).
            Block("weekday_intraday", slice(edges[2], edges[3]), rw1_penalty(self.cells[:, 0], 1e-2, self.cells[:, 1]), 10.0, True),
            Block("trend", slice(edges[3], edges[4]), np.eye(n_trend), 1.0, True),
        ]
        if n_year:
            out.append(Block("yearly", slice(edges[4], edges[5]), np.eye(n_year), 10.0, True))
        if n_hol:
            # Few holidays are ever seen: a fixed, weak prior (sd 1 on the log scale) keeps them estimable.
            out.append(Block("holidays", slice(edges[5], edges[6]), np.eye(n_hol), 1.0, False))
        return out

    @property
    def n_cols(self) -> int:
        return len(self.names)

    def profile_weekday(self, index: pd.DatetimeIndex) -> np.ndarray:
        """The weekday whose intraday profile a day follows: a public holiday runs like a Sunday, a
        make-up workday (调休) like a mid-week day; other days are themselves."""
        weekday = np.asarray(index.day_of_week).copy()
        if self.use_holidays:
            kind, _, _ = self.calendar_arrays(index)
            weekday[kind == "holiday"] = 6
            weekday[kind == "workday"] = 2
        # Only cells the history has open can carry a profile.
        slot = np.asarray((index.hour * 60 + index.minute) // self.interval_minutes) % self.open_cells.shape[1]
        moved = ~self.open_cells[weekday, slot]
        weekday[moved] = np.asarray(index.day_of_week)[moved]
        return weekday

    def matrix(self, index: pd.DatetimeIndex) -> sp.csr_matrix:
        """Design rows for open intervals `index` (call is_open first)."""
        n = len(index)
        weekday = self.profile_weekday(index)
        slot = np.asarray((index.hour * 60 + index.minute) // self.interval_minutes)
        cols, rows, vals = [], [], []
        ar = np.arange(n)

        def add(r, c, v):
            rows.append(r)
            cols.append(c)
            vals.append(np.broadcast_to(v, np.shape(r)).astype(float))

        offset = 0
        slot_pos = np.searchsorted(self.slots, slot)
        add(ar, offset + slot_pos, 1.0)
        offset += len(self.slots)
        wd_pos = {d: i for i, d in enumerate(self.weekdays[1:])}
        has_wd = np.array([d in wd_pos for d in weekday])
        add(ar[has_wd], offset + np.array([wd_pos[d] for d in weekday[has_wd]], dtype=int), 1.0)
        offset += len(self.weekdays) - 1
        cell_id = np.full(self.open_cells.shape, -1)
        cell_id[self.cells[:, 0], self.cells[:, 1]] = np.arange(len(self.cells))
        add(ar, offset + cell_id[weekday, slot], 1.0)
        offset += len(self.cells)
        t = self.years(index)
        add(ar, np.full(n, offset), t)
        for j, k in enumerate(self.knots):
            after = t > k
            add(ar[after], np.full(after.sum(), offset + 1 + j), t[after] - k)
        offset += 1 + len(self.knots)
        if self.yearly:
            doy = 2 * np.pi * np.asarray(index.day_of_year - 1 + (index.hour * 60 + index.minute) / 1440.0) / 365.25
            for h in range(1, YEARLY_HARMONICS + 1):
                add(ar, np.full(n, offset), np.cos(h * doy))
                add(ar, np.full(n, offset + 1), np.sin(h * doy))
                offset += 2
        kind, name, _ = self.calendar_arrays(index)
        for j, hname in enumerate(self.holiday_names):
            hit = (kind == "holiday") & (name == hname)
            add(ar[hit], np.full(hit.sum(), offset + j), 1.0)
        # A holiday never seen in the history shares the average of the seen ones.
        unseen = (kind == "holiday") & ~np.isin(name, self.holiday_names)
        for j in range(len(self.holiday_names)):
            add(ar[unseen], np.full(unseen.sum(), offset + j), 1.0 / len(self.holiday_names))
        offset += len(self.holiday_names)
        if self.makeup_workday:
            hit = kind == "workday"
            add(ar[hit], np.full(hit.sum(), offset), 1.0)
            offset += 1
        if self.spring_festival:
            for j, hit in enumerate(spring_festival_parts(index, kind, name)):
                add(ar[hit], np.full(hit.sum(), offset + j), 1.0)
            offset += len(SF_PARTS)
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, self.n_cols)
        )

    def years(self, index: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray((index - self.t0) / pd.Timedelta(days=365.25), dtype=float)

    def calendar_arrays(self, index: pd.DatetimeIndex):
        if not self.use_holidays:
            blank = np.full(len(index), "", dtype=object)
            return blank, blank, np.ones(len(index), bool)
        cal = hol.calendar_days(index, self.overrides, self.country)
        return hol.day_kind_arrays(index, cal)


def spring_festival_parts(index: pd.DatetimeIndex, kind: np.ndarray, name: np.ndarray) -> list[np.ndarray]:
    """Masks for SF_PARTS: the festival's first three days off, and the week before and after it
    (people travel home early and come back late)."""
    day = times.epoch_days(index)
    sf_days = np.unique(day[(kind == "holiday") & (name == SPRING_FESTIVAL)])
    first3 = np.zeros(len(day), bool)
    before = np.zeros(len(day), bool)
    after = np.zeros(len(day), bool)
    if len(sf_days):
        # Runs of consecutive festival days: one run per year.
        breaks = np.flatnonzero(np.diff(sf_days) > 3)
        for run in np.split(sf_days, breaks + 1):
            first3 |= (day >= run[0]) & (day < run[0] + 3)
            before |= (day >= run[0] - SF_WEEK) & (day < run[0]) & (kind != "holiday")
            after |= (day > run[-1]) & (day <= run[-1] + SF_WEEK) & (kind != "holiday")
    return [first3, before, after]


def open_mask(open_cells: np.ndarray, interval_minutes: int, index: pd.DatetimeIndex) -> np.ndarray:
    """Which intervals of `index` fall on an open weekday-slot (and on the grid)."""
    minute = times.minute_of_day(index)
    slot = (minute // interval_minutes) % open_cells.shape[1]
    return open_cells[np.asarray(index.day_of_week), slot] & ~times.off_grid(index, interval_minutes)


def seen_cells(index: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """(7, slots per day) bool: the weekday-slot pairs the history has at least one row for."""
    seen = np.zeros((7, 1440 // interval_minutes), bool)
    seen[np.asarray(index.day_of_week), np.asarray((index.hour * 60 + index.minute) // interval_minutes)] = True
    return seen


def learn_open_cells(y: pd.Series, interval_minutes: int, rules=None) -> np.ndarray:
    """Weekday-slot pairs that are open: seen in the history with calls on at least MIN_OPEN_SHARE of
    their days (and MIN_OPEN_DAYS days), and inside the rules' open hours when rules are given."""
    per_day = 1440 // interval_minutes
    idx = y.index
    slot = np.asarray((idx.hour * 60 + idx.minute) // interval_minutes)
    weekday = np.asarray(idx.day_of_week)
    seen = np.zeros((7, per_day))
    with_calls = np.zeros((7, per_day))
    np.add.at(seen, (weekday, slot), 1)
    np.add.at(with_calls, (weekday, slot), (y.to_numpy() > 0).astype(float))
    share = np.divide(with_calls, seen, out=np.zeros_like(seen), where=seen > 0)
    open_cells = (share >= MIN_OPEN_SHARE) & (with_calls >= MIN_OPEN_DAYS)
    if rules is not None:
        open_cells &= inside_open_hours(np.arange(per_day) * interval_minutes, interval_minutes, rules)[None, :]
    return open_cells


def inside_open_hours(minute: np.ndarray, interval_minutes: int, rules) -> np.ndarray:
    """True where an interval starting `minute` after midnight lies wholly inside the rules' open hours."""
    return (minute >= rules.open_minute) & (minute + interval_minutes <= rules.close_minute)
