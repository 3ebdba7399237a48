"""A small world with a known truth: call history and airings drawn from a stated mean, for tests."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import holidays as hol


@dataclass
class World:
    """The truth behind synthetic calls: base level, weekday and intraday shapes, holiday factor, ads."""

    start: str = "2025-06-01"
    days: int = 120
    interval_minutes: int = 15
    open_minute: int = 8 * 60
    close_minute: int = 18 * 60
    level: float = 12.0  # calls per 15 minutes at the shape's mean
    weekday_factor: tuple = (1.05, 1.0, 1.0, 0.95, 0.95, 1.1, 1.2)
    sunday_afternoon: float = 1.0  # extra factor on Sunday afternoons: a weekday-specific shape
    holiday_factor: float = 1.0
    airings_per_day: int = 0
    calls_per_airing: dict = field(default_factory=lambda: {"A": 40.0, "B": 20.0})
    decay_minutes: float = 10.0  # the response is exponential with this mean, cut at 90 minutes
    size: float = 50.0  # negative-binomial size: var = mean + mean^2 / size
    day_level_sd: float = 0.0  # a day's base calls x a gamma factor of mean 1 and this sd (weather, news)
    channel_day_sd: float = 0.0  # a channel's airings of a day x a gamma factor of mean 1 and this sd
    seed: int = 1

    def grid(self) -> pd.DatetimeIndex:
        idx = pd.date_range(self.start, periods=self.days * 1440 // self.interval_minutes,
                            freq=f"{self.interval_minutes}min", name="interval_start")
        minute = idx.hour * 60 + idx.minute
        return idx[(minute >= self.open_minute) & (minute < self.close_minute)]

    def base_mean(self, idx: pd.DatetimeIndex) -> np.ndarray:
        tod = np.asarray((idx.hour * 60 + idx.minute - self.open_minute) / (self.close_minute - self.open_minute))
        shape = np.exp(0.6 * np.sin(np.pi * tod))
        shape = shape / shape.mean()
        weekday = np.asarray(idx.day_of_week)
        factor = np.asarray(self.weekday_factor)[weekday]
        factor = factor * np.where((weekday == 6) & (tod >= 0.5), self.sunday_afternoon, 1.0)
        if self.holiday_factor != 1.0:
            kind, _, _ = hol.day_kind_arrays(idx, hol.calendar_days(idx))
            factor = factor * np.where(kind == "holiday", self.holiday_factor, 1.0)
        return self.level * shape * factor * self.interval_minutes / 15

    def airings(self, rng: np.random.Generator | None = None, days: pd.DatetimeIndex | None = None) -> pd.DataFrame:
        rng = rng or np.random.default_rng(self.seed + 1)
        if days is None:
            days = pd.date_range(self.start, periods=self.days, freq="D")
        if not self.airings_per_day:
            return pd.DataFrame(columns=["start", "duration_s", "channel", "product", "grp", "cost"])
        minutes = rng.uniform(self.open_minute - 30, self.close_minute - 20, (len(days), self.airings_per_day))
        starts = (days.values[:, None] + (minutes * 60).astype("int64").astype("timedelta64[s]")).ravel()
        channels = list(self.calls_per_airing)
        return pd.DataFrame({
            "start": pd.DatetimeIndex(np.sort(starts)),
            "duration_s": 60,
            "channel": rng.choice(channels, len(starts)),
            "product": "p",
            "grp": np.nan,
            "cost": np.nan,
        })

    def ad_mean(self, idx: pd.DatetimeIndex, ads: pd.DataFrame) -> np.ndarray:
        """Expected calls from the airings in each interval of idx (exponential response, 90-min cut)."""
        out = np.zeros(len(idx))
        if ads.empty:
            return out
        pos = pd.Series(np.arange(len(idx)), index=idx)
        minute = np.arange(90)
        kernel = np.exp(-minute / self.decay_minutes)
        kernel = kernel / kernel.sum()
        total = ads["channel"].map(self.calls_per_airing).to_numpy(float)
        for m in minute:
            cells = (ads["start"] + pd.Timedelta(minutes=int(m))).dt.floor(f"{self.interval_minutes}min")
            hit = pos.reindex(cells).to_numpy()
            ok = ~np.isnan(hit)
            np.add.at(out, hit[ok].astype(int), total[ok] * kernel[m])
        return out

    def draw(self) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
        """Calls (Series on the open intervals), the airings, and the true mean."""
        rng = np.random.default_rng(self.seed)
        idx = self.grid()
        ads = self.airings()
        mean = self._day_factors(idx, self.day_level_sd, 0) * self.base_mean(idx)
        if self.channel_day_sd > 0:
            for c, channel in enumerate(sorted(ads["channel"].unique())):
                of_channel = ads[ads["channel"] == channel]
                mean = mean + self._day_factors(idx, self.channel_day_sd, c + 1) * self.ad_mean(idx, of_channel)
        else:
            mean = mean + self.ad_mean(idx, ads)
        calls = rng.negative_binomial(self.size, self.size / (self.size + mean))
        series = pd.Series(calls.astype(np.int64), index=idx, name="calls")
        series.attrs["interval_minutes"] = self.interval_minutes
        return series, ads, pd.Series(mean, index=idx, name="mean")

    def _day_factors(self, idx: pd.DatetimeIndex, sd: float, stream: int) -> np.ndarray:
        """Per interval, its day's gamma factor of mean 1 and sd `sd` (1 everywhere when sd is 0), drawn
        from its own random stream so the counts' draws stay the same."""
        if sd <= 0:
            return np.ones(len(idx))
        days = idx.normalize()
        first = days.unique()
        shape = 1.0 / sd**2
        factor = np.random.default_rng([self.seed, 100 + stream]).gamma(shape, 1.0 / shape, len(first))
        return factor[first.get_indexer(days)]
