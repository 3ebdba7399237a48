"""CallVolumeForecaster: calls per interval = baseline(t) + ad response(t), negative binomial.

    E[calls_t] = exp(x_t . beta)  +  sum_a w_a sum_k gamma_k L_k(t, a)

The baseline is a log-linear count model (weekday x interval-of-day profile, trend, yearly season,
holidays and make-up workdays); the ad part is additive, so an airing brings calls of its own whatever
the baseline then is, and `gamma` reads directly as calls per airing per minutes-since-airing bin.
The model is fitted by penalised Fisher scoring (the smoothness penalties' weights are learned from the
data, empirical-Bayes style) with a negative-binomial variance; the warm start and the count families
come from statsmodels. Prediction intervals are negative-binomial mid-quantiles that include the
parameters' uncertainty.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import statsmodels.api as sm
from scipy import stats
from scipy.linalg import cho_factor, cho_solve
from threadpoolctl import threadpool_limits

from forecasting import holidays as hol
from forecasting import intraday
from forecasting.adresponse import AiringScale, daypart_of, lag_edges, lag_matrices
from forecasting.baseline import (WEEKDAYS, BaselineDesign, Block, inside_open_hours, learn_open_cells, open_mask,
                                 seen_cells)
from core import times
from core.errors import DataError
from core.rules import ALLOWED_INTERVALS, Rules

MAX_ITER = 60
ETA_PRIOR_LAM = 4.0  # prior sd 0.5 on each log-multiplier of the airing scale: a 2x channel is plausible, 10x needs evidence


@dataclass
class _Fit:
    theta: np.ndarray
    alpha: float
    cov: np.ndarray
    lams: dict
    iterations: int
    converged: bool


def _as_series(calls, name: str = "calls") -> pd.Series:
    if isinstance(calls, pd.DataFrame):
        if "calls" not in calls:
            raise DataError(name, "the calls table needs a 'calls' column", column="calls")
        series = calls["calls"]
        series.attrs = dict(calls.attrs)
    elif isinstance(calls, pd.Series):
        series = calls
    else:
        raise DataError(name, f"expected a pandas Series or DataFrame of calls, got {type(calls).__name__}")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise DataError(name, "calls must be indexed by interval start times (a DatetimeIndex)", column="interval_start")
    attrs = dict(series.attrs)
    series = series.set_axis(times.local_index(series.index, name, "interval_start"))
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        raise DataError(name, f"calls must be numbers; {series.index[bad.to_numpy()][0]} has {series[bad].iloc[0]!r}", column="calls")
    values = values.dropna()
    if (values < 0).any():
        first = values.index[(values < 0).to_numpy()][0]
        raise DataError(name, f"calls must not be negative (at {first})", column="calls")
    if values.index.has_duplicates:
        first = values.index[values.index.duplicated()][0]
        raise DataError(name, f"interval {first} appears twice", column="interval_start")
    values = values.sort_index().astype(float)
    values.attrs = attrs
    return values


def _interval_minutes(index: pd.DatetimeIndex, given: int | None) -> int:
    """The grid given (or inferred from the data); an interval start off it is a DataError naming it."""
    if given is not None and given not in ALLOWED_INTERVALS:
        raise DataError("calls", f"interval_minutes must be one of {ALLOWED_INTERVALS}, got {given}")
    step = given or times.grid_minutes(index)
    stray = times.off_grid(index, step)
    if stray.any():
        raise DataError("calls", f"expected {times.grid_phrase(step)}, got {index[stray][0]}", column="interval_start")
    return step


def _check_ads(ads, name: str) -> pd.DataFrame | None:
    if ads is None:
        return None
    if not isinstance(ads, pd.DataFrame):
        raise DataError(name, f"expected a DataFrame of airings, got {type(ads).__name__}")
    for col in ("start", "duration_s", "channel"):
        if col not in ads:
            raise DataError(name, f"the airings table needs a '{col}' column", column=col)
    out = ads.copy()
    out["start"] = times.local_times(out["start"], name, "start")
    out["duration_s"] = pd.to_numeric(out["duration_s"], errors="coerce")
    if out["duration_s"].isna().any() or (out["duration_s"] <= 0).any():
        raise DataError(name, "duration_s must be a positive number of seconds", column="duration_s")
    if "grp" not in out:
        out["grp"] = np.nan
    return out.sort_values("start", kind="stable").reset_index(drop=True)


def _inverse_spd(H: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix (Cholesky; pseudo-inverse if it is not)."""
    try:
        return cho_solve(cho_factor(H), np.eye(len(H)))
    except np.linalg.LinAlgError:
        return np.linalg.pinv(H)


