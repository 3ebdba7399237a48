"""Ad response as a distributed lag: how an airing's extra calls spread over the following intervals.

An airing brings `w_a * sum_k gamma_k` calls in all: `gamma_k` are the calls of lag bin k (minutes since
the airing started, e.g. 0-5, 5-10, ... 90-120) for a reference airing, spread uniformly inside the bin;
`w_a = exp(x_a . eta)` scales the reference by the airing's channel, daypart, duration and GRP. Long
airings (infomercials) are cut into pieces so their response follows the whole time on screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core import times

DAYPARTS = ((0, "night 00-06"), (6, "morning 06-12"), (12, "afternoon 12-18"), (18, "evening 18-24"))
PIECE_MINUTES = 5.0
MIN_AIRINGS_PER_LEVEL = 30  # a channel or daypart with fewer airings is pooled: too few to learn its own scale


def lag_edges(interval_minutes: int, max_lag_minutes: int = 120) -> np.ndarray:
    """Lag-bin edges in minutes since airing start: fine early bins where the response peaks, coarser
    later; no bin much narrower than a third of an interval, which the data could not resolve."""
    fine = {15: [0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240],
            30: [0, 10, 20, 30, 45, 60, 90, 120, 180, 240],
            60: [0, 30, 60, 120, 180, 240]}[interval_minutes]
    edges = [e for e in fine if e <= max_lag_minutes]
    if edges[-1] < max_lag_minutes:
        edges.append(max_lag_minutes)
    return np.asarray(edges, dtype=float)


def daypart_of(starts: pd.Series) -> np.ndarray:
    hours = starts.dt.hour.to_numpy()
    labels = np.empty(len(hours), dtype=object)
    for lo, name in DAYPARTS:
        labels[hours >= lo] = name
    return labels


def _pooled(values: np.ndarray, min_count: int) -> np.ndarray:
    """Levels with fewer than min_count airings become 'other'."""
    counts = pd.Series(values).value_counts()
    rare = set(counts.index[counts < min_count])
    return np.array([("other" if v in rare else v) for v in values], dtype=object)


@dataclass
class AiringScale:
    """How an airing's covariates scale its response: reference levels and design columns."""

    channels: list[str] = field(default_factory=list)  # non-reference channel levels
    channel_ref: str = ""
    dayparts: list[str] = field(default_factory=list)
    daypart_ref: str = ""
    channel_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # for unseen channels
    channel_level: dict[str, str] = field(default_factory=dict)  # history's channel -> its level
    use_duration: bool = False
    duration_ref: float = 30.0
    use_grp: bool = False
    grp_ref: float = 1.0
    grp_floor: float = 0.1  # added to GRP so a 0-rated airing still has a (small, learned) response

    @property
    def names(self) -> list[str]:
        out = [f"channel[{c}]" for c in self.channels] + [f"daypart[{d}]" for d in self.dayparts]
        if self.use_duration:
            out.append("log_duration")
        if self.use_grp:
            out.append("log_grp")
        return out

    @classmethod
    def learn(cls, ads: pd.DataFrame) -> "AiringScale":
        """Choose the levels and scalings the history can support."""
        scale = cls()
        if ads.empty:
            return scale
        raw = ads["channel"].astype(str).to_numpy()
        channel = _pooled(raw, MIN_AIRINGS_PER_LEVEL)
        scale.channel_level = dict(zip(raw, channel))
        counts = pd.Series(channel).value_counts()
        scale.channel_ref = str(counts.index[0])
        scale.channels = [str(c) for c in counts.index[1:]]
        scale.channel_share = (counts.iloc[1:] / counts.sum()).to_numpy(dtype=float)
        daypart = _pooled(daypart_of(ads["start"]), MIN_AIRINGS_PER_LEVEL)
        dcounts = pd.Series(daypart).value_counts()
        scale.daypart_ref = str(dcounts.index[0])
        scale.dayparts = [str(d) for d in dcounts.index[1:] if d != "other"]
        duration = ads["duration_s"].to_numpy(dtype=float)
        # A scale only where the history varies enough to learn it.
        scale.duration_ref = float(np.median(duration))
        scale.use_duration = bool(np.std(np.log(duration)) > 0.1)
        grp = ads["grp"].to_numpy(dtype=float) if "grp" in ads else np.full(len(ads), np.nan)
        if np.isfinite(grp).mean() > 0.9 and (grp > 0).sum() >= MIN_AIRINGS_PER_LEVEL:
            positive = grp[grp > 0]
            # A floor only when some airings are rated 0; otherwise calls scale as a pure power of GRP.
            scale.grp_floor = float(np.quantile(positive, 0.1)) if (grp <= 0).any() else 0.0
            scale.grp_ref = float(np.median(positive))
            scale.use_grp = bool(np.std(np.log(np.nan_to_num(grp, nan=0) + scale.grp_floor)) > 0.1)
        return scale

    def matrix(self, ads: pd.DataFrame) -> np.ndarray:
        """Design rows (airings x names) of log w."""
        cols = []
        level = np.array([self.channel_level.get(c, "") for c in ads["channel"].astype(str)], dtype=object)
        unseen = level == ""
        for j, c in enumerate(self.channels):
            col = (level == c).astype(float)
            # An unseen channel gets the average multiplier of the history's airings.
            col[unseen] = self.channel_share[j]
            cols.append(col)
        daypart = daypart_of(ads["start"])
        for d in self.dayparts:
            cols.append((daypart == d).astype(float))
        if self.use_duration:
            cols.append(np.log(ads["duration_s"].to_numpy(dtype=float) / self.duration_ref))
        if self.use_grp:
            grp = np.nan_to_num(ads["grp"].to_numpy(dtype=float), nan=self.grp_ref)
            cols.append(np.log((grp + self.grp_floor) / (self.grp_ref + self.grp_floor)))
        if not cols:
            return np.zeros((len(ads), 0))
        return np.column_stack(cols)


