"""The forecast updated from the calls observed so far: a level factor on the baseline and one response
factor per channel, each a gamma prior updated by the observed calls (the gamma–Poisson conjugate pair
of the model's negative-binomial form).

A day's calls stray from the model as a whole (a rainy day, a news story): its baseline is `L x` the
model's, with L ~ Gamma(mean 1, variance tau^2). How far a day strays (tau^2) and how much of it the next
day keeps (rho) are learned from the fitted history itself (`DayLevel.learn`): tau^2 is what a day's
morning and afternoon share (their ratios to the model co-vary by exactly that), rho the correlation of
one day's ratio with the next day's. So the prior is as wide as the data say days differ, and a morning of
few calls moves the rest of the day little while a busy morning moves it a lot.

Airings that already aired tell how their channel responds: channel c's calls are `R_c x` the model's
on every day since the fit. Either the channel responds as fitted (R_c = 1) or it changed since (a hit
product, an audience that grew: R_c ~ Gamma(mean 1, the fit's own prior on an airing scale, sd 0.5)), even
odds before the calls weigh the two. A day's airings of a channel stray from R_c by their own appeal, whose
variance (`DayLevel.response_variance`) the history's half-days of airings show: so each day's airings tell
about R_c at most what that spread allows, and a month of them outweighs one odd morning.
The observed calls are shared between baseline and channels in proportion to their expected parts (EM),
each interval counted with the information a negative-binomial count carries (less the more overdispersed
the interval). Days before today count for the level with weight rho^days, and the level decays towards 1
into the coming days at the same rate; the channels' factors hold. Their posterior variance replaces the
day-level part of the model's dispersion in the intervals.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaln

from core import times

# The fit's prior on an airing scale's log-multiplier has sd 0.5 (model.ETA_PRIOR_LAM): a channel that changed
# since the fit is as unknown as that, and no half-day's airings stray further.
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


def _batch_variance(batches: pd.DataFrame) -> float | None:
    """Variance of the batches' ratios of `calls` to `expected` calls less what Poisson counts of mean `noise`
    explain: how far a channel's airings of a half-day stray from their expected calls (the intervals' own
    overdispersion stays in: a day's airings then count for less, never for more). Only batches expecting
    enough calls count; None on too few."""
    enough = batches[batches["expected"] >= MIN_EXPECTED_CALLS]
    if len(enough) < MIN_DAYS:
        return None
    ratio = (enough["calls"] / enough["expected"]).clip(1 / 3, 3)
    return float(ratio.var() - (enough["noise"] / enough["expected"] ** 2).mean())


def _channel_batches(calls: np.ndarray, base: np.ndarray, by_channel: np.ndarray, days: pd.DatetimeIndex,
                     morning: np.ndarray) -> pd.DataFrame:
    """Per day, half-day and channel, in the intervals where the channel's airings bring at least as many calls
    as the baseline and the other channels together: the calls beyond those, the channel's expected calls and
    all the calls expected there (`noise`)."""
    ad = by_channel.sum(axis=1)
    parts = []
    for j in range(by_channel.shape[1]):
        own = by_channel[:, j]
        others = ad - own
        hit = (own > 0) & (own >= base + others)
        parts.append(pd.DataFrame({"day": days[hit], "morning": morning[hit], "channel": j,
                                   "calls": (calls - base - others)[hit], "expected": own[hit],
                                   "noise": (base + ad)[hit]}))
    if not parts:
        return pd.DataFrame(columns=["calls", "expected", "noise"])
    return pd.concat(parts).groupby(["day", "morning", "channel"])[["calls", "expected", "noise"]].sum()


@dataclass(frozen=True)
class DayLevel:
    """How a day's calls stray from the model: variance of its baseline level factor, the share of it the
    next day keeps, and the variance of a half-day's airings' response around their channels'."""

    variance: float  # tau^2
    carry: float  # rho, in [0, 1]
    response_variance: float = 1.0 / CHANNEL_PRIOR_SHAPE

    @classmethod
    def learn(cls, calls: pd.Series, base: np.ndarray, by_channel: np.ndarray, dispersion: float) -> "DayLevel":
        """From the fitted history (`calls`, the model's `base` calls per interval and its ad calls per interval
        and channel, `by_channel`): tau^2 as the covariance of each day's morning and afternoon ratios to the
        model, rho from consecutive days' ratios, the airings' variance as the spread of a channel's
        half-days' ratios in the intervals its airings dominate beyond what Poisson counts explain. Too short
        a history gives the model's whole dispersion, no carry and the fit's own prior on airing scales."""
        minute = times.minute_of_day(calls.index)
        y = calls.to_numpy(float)
        morning = minute < np.median(minute)
        # The level multiplies the baseline alone: its spread is read from the calls the airings do not bring,
        # else the airings' share of the calls would dilute it.
        frame = pd.DataFrame({"base_calls": y - by_channel.sum(axis=1), "base": base, "morning": morning},
                             index=calls.index.normalize())
        sums = frame.groupby([frame.index, "morning"]).sum().unstack("morning")
        shared = _shared_variance(sums["base_calls"], sums["base"])
        if shared is None:
            return cls(variance=float(dispersion), carry=0.0)
        variance = float(np.clip(shared, 1e-4, 1.0))
        aired = _batch_variance(_channel_batches(y, base, by_channel, frame.index, morning))
        response = 1.0 / CHANNEL_PRIOR_SHAPE
        if aired is not None:
            response = float(np.clip(aired, 1e-3, response))
        enough = (sums["base"] >= MIN_EXPECTED_CALLS).all(axis=1)
        daily = frame.groupby(level=0)[["base_calls", "base"]].sum()
        day_ratio = (daily["base_calls"] / daily["base"])[enough].clip(1 / 3, 3)
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
    days = observed.index.normalize()
    days_back = np.asarray((day - days).days, float)
    residual = prior.residual_dispersion(dispersion)
    expected = base + ad.sum(axis=1)
    counted = np.where(expected > 0, 1.0 / (1.0 + residual * expected), 0.0)
    info = counted * prior.carry**days_back
    level_shape = level_rate = 1.0 / prior.variance
    level_rate += info @ base
    channel_info = counted[:, None] * _capped_by_day(days, counted[:, None] * ad, prior.response_variance)
    exposure = (channel_info * ad).sum(axis=0)
    level, response, factors = 1.0, np.ones(len(channels)), []
    for _ in range(100):
        parts = np.column_stack([level * base, ad * response])
        total = parts.sum(axis=1)
        shares = np.divide(parts, total[:, None], out=np.zeros_like(parts), where=total[:, None] > 0)
        new_level = (level_shape + (info * y) @ shares[:, 0]) / level_rate
        attributed = (channel_info * (y[:, None] * shares[:, 1:])).sum(axis=0)
        factors = [_changed_or_not(calls, expected) for calls, expected in zip(attributed, exposure)]
        new_response = np.array([factor.mean for factor in factors])
        moved = max(abs(new_level - level), float(np.abs(new_response - response).max(initial=0.0)))
        level, response = new_level, new_response
        if moved < 1e-9:
            break
    return Update(day=day, level=Factor(level * level_rate, level_rate), channels=dict(zip(channels, factors)),
                  prior=prior)