def _dispersion(y: np.ndarray, mu: np.ndarray, alpha: float, dof: float) -> float:
    """Negative-binomial alpha by moments, Var = mu + alpha mu^2, with residuals beyond 3 standard
    deviations capped: a one-off burst (a news event, an outage) should not widen every interval."""
    sd = np.sqrt(mu + alpha * mu**2)
    resid = np.clip(y - mu, -3 * sd, 3 * sd)
    return float(np.clip((resid**2 * dof - mu).sum() / (mu**2).sum(), 1e-4, 10.0))


def _nb_interval(mu: np.ndarray, dispersion: np.ndarray, level: float) -> np.ndarray:
    """mean, lower and upper (columns): the `level` mid-quantile interval of a negative binomial with mean
    `mu` and Var = mu + dispersion mu^2, never narrower than the mean itself."""
    size = 1.0 / dispersion
    prob = size / (size + mu)
    lower = np.minimum(_mid_quantile((1 - level) / 2, size, prob), mu)
    upper = np.maximum(_mid_quantile((1 + level) / 2, size, prob), mu)
    return np.column_stack([mu, lower, upper])


def _mid_quantile(q: float, size: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Mid-distribution quantile of a negative binomial (counts spread over [k - 1/2, k + 1/2]): plain
    integer quantiles make an 80 % interval cover 90 % or more when counts are small."""
    k = stats.nbinom.ppf(q, size, prob)
    below = stats.nbinom.cdf(k - 1, size, prob)
    mass = np.maximum(stats.nbinom.pmf(k, size, prob), 1e-12)
    return np.maximum(k + (q - below) / mass - 0.5, 0.0)


class CallVolumeForecaster:
    """Forecast calls per interval from the call history and the ad-airing plan.

    `level`: coverage of the prediction interval (0.8 = 80 %). `rules`: when given, intervals outside
    its open hours forecast 0, open hours the history never covers follow its [[hours_without_history]]
    (else 0, see `without_history`), its `country` says whose public holidays are modelled (China's
    without rules) and its calendar overrides the holiday package. `max_lag_minutes`: how long after an
    airing its calls are looked for. `holidays`: model public holidays and make-up workdays (switch off
    for data whose country is not known, such as the benchmarks' foreign data sets).
    """

    def __init__(
        self,
        level: float = 0.8,
        rules: Rules | None = None,
        max_lag_minutes: int = 120,
        interval_minutes: int | None = None,
        holidays: bool = True,
    ) -> None:
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1 (e.g. 0.8 for an 80 % interval), got {level}")
        self.level = level
        self.rules = rules
        self.max_lag_minutes = max_lag_minutes
        self.interval_minutes = interval_minutes
        self.holidays = holidays

    # ----------------------------------------------------------------- fit
    def fit(self, calls, ads: pd.DataFrame | None = None) -> "CallVolumeForecaster":
        """Learn open hours, profile, trend, holidays and (when `ads` is given) the ad response."""
        y = _as_series(calls)
        if len(y) < 2:
            raise DataError("calls", "need at least two intervals of history to fit")
        step = self.interval_minutes or y.attrs.get("interval_minutes")
        self.interval_minutes_ = _interval_minutes(y.index, step)
        overrides = tuple(self.rules.calendar) if self.rules is not None else ()
        country = self.rules.country if self.rules is not None else hol.CHINA
        self.history_cells_ = seen_cells(y.index, self.interval_minutes_)
        self.open_cells_ = learn_open_cells(y, self.interval_minutes_, self.rules)
        y = y[self._open(y.index)]
        # A whole day without a single call in a busy history is a closure or an outage, not demand.
        daily = y.groupby(y.index.normalize()).transform("sum")
        if y.groupby(y.index.normalize()).sum().median() >= 10:
            y = y[daily.to_numpy() > 0]
        if len(y) < 2:
            raise DataError("calls", "no open interval with calls in the history")
        self.history_end_ = y.index[-1]
        self.design_ = BaselineDesign.learn(y, self.interval_minutes_, self.open_cells_, overrides, self.holidays, country)
        self.unknown_years_ = hol.unknown_years(y.index, overrides, country) if self.holidays else []
        ads = _check_ads(ads, "ads")
        self.has_ads_ = ads is not None and len(ads) > 0
        self.scale_ = AiringScale.learn(ads) if self.has_ads_ else AiringScale()
        self.edges_ = lag_edges(self.interval_minutes_, self.max_lag_minutes)
        self.history_ads_ = ads if self.has_ads_ else None

        X = self.design_.matrix(y.index)
        L, Xa = self._ad_inputs(y.index, ads)
        # The matrices are a few hundred columns wide: one BLAS thread beats several fighting for cores.
        with threadpool_limits(1, user_api="blas"):
            self.fit_ = self._estimate(y.to_numpy(), X, L, Xa, y.index)
            base, _, _ = self._mean_parts(self.fit_.theta, X, L, Xa, jacobian=False)
            _, by_channel = self._ad_by_channel(y.index, ads)
        self.day_level_ = intraday.DayLevel.learn(y, base, by_channel, self.fit_.alpha)
        self.y_ = y
        return self

    def _open(self, index: pd.DatetimeIndex) -> np.ndarray:
        return open_mask(self.open_cells_, self.interval_minutes_, index)

    def _ad_inputs(self, index, ads):
        if not self.has_ads_ or ads is None or len(ads) == 0:
            return None, None
        # Only airings whose response window can touch these intervals matter.
        lo = index[0] - pd.Timedelta(minutes=float(self.edges_[-1]) + 60)
        hi = index[-1] + pd.Timedelta(minutes=self.interval_minutes_)
        ads = ads[(ads["start"] >= lo) & (ads["start"] < hi)]
        L, _ = lag_matrices(ads, index, self.interval_minutes_, self.edges_)
        return L, self.scale_.matrix(ads)

    @property
    def _n_base(self) -> int:
        return self.design_.n_cols

    @property
    def _n_gamma(self) -> int:
        return len(self.edges_) - 1 if self.has_ads_ else 0

    @property
    def _n_eta(self) -> int:
        return len(self.scale_.names) if self.has_ads_ else 0

    def _blocks(self) -> list[Block]:
        blocks = self.design_.blocks()
        nb, ng, ne = self._n_base, self._n_gamma, self._n_eta
        if ng:
            blocks.append(Block("ad_curve", slice(nb, nb + ng), 1e-8 * np.eye(ng), 1.0, False))
        if ne:
            blocks.append(Block("airing_scale", slice(nb + ng, nb + ng + ne), np.eye(ne), ETA_PRIOR_LAM, False))
        return blocks

    def _mean_parts(self, theta, X, L, Xa, jacobian=True):
        """Baseline and ad means per row, and the ad part's Jacobian (dense: few columns) when asked."""
        nb, ng = self._n_base, self._n_gamma
        base = np.exp(np.clip(X @ theta[:nb], -30, 30))
        if not ng or L is None:
            D = np.zeros((len(base), ng + self._n_eta)) if jacobian else None
            return base, np.zeros_like(base), D
        gamma = self._gamma(theta)
        per_bin = self._per_bin(theta, L, Xa)
        ad = per_bin @ gamma
        if not jacobian:
            return base, ad, None
        cols = [per_bin]
        if Xa.shape[1]:
            wX = self._airing_weights(theta, Xa)[:, None] * Xa
            cols.append(sum(g * (Lk @ wX) for g, Lk in zip(gamma, L)))
        return base, ad, np.column_stack(cols)

    def _gamma(self, theta: np.ndarray) -> np.ndarray:
        return theta[self._n_base:self._n_base + self._n_gamma]

    def _airing_weights(self, theta: np.ndarray, Xa) -> np.ndarray:
        eta = theta[self._n_base + self._n_gamma:]
        return np.exp(np.clip(Xa @ eta, -20, 20)) if Xa.shape[1] else np.ones(Xa.shape[0])

    def _per_bin(self, theta: np.ndarray, L, Xa) -> np.ndarray:
        """The airings' response in each lag bin, per row (rows x bins)."""
        w = self._airing_weights(theta, Xa)
        return np.column_stack([Lk @ w for Lk in L])

    @staticmethod
    def _split(X: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray, np.ndarray]:
        """Columns of X that are sparse (indicators) and dense (trend, season): each is multiplied its way."""
        Xc = X.tocsc()
        fill = np.diff(Xc.indptr) / max(X.shape[0], 1)
        dense = np.flatnonzero(fill > 0.05)
        sparse = np.flatnonzero(fill <= 0.05)
        return sparse, Xc[:, sparse].tocsr(), dense, Xc[:, dense].toarray()

    @staticmethod
    def _information(parts, base, D, wts, resid_w):
        """Fisher information J'WJ and score J'W(y-mu) for J = [diag(base) X, D] without forming J."""
        sparse, Xs, dense, Xd = parts
        v = wts * base**2
        nb = len(sparse) + len(dense)
        if D is not None and D.shape[1]:
            Xd = np.hstack([Xd, D / base[:, None]])
            dense = np.concatenate([dense, nb + np.arange(D.shape[1])])
        p = nb + (D.shape[1] if D is not None else 0)
        F = np.zeros((p, p))
        vXd = v[:, None] * Xd
        F[np.ix_(sparse, sparse)] = (Xs.T @ Xs.multiply(v[:, None]).tocsr()).toarray()
        cross = np.asarray(Xs.T @ vXd)
        F[np.ix_(sparse, dense)] = cross
        F[np.ix_(dense, sparse)] = cross.T
        F[np.ix_(dense, dense)] = Xd.T @ vXd
        g = base * resid_w
        score = np.zeros(p)
        score[sparse] = Xs.T @ g
        score[dense] = Xd.T @ g
        return F, score

    def _estimate(self, y, X, L, Xa, index) -> _Fit:
        nb, ng, ne = self._n_base, self._n_gamma, self._n_eta
        p = nb + ng + ne
        theta = np.zeros(p)
        theta[:nb] = self._warm_start(y, X, index)
        if ng:
            # Start the curve at a small positive response so the airing scale has a gradient.
            theta[nb:nb + ng] = 0.05 * max(y.mean(), 1e-3) * np.diff(self.edges_) / self.edges_[-1]
        blocks = self._blocks()
        parts = self._split(X)
        ranks = {b.name: np.linalg.matrix_rank(b.s) for b in blocks}
        lams = {b.name: b.lam for b in blocks}

        def penalty():
            S = np.zeros((p, p))
            for b in blocks:
                S[b.cols, b.cols] += lams[b.name] * b.s
            return S

        alpha = 0.05
        n = len(y)
        converged = False
        for it in range(1, MAX_ITER + 1):
            S = penalty()
            base, ad, D = self._mean_parts(theta, X, L, Xa)
            mu = np.maximum(base + ad, 1e-10)
            wts = 1.0 / (mu + alpha * mu**2)
            F, score = self._information(parts, base, D, wts, (y - mu) * wts)
            H = F + S
            # One factorisation gives both the Newton step and the covariance the updates below need.
            cov = _inverse_spd(H)
            step = cov @ (score - S @ theta)
            objective = self._penalised_nll(y, mu, alpha, theta, S)
            t = 1.0
            for _ in range(30):
                cand = theta + t * step
                # An airing cannot take calls away: the response curve stays non-negative.
                cand[nb:nb + ng] = np.maximum(cand[nb:nb + ng], 0.0)
                b2, a2, _ = self._mean_parts(cand, X, L, Xa, jacobian=False)
                mu2 = b2 + a2
                if np.all(mu2 > 0) and self._penalised_nll(y, mu2, alpha, cand, S) <= objective + 1e-9:
                    break
                t *= 0.5
            else:
                cand = theta
            moved = np.max(np.abs(cand - theta) / (1.0 + np.abs(theta)))
            theta = cand
            # Dispersion and smoothing weights from the current fit (moment / EM updates).
            b2, a2, _ = self._mean_parts(theta, X, L, Xa, jacobian=False)
            mu = np.maximum(b2 + a2, 1e-10)
            edf = float(np.sum(cov * F))
            alpha = _dispersion(y, mu, alpha, n / max(n - edf, 1.0))
            change = 0.0
            for b in blocks:
                if not b.learn:
                    continue
                th = theta[b.cols]
                denom = th @ b.s @ th + np.sum(b.s * cov[b.cols, b.cols])
                em = ranks[b.name] / max(denom, 1e-12)
                # Over-relaxed EM step (x1.5 on the log scale): plain EM crawls when a block is not needed.
                new = float(np.clip(lams[b.name] * (em / lams[b.name]) ** 1.5, 1e-4, 1e8))
                if new < 1e6 or lams[b.name] < 1e6:  # past 1e6 the block is flat either way
                    change = max(change, abs(np.log(new / lams[b.name])))
                lams[b.name] = new
            # Converged when the coefficients have settled and no smoothing weight still moves by 5 %.
            if it > 3 and moved < 1e-2 and (change < 0.05 or (it > 20 and change < 0.2)):
                converged = True
                break
        S = penalty()
        base, ad, D = self._mean_parts(theta, X, L, Xa)
        mu = np.maximum(base + ad, 1e-10)
        wts = 1.0 / (mu + alpha * mu**2)
        F, _ = self._information(parts, base, D, wts, (y - mu) * wts)
        cov = _inverse_spd(F + S)
        return _Fit(theta, alpha, cov, lams, it, converged)

    def _warm_start(self, y, X, index) -> np.ndarray:
        """Intraday and weekday levels from a Poisson GLM (statsmodels) on those columns alone, fitted to
        the counts summed per weekday-slot cell (the same estimate, thousands of times fewer rows)."""
        d = self.design_
        cols = slice(0, len(d.slots) + len(d.weekdays) - 1)
        key = np.asarray(index.day_of_week * 1440 + index.hour * 60 + index.minute)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        cells = X[first][:, cols].toarray()
        totals = np.bincount(inverse, weights=y)
        exposure = np.bincount(inverse).astype(float)
        start = np.zeros(d.n_cols)
        keep = cells.any(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(totals, cells[:, keep], family=sm.families.Poisson(), exposure=exposure).fit(maxiter=50)
        start[np.flatnonzero(keep)] = np.clip(res.params, -20, 20)
        return start

    @staticmethod
    def _penalised_nll(y, mu, alpha, theta, S) -> float:
        family = sm.families.NegativeBinomial(alpha=alpha)
        return float(-family.loglike(y, mu) + 0.5 * theta @ S @ theta)

    # ------------------------------------------------------------- predict
    def predict(self, index, ads: pd.DataFrame | None = None, level: float | None = None, *,
                actuals=None) -> pd.DataFrame:
        """Forecast for the interval starts `index`: mean, lower, upper (closed intervals 0), and
        `calendar_known` (False where the holiday calendar does not know the year). The result's index
        is `index` in core.times.UNIT, whatever unit it came in.

        `actuals`: calls observed since the fitted history (a calls frame or Series on the model's grid,
        all before the first interval of `index`): the baseline's level and each channel's response are
        updated from them (forecasting.intraday) and the intervals follow the update's uncertainty."""
        self._check_fitted()
        index = times.local_index(index, "index", "interval_start")
        level = self.level if level is None else level
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level}")
        if index.has_duplicates:
            raise DataError("index", "the intervals to forecast contain duplicates")
        ads = _check_ads(ads, "plan")
        observed = self._checked_actuals(actuals, index)
        out = pd.DataFrame(0.0, index=index, columns=["mean", "lower", "upper"])
        _, _, known = self.design_.calendar_arrays(index)
        out["calendar_known"] = known.astype(bool)
        is_open = self._open(index)
        if is_open.any():
            if observed is None:
                values = self._predict_open(index[is_open], ads, level)
            else:
                values = self._updated_open(index[is_open], ads, level, observed)
            out.loc[is_open, ["mean", "lower", "upper"]] = values
        missing = self.without_history(index)
        if missing.any() and self.rules is not None and self.rules.hours_without_history:
            self._fill_without_history(out, index, missing, ads, level)
        return out

    def _checked_actuals(self, actuals, index: pd.DatetimeIndex) -> pd.Series | None:
        """The observed calls in open intervals, checked to be on the model's grid, after the fitted history
        and before `index`; None when there are none."""
        if actuals is None:
            return None
        y = _as_series(actuals, "actuals")
        if not len(y):
            return None
        name = y.attrs.get("source", "actuals")
        stray = times.off_grid(y.index, self.interval_minutes_)
        if stray.any():
            raise DataError(name, f"the model forecasts {times.grid_phrase(self.interval_minutes_)}; "
                            f"the actuals have {y.index[stray][0]} off that grid", column="interval_start")
        # Read from the times themselves: attributes of a frame summed on the way can still name the finer grid.
        grid = times.grid_minutes(y.index) if len(y) > 1 else y.attrs.get("interval_minutes", self.interval_minutes_)
        if grid != self.interval_minutes_:
            raise DataError(name, f"the actuals are on a {grid}-minute grid and the model forecasts "
                            f"{self.interval_minutes_}-minute intervals: give the actuals on the model's grid",
                            column="interval_start")
        if len(index) and (y.index >= index.min()).any():
            late = y.index[y.index >= index.min()]
            more = f" and {len(late) - 1} more" if len(late) > 1 else ""
            raise DataError(name, f"actuals at {late[0]}{more} are not before the first interval to forecast "
                            f"({index.min()}): calls not yet observed cannot be actuals", column="interval_start")
        fitted = y.index[y.index <= self.history_end_]
        if len(fitted):
            raise DataError(name, f"actuals at {fitted[0]} are inside the fitted history (it ends "
                            f"{self.history_end_}): fit on them or leave them out", column="interval_start")
        # Calls in closed hours say nothing of the open ones the model forecasts.
        y = y[self._open(y.index)]
        return y if len(y) else None

    def _open_parts(self, sub: pd.DatetimeIndex, ads: pd.DataFrame | None):
        """Baseline mean, ad mean and the mean's parameter variance per open interval of `sub` (its order)."""
        order = np.argsort(sub.to_numpy(), kind="stable")
        sub_sorted = sub[order]
        X = self.design_.matrix(sub_sorted)
        L, Xa = self._ad_inputs(sub_sorted, ads) if self.has_ads_ and ads is not None and len(ads) else (None, None)
        with threadpool_limits(1, user_api="blas"):
            base, ad, J = self._mean_and_jacobian_any(self.fit_.theta, X, L, Xa)
            JV = J @ self.fit_.cov
        var_mu = np.maximum(np.asarray(J.multiply(JV).sum(axis=1)).ravel(), 0.0)
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        return base[inv], ad[inv], var_mu[inv]

    def _ad_by_channel(self, sub: pd.DatetimeIndex, ads: pd.DataFrame | None) -> tuple[list[str], np.ndarray]:
        """The ad mean of each channel's airings per interval of `sub` (intervals x channels)."""
        if not self.has_ads_ or ads is None or not len(ads):
            return [], np.zeros((len(sub), 0))
        order = np.argsort(sub.to_numpy(), kind="stable")
        sub_sorted = sub[order]
        channels = sorted(ads["channel"].astype(str).unique())
        columns = []
        for channel in channels:
            L, Xa = self._ad_inputs(sub_sorted, ads[ads["channel"].astype(str) == channel])
            columns.append(self._per_bin(self.fit_.theta, L, Xa) @ self._gamma(self.fit_.theta)
                           if L is not None else np.zeros(len(sub)))
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        return channels, np.column_stack(columns)[inv]

    def _predict_open(self, sub: pd.DatetimeIndex, ads: pd.DataFrame | None, level: float) -> np.ndarray:
        """mean, lower and upper (columns) for open intervals `sub`."""
        base, ad, var_mu = self._open_parts(sub, ads)
        mu = np.maximum(base + ad, 1e-9)
        # Parameter uncertainty widens the negative-binomial dispersion: Var = mu + (alpha + v/mu^2) mu^2.
        return _nb_interval(mu, self.fit_.alpha + var_mu / mu**2, level)

    def _updated_open(self, sub: pd.DatetimeIndex, ads: pd.DataFrame | None, level: float,
                      observed: pd.Series) -> np.ndarray:
        """mean, lower and upper for open intervals `sub` after the `observed` calls (forecasting.intraday)."""
        seen_base, _, _ = self._open_parts(observed.index, ads)
        channels, seen_ad = self._ad_by_channel(observed.index, ads)
        update = intraday.updated(observed, seen_base, seen_ad, channels, observed.index.max().normalize(),
                                  self.fit_.alpha, self.day_level_)
        base, ad, var_mu = self._open_parts(sub, ads)
        channels, by_channel = self._ad_by_channel(sub, ads)
        moments = intraday.updated_moments(update, sub, base, by_channel, channels)
        mean = np.maximum(moments.mean, 1e-9)
        prior_mean = np.maximum(base + ad, 1e-9)
        dispersion = (self.day_level_.residual_dispersion(self.fit_.alpha) + var_mu / prior_mean**2
                      + moments.factor_variance / mean**2)
        return _nb_interval(mean, dispersion, level)

    def without_history(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Which intervals of `index` fall in the rules' open hours at a weekday and time of day the history
        has no row for: the model has nothing to forecast them from (always none without rules)."""
        if self.rules is None:
            return np.zeros(len(index), bool)
        step = self.interval_minutes_
        minute = times.minute_of_day(index)
        inside = inside_open_hours(minute, step, self.rules)
        seen = self.history_cells_[np.asarray(index.day_of_week), (minute // step) % self.history_cells_.shape[1]]
        return inside & ~seen & ~times.off_grid(index, step)

    def _fill_without_history(self, out: pd.DataFrame, index: pd.DatetimeIndex, missing: np.ndarray,
                              ads: pd.DataFrame | None, level: float) -> None:
        """Calls in the intervals without history from the rules' [[hours_without_history]]: each window's
        share of its day's calls in the hours the history covers, spread evenly over the window's intervals
        without history; their bounds keep the day's ratio of bound to mean."""
        step = self.interval_minutes_
        days = index[missing].normalize().unique()
        # The whole day's covered hours, however little of the day `index` holds.
        day_slots = pd.DatetimeIndex([d + pd.Timedelta(minutes=int(m)) for d in days for m in range(0, 1440, step)])
        covered = day_slots[self._open(day_slots)]
        per_day = pd.DataFrame(self._predict_open(covered, ads, level) if len(covered) else np.zeros((0, 3)),
                               index=covered, columns=["mean", "lower", "upper"])
        per_day = per_day.groupby(per_day.index.normalize()).sum().reindex(days, fill_value=0.0)
        minute = times.minute_of_day(index)
        weekday = np.asarray(index.day_of_week)
        for window in self.rules.hours_without_history:
            hit = missing & (minute >= window.start_minute) & (minute < window.end_minute)
            if not hit.any():
                continue
            slots = np.arange(window.start_minute, window.end_minute, step) // step
            intervals = (~self.history_cells_[:, slots]).sum(axis=1)  # per weekday
            day = per_day.loc[index[hit].normalize()].to_numpy()
            mean = window.share * day[:, 0] / intervals[weekday[hit]]
            ratio = np.divide(day[:, 1:], day[:, :1], out=np.ones((len(day), 2)), where=day[:, :1] > 0)
            out.loc[hit, "mean"] = mean
            out.loc[hit, "lower"] = mean * ratio[:, 0]
            out.loc[hit, "upper"] = mean * ratio[:, 1]

    def _mean_and_jacobian_any(self, theta, X, L, Xa):
        """Means and the full Jacobian [diag(base) X, D] (the ad columns are zero when the plan has none)."""
        base, ad, D = self._mean_parts(theta, X, L, Xa)
        J = sp.hstack([sp.diags(base) @ X, sp.csr_matrix(D)]).tocsr()
        return base, ad, J

    def _check_fitted(self) -> None:
        if not hasattr(self, "fit_"):
            raise RuntimeError("call fit(calls, ads) before predict")

    # ------------------------------------------------------------- explain
    def coefficients(self) -> pd.DataFrame:
        """Every coefficient with its standard error (log scale for the baseline and airing scale,
        calls for the ad curve)."""
        self._check_fitted()
        names = list(self.design_.names)
        if self._n_gamma:
            names += [f"ad_calls[{int(a)}-{int(b)} min]" for a, b in zip(self.edges_[:-1], self.edges_[1:])]
            names += self.scale_.names
        se = np.sqrt(np.maximum(np.diag(self.fit_.cov), 0))
        return pd.DataFrame({"estimate": self.fit_.theta, "std_error": se}, index=pd.Index(names, name="term"))

    def response_curve(self) -> pd.DataFrame:
        """Expected extra calls of a reference airing by minutes since it started: per bin and per minute."""
        self._check_fitted()
        if not self._n_gamma:
            return pd.DataFrame(columns=["from_min", "to_min", "calls", "std_error", "calls_per_minute", "cumulative"])
        nb, ng = self._n_base, self._n_gamma
        gamma = self.fit_.theta[nb:nb + ng]
        se = np.sqrt(np.maximum(np.diag(self.fit_.cov)[nb:nb + ng], 0))
        width = np.diff(self.edges_)
        return pd.DataFrame({
            "from_min": self.edges_[:-1].astype(int),
            "to_min": self.edges_[1:].astype(int),
            "calls": gamma,
            "std_error": se,
            "calls_per_minute": gamma / width,
            "cumulative": np.cumsum(gamma),
        })

    def airing_multipliers(self, ads: pd.DataFrame | None = None) -> np.ndarray:
        """w_a for each airing of `ads` (default: the history's airings)."""
        self._check_fitted()
        ads = self.history_ads_ if ads is None else _check_ads(ads, "ads")
        if not self._n_gamma or ads is None:
            return np.zeros(0 if ads is None else len(ads))
        eta = self.fit_.theta[self._n_base + self._n_gamma:]
        Xa = self.scale_.matrix(ads)
        return np.exp(Xa @ eta) if Xa.shape[1] else np.ones(len(ads))

    def calls_per_airing(self, ads: pd.DataFrame | None = None) -> pd.Series:
        """Expected extra calls each airing brings (whole response window), on the airings' index."""
        w = self.airing_multipliers(ads)
        total = self.response_curve()["calls"].sum() if self._n_gamma else 0.0
        ads = self.history_ads_ if ads is None else ads
        index = ads.index if ads is not None else pd.RangeIndex(0)
        return pd.Series(w * total, index=index, name="calls_per_airing")

    def calls_by_airing(self, index, ads: pd.DataFrame) -> pd.DataFrame:
        """Expected extra calls each airing of `ads` brings to each interval of `index`: the ad part of
        `predict`'s mean taken airing by airing (rows: `index`; columns: the airings' positions in `ads`;
        closed intervals 0). `index` must be sorted."""
        self._check_fitted()
        index = times.local_index(index, "index", "interval_start")
        ads = _check_ads(ads, "ads")
        n_ads = 0 if ads is None else len(ads)
        out = np.zeros((len(index), n_ads))
        if self._n_gamma and n_ads and len(index):
            L, _ = lag_matrices(ads, index, self.interval_minutes_, self.edges_)
            w = self._airing_weights(self.fit_.theta, self.scale_.matrix(ads))
            for g, Lk in zip(self._gamma(self.fit_.theta), L):
                out += g * Lk.multiply(w[None, :]).toarray()
            out *= self._open(index)[:, None]
        return pd.DataFrame(out, index=index)

    def response_by(self, by: str = "channel") -> pd.DataFrame:
        """Mean expected calls per airing of the history's airings grouped by 'channel' or 'daypart'."""
        self._check_fitted()
        if not self.has_ads_:
            return pd.DataFrame(columns=["airings", "calls_per_airing"])
        ads = self.history_ads_
        key = ads["channel"].astype(str) if by == "channel" else pd.Series(daypart_of(ads["start"]), index=ads.index)
        per = self.calls_per_airing()
        return pd.DataFrame({"airings": per.groupby(key).size(), "calls_per_airing": per.groupby(key).mean()})

    def weekly_profile(self) -> pd.DataFrame:
        """Expected baseline calls per interval (no ads) by interval of day (rows) and weekday (columns),
        at the end of the history; closed cells are 0."""
        self._check_fitted()
        step = self.interval_minutes_
        per_day = 1440 // step
        # The Monday..Sunday of the last full week of history, without holidays.
        monday = (self.history_end_.normalize() - pd.Timedelta(days=self.history_end_.weekday() + 7))
        index = pd.DatetimeIndex([monday + pd.Timedelta(days=d, minutes=s * step) for d in range(7) for s in range(per_day)])
        mean = self.predict(index)["mean"].to_numpy().reshape(7, per_day).T
        labels = [f"{(s * step) // 60:02d}:{(s * step) % 60:02d}" for s in range(per_day)]
        table = pd.DataFrame(mean, index=pd.Index(labels, name="interval"), columns=list(WEEKDAYS))
        return table.loc[self.open_cells_.any(axis=0)]

    def holiday_effects(self) -> pd.DataFrame:
        """Multiplier on the baseline for each holiday seen in the history and for make-up workdays."""
        coefs = self.coefficients()
        rows = coefs[
            coefs.index.str.startswith(("holiday[", "spring_festival[")) | (coefs.index == "makeup_workday")
        ]
        return pd.DataFrame({
            "multiplier": np.exp(rows["estimate"]),
            "low_95": np.exp(rows["estimate"] - 1.96 * rows["std_error"]),
            "high_95": np.exp(rows["estimate"] + 1.96 * rows["std_error"]),
        })

    def summary(self) -> dict:
        """The headline numbers as plain values (for reports and the CLI)."""
        self._check_fitted()
        out = {
            "interval_minutes": self.interval_minutes_,
            "history_end": str(self.history_end_),
            "dispersion_alpha": self.fit_.alpha,
            "iterations": self.fit_.iterations,
            "converged": self.fit_.converged,
            "smoothing": {k: float(v) for k, v in self.fit_.lams.items()},
            "unknown_holiday_years": list(self.unknown_years_),
        }
        if self.has_ads_:
            out["mean_calls_per_airing"] = float(self.calls_per_airing().mean())
        return out