def lag_matrices(
    ads: pd.DataFrame, rows: pd.DatetimeIndex, interval_minutes: int, edges: np.ndarray
) -> tuple[list[sp.csr_matrix], sp.csr_matrix]:
    """Per lag bin k a sparse (rows x airings) matrix: the share of bin k of each airing that falls in
    each row's interval (pieces of long airings summed). Rows not on `rows` (closed, missing) are dropped."""
    n_rows, n_ads = len(rows), len(ads)
    if n_ads == 0 or n_rows == 0:
        empty = sp.csr_matrix((n_rows, n_ads))
        return [empty] * (len(edges) - 1), empty
    row_min = times.epoch_minutes(rows)
    start_min = times.epoch_minutes(ads["start"], exact=True)
    duration_min = ads["duration_s"].to_numpy(dtype=float) / 60.0
    n_pieces = np.maximum(1, np.ceil(duration_min / PIECE_MINUTES).astype(int))
    airing = np.repeat(np.arange(n_ads), n_pieces)
    within = np.arange(n_pieces.sum()) - np.repeat(np.cumsum(n_pieces) - n_pieces, n_pieces)
    piece_start = start_min[airing] + within * PIECE_MINUTES
    piece_share = 1.0 / n_pieces[airing]
    dt = float(interval_minutes)
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        lo, hi = piece_start + a, piece_start + b
        first = np.floor(lo / dt) * dt
        n_cells = int(np.ceil((b - a) / dt)) + 1
        r_idx, c_idx, vals = [], [], []
        for j in range(n_cells):
            cell = first + j * dt
            overlap = np.minimum(cell + dt, hi) - np.maximum(cell, lo)
            keep = overlap > 1e-9
            if not keep.any():
                continue
            cell_i = cell[keep].astype(np.int64)
            pos = np.searchsorted(row_min, cell_i)
            pos_c = np.minimum(pos, n_rows - 1)
            found = row_min[pos_c] == cell_i
            r_idx.append(pos_c[found])
            c_idx.append(airing[keep][found])
            vals.append((overlap[keep][found] / (b - a)) * piece_share[keep][found])
        if r_idx:
            m = sp.csr_matrix(
                (np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(n_rows, n_ads)
            )
        else:
            m = sp.csr_matrix((n_rows, n_ads))
        m.sum_duplicates()
        out.append(m)
    stacked = sum(out[1:], out[0]) if out else sp.csr_matrix((n_rows, n_ads))
    return out, sp.csr_matrix(stacked)