def _changed_or_not(calls: float, expected: float) -> Factor:
    """A channel's factor after `calls` attributed to its airings that expected `expected`: either it responds
    as fitted (factor 1) or it changed since the fit (then as unknown as the fit's prior on an airing scale),
    even odds before the calls, which weigh the two by how likely they make them (gamma-Poisson marginals);
    the mixture as one gamma of the same mean and variance."""
    shape, rate = CHANNEL_PRIOR_SHAPE + calls, CHANNEL_PRIOR_SHAPE + expected
    changed = (CHANNEL_PRIOR_SHAPE * np.log(CHANNEL_PRIOR_SHAPE) + gammaln(shape) - gammaln(CHANNEL_PRIOR_SHAPE)
               - shape * np.log(rate))
    as_fitted = -expected
    odds = 1.0 / (1.0 + np.exp(np.clip(as_fitted - changed, -700, 700)))
    mean = odds * shape / rate + (1 - odds)
    second = odds * (shape / rate**2 + (shape / rate) ** 2) + (1 - odds)
    variance = max(second - mean**2, 1e-12)
    return Factor(mean**2 / variance, mean / variance)


def _capped_by_day(days: pd.DatetimeIndex, information: np.ndarray, variance: float) -> np.ndarray:
    """Per interval and channel, the weight that caps what each day's airings of a channel say about its
    factor: a day whose airings carry information I (calls) counts as I / (1 + variance x I), since its
    airings stray from the channel's factor by `variance` however many calls they bring."""
    codes, _ = pd.factorize(days)
    per_day = np.zeros((codes.max(initial=-1) + 1, information.shape[1]))
    np.add.at(per_day, codes, information)
    return 1.0 / (1.0 + variance * per_day[codes])


@dataclass(frozen=True)
class UpdatedMoments:
    """Expected calls per interval after the update, and the variance the factors' uncertainty adds."""

    mean: np.ndarray
    factor_variance: np.ndarray


def updated_moments(update: Update, index: pd.DatetimeIndex, base: np.ndarray, ad: np.ndarray,
                    channels: list[str]) -> UpdatedMoments:
    """The forecast for `index` (parts `base` and `ad` per channel) under the updated factors: the level decays
    towards 1 day by day after the update's day (an AR(1) in the day's level with the learned carry), the
    channels' factors hold (they are shared by the days since the fit)."""
    prior = update.prior
    ahead = np.maximum(np.asarray((index.normalize() - update.day).days, float), 0.0)
    decay = prior.carry**ahead
    level = 1.0 + decay * (update.level.mean - 1.0)
    level_var = decay**2 * update.level.variance + (1 - decay**2) * prior.variance
    mean = level * base
    variance = level_var * base**2
    for j, channel in enumerate(channels):
        factor = update.channels.get(channel, _changed_or_not(0.0, 0.0))
        mean = mean + factor.mean * ad[:, j]
        variance = variance + factor.variance * ad[:, j] ** 2
    return UpdatedMoments(mean=mean, factor_variance=variance)
