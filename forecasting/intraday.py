"""The forecast updated from the calls observed so far: a level factor on the baseline and one response
factor per channel, each a gamma prior updated by the observed calls (the gamma–Poisson conjugate pair
of the model's negative-binomial form).

A day's calls stray from the model as a whole (a rainy day, a news story): its baseline is `L x` the
model's, with L ~ Gamma(mean 1, variance tau^2). How far a day strays (tau^2) and how much of it the next
day keeps (rho) are learned from the fitted history itself (`DayLevel.learn`): tau^2 is what a day's
morning and afternoon share (their ratios to the model co-vary by exactly that), rho the correlation of
one day's ratio with the next day's. So the prior is as wide as the data say days differ, and a morning of
few calls moves the rest of the day little while a busy morning moves it a lot.

Airings that already aired tell how their channel responds: channel c's calls are `R_c x` the model's,
R_c ~ Gamma(mean 1, variance learned alike from the history's morning and afternoon airings, at most
the fit's own prior on an airing scale, sd 0.5). The observed calls are shared between baseline and
channels in proportion to their expected parts (EM), each interval counted with the information a
negative-binomial count carries (less the more overdispersed the interval). Days before today count with
weight rho^days; the factors decay towards 1 into the coming days at the same rate, and their posterior
variance replaces the day-level part of the model's dispersion in the intervals.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import times

# The fit's prior on an airing scale's log-multiplier has sd 0.5 (model.ETA_PRIOR_LAM): the widest allowed here.
CHANNEL_PRIOR_SHAPE = 4.0
# Days whose morning or afternoon expects fewer calls than this say too little about their level.
MIN_EXPECTED_CALLS = 20.0
MIN_DAYS = 7


def _shared_variance(calls: pd.DataFrame, expected: pd.DataFrame) -> float | None:
    """Covariance of each day's morning and afternoon ratio of calls to expected calls (days x halves, the
    halves' column True for the morning): the variance of what the two halves share (a day-level factor),
    independent noise cancelling. Only halves expecting enough calls count; None on too few days."""
    enough = (expected >= MIN_EXPECTED_CALLS).all(axis=1)
    ratio = (calls / expected)[enough].clip(1 / 3, 3)
    if len(ratio) < MIN_DAYS or ratio.shape[1] < 2:
        return None
    return float(np.cov(ratio[True], ratio[False])[0, 1])


@dataclass(frozen=True)
class DayLevel:
    """How a day's calls stray from the model: variance of its baseline level factor, the share of it the
    next day keeps, and the variance of a day's response to its airings."""

    variance: float  # tau^2
    carry: float  # rho, in [0, 1]
    response_variance: float = 1.0 / CHANNEL_PRIOR_SHAPE

    @classmethod
    def learn(cls, calls: pd.Series, base: np.ndarray, ad: np.ndarray, dispersion: float) -> "DayLevel":
        """From the fitted history (`calls` and the model's `base` and `ad` calls per interval): tau^2 as the
        covariance of each day's morning and afternoon ratios to the model, rho from consecutive days'
        ratios, the airings' variance alike from the intervals the airings dominate. Too short a history
        gives the model's whole dispersion, no carry and the fit's own prior on airing scales."""
        minute = times.minute_of_day(calls.index)
        y = calls.to_numpy(float)
        frame = pd.DataFrame({"calls": y, "expected": base + ad, "morning": minute < np.median(minute),
                              "airing_calls": np.where(ad >= base, y - base, 0.0), "airing": np.where(ad >= base, ad, 0.0)},
                             index=calls.index.normalize())
        sums = frame.groupby([frame.index, "morning"]).sum().unstack("morning")
        shared = _shared_variance(sums["calls"], sums["expected"])
        if shared is None:
            return cls(variance=float(dispersion), carry=0.0)
        variance = float(np.clip(shared, 1e-4, 1.0))
        aired = _shared_variance(sums["airing_calls"], sums["airing"])
        response = 1.0 / CHANNEL_PRIOR_SHAPE
        if aired is not None:
            response = float(np.clip(aired, 1e-3, response))
        enough = (sums["expected"] >= MIN_EXPECTED_CALLS).all(axis=1)
        daily = frame.groupby(level=0)[["calls", "expected"]].sum()
        day_ratio = (daily["calls"] / daily["expected"])[enough].clip(1 / 3, 3)
        following = day_ratio.reindex(day_ratio.index + pd.Timedelta(days=1)).to_numpy()
        pairs = ~np.isnan(following)
        carry = 0.0
        if pairs.sum() >= MIN_DAYS:
            carry = float(np.clip(np.cov(day_ratio.to_numpy()[pairs], following[pairs])[0, 1] / variance, 0.0, 1.0))
        return cls(variance=variance, carry=carry, response_variance=response)

    def residual_dispersion(self, dispersion: float) -> float:
        """The intervals' own overdispersion once the day's level is known: the model's less the day's part."""
        return max(dispersion - self.variance, 1e-4)


@dataclass(frozen=True)
class Factor:
    """A gamma posterior on a multiplier of expected calls."""

    shape: float
    rate: float

    @property
    def mean(self) -> float:
        return self.shape / self.rate

    @property
    def variance(self) -> float:
        return self.shape / self.rate**2


@dataclass(frozen=True)
class Update:
    """What the observed calls say: the baseline's level factor and each channel's response factor on `day`."""

    day: pd.Timestamp
    level: Factor
    channels: dict[str, Factor]
    prior: DayLevel


def updated(observed: pd.Series, base: np.ndarray, ad: np.ndarray, channels: list[str], day: pd.Timestamp,
            dispersion: float, prior: DayLevel) -> Update:
    """The factors on `day` after `observed` calls, whose model parts are `base` (per interval) and `ad`
    (intervals x `channels`)."""
    y = observed.to_numpy(float)
    days_back = np.asarray((day - observed.index.normalize()).days, float)
    residual = prior.residual_dispersion(dispersion)
    expected = base + ad.sum(axis=1)
    info = np.where(expected > 0, prior.carry**days_back / (1.0 + residual * expected), 0.0)
    level_shape = level_rate = 1.0 / prior.variance
    level_rate += info @ base
    channel_prior = 1.0 / prior.response_variance
    channel_rate = channel_prior + info @ ad
    level, response = 1.0, np.ones(len(channels))
    for _ in range(100):
        parts = np.column_stack([level * base, ad * response])
        total = parts.sum(axis=1)
        shares = np.divide(parts, total[:, None], out=np.zeros_like(parts), where=total[:, None] > 0)
        attributed = (info * y) @ shares
        new_level = (level_shape + attributed[0]) / level_rate
        new_response = (channel_prior + attributed[1:]) / channel_rate
        moved = max(abs(new_level - level), float(np.abs(new_response - response).max(initial=0.0)))
        level, response = new_level, new_response
        if moved < 1e-9:
            break
    return Update(
        day=day,
        level=Factor(level * level_rate, level_rate),
        channels={c: Factor(r * rate, rate) for c, r, rate in zip(channels, response, channel_rate)},
        prior=prior,
    )


@dataclass(frozen=True)
class UpdatedMoments:
    """Expected calls per interval after the update, and the variance the factors' uncertainty adds."""

    mean: np.ndarray
    factor_variance: np.ndarray


def updated_moments(update: Update, index: pd.DatetimeIndex, base: np.ndarray, ad: np.ndarray,
                    channels: list[str]) -> UpdatedMoments:
    """The forecast for `index` (parts `base` and `ad` per channel) under the updated factors, which decay
    towards the prior day by day after the update's day (an AR(1) in the day's level with the learned carry)."""
    prior = update.prior
    ahead = np.maximum(np.asarray((index.normalize() - update.day).days, float), 0.0)
    decay = prior.carry**ahead
    level = 1.0 + decay * (update.level.mean - 1.0)
    level_var = decay**2 * update.level.variance + (1 - decay**2) * prior.variance
    mean = level * base
    variance = level_var * base**2
    for j, channel in enumerate(channels):
        factor = update.channels.get(channel, Factor(1.0 / prior.response_variance, 1.0 / prior.response_variance))
        response = 1.0 + decay * (factor.mean - 1.0)
        response_var = decay**2 * factor.variance + (1 - decay**2) * prior.response_variance
        mean = mean + response * ad[:, j]
        variance = variance + response_var * ad[:, j] ** 2
    return UpdatedMoments(mean=mean, factor_variance=variance)
