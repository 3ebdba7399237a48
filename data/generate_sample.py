"""Seeded generator of the bundled sample: a TV-shopping call center with two years of history.

Run from the project root as `python -m data.generate_sample [--out DIR] [--seed N]` (or
`python data/generate_sample.py`). The same seed writes the same bytes: no wall clock, one
numpy Generator per component (so changing one part does not reshuffle the others).

The world it simulates (every parameter is saved in truth.json):
- base calls = level × trend × yearly season × day factor (weekday / rest day / holiday) × intraday shape
  (a workday shape and a rest-day shape), Chinese public holidays and make-up workdays from
  `chinese_calendar`, a Spring Festival trough with a ramp before and after it;
- each airing adds calls_per_grp × channel conversion × GRP × (duration / 60 s) ** 0.5 calls, spread
  over the following hour by one response curve (minutes since the airing starts);
- noise: a day effect (gamma, mean 1), an airing-appeal effect (lognormal, mean 1) and gamma-Poisson
  (negative binomial) counts per interval;
- a staffing policy (Erlang C sizing of a noisy forecast, capped by the agents on shift) and exact
  Erlang A (M/M/N+M) abandonment give the answered / abandoned counts; AHT mixes order calls (after
  airings) and ordinary calls;
- December 2026 as the center lived it, on its published roster (roster_2026-12.csv, an input made by
  the product): the same calls model with one channel over-delivering, clock records of everyone
  rostered with planted absences, late arrivals, early departures, forgotten clock-outs, overtime and
  rest-day work, and the outcomes from the agents actually on the phones (the same Erlang A).
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.rules import DEFAULT_RULES, minutes_of, rules_to_toml
from scheduler.roster import load_assignments

SEED = 20261201
HISTORY_START = dt.date(2024, 12, 1)
HISTORY_END = dt.date(2026, 11, 30)
PLAN_START = dt.date(2026, 12, 1)
PLAN_END = dt.date(2026, 12, 31)
OUT_DIR = Path(__file__).resolve().parent / "sample"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# --- the base (non-airing) demand --------------------------------------------------------------
LEVEL = 34.0  # mean base calls per 15-min interval on an average day at TREND_ORIGIN
TREND_ORIGIN = dt.date(2025, 12, 1)
TREND_PER_YEAR = 0.07  # log-linear growth of the base level
YEARLY_AMPLITUDE = 0.06  # winter high, summer low (people watch more TV in winter)
YEARLY_PEAK_DOY = 10
WORKDAY_FACTOR = {0: 1.04, 1: 1.00, 2: 0.98, 3: 0.97, 4: 0.95, 5: 0.97, 6: 0.97}  # make-up Sat/Sun too
REST_DAY_FACTOR = {5: 1.06, 6: 1.10}  # ordinary weekends; holidays use the Sunday level
REST_DAY_WEEKDAY_FACTOR = 1.08  # a holiday that falls on Mon..Fri
HOLIDAY_FACTOR = {
    "Spring Festival": 0.45,
    "National Day": 0.85,
    "Labour Day": 0.88,
    "Mid-autumn Festival": 0.90,
    "New Year's Day": 0.92,
    "Tomb-sweeping Day": 0.92,
    "Dragon Boat Festival": 0.92,
}
SPRING_FESTIVAL_FIRST_DAYS = 0.36  # the first three days of the Spring Festival holiday
SPRING_FESTIVAL_RAMP_DAYS = 7  # calls fall over the week before it and recover over the week after
SPRING_FESTIVAL_RAMP_LOW = 0.78
DAY_EFFECT_SHAPE = 120.0  # gamma day effect, mean 1, CV = 1/sqrt(shape) ≈ 9 %
NB_DISPERSION = 40.0  # gamma-Poisson size r: variance = mean + mean² / r

# --- the ads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    name: str
    rating: float  # mean GRP of an airing at daypart factor 1
    conversion: float  # calls per GRP relative to the satellite channels (shopping viewers buy more)
    share: float  # share of airings
    cost_per_grp_30s: float  # yuan
    durations: tuple[int, ...]
    duration_weights: tuple[float, ...]


CHANNELS = (
    Channel("湖南卫视", 1.30, 1.00, 0.18, 42000.0, (15, 30, 60, 120), (0.30, 0.35, 0.25, 0.10)),
    Channel("江苏卫视", 1.00, 1.00, 0.24, 30000.0, (15, 30, 60, 120, 180), (0.20, 0.30, 0.30, 0.12, 0.08)),
    Channel("山东卫视", 0.70, 1.10, 0.30, 18000.0, (30, 60, 120, 180, 300), (0.20, 0.30, 0.25, 0.15, 0.10)),
    Channel("家有购物", 0.35, 1.60, 0.28, 9000.0, (60, 120, 180, 300), (0.15, 0.25, 0.30, 0.30)),
)
PRODUCTS = ("智能扫地机", "羊绒大衣", "不粘锅套装", "按摩椅", "养生茶", "珍珠项链", "空气炸锅", "护肤套装", "蚕丝被", "足浴盆")
CALLS_PER_GRP = 100.0  # expected calls of a 60-second airing with GRP 1 on a conversion-1 channel
DURATION_ELASTICITY = 0.5  # calls grow with (duration / 60 s) ** 0.5
DAYPARTS = (  # (name, first minute of day, end minute, GRP factor, share of airings)
    ("morning", 8 * 60, 11 * 60, 0.80, 0.34),
    ("midday", 11 * 60, 14 * 60, 1.10, 0.30),
    ("afternoon", 14 * 60, 17 * 60 + 35, 0.95, 0.36),
)
WEEKEND_GRP_FACTOR = 1.10
GRP_SIGMA = 0.20  # lognormal spread of GRP around channel × daypart
APPEAL_SIGMA = 0.20  # lognormal (mean 1) spread of one airing's calls around its expectation
AIRINGS_PER_DAY = (3, 8, 0.5)  # 3 + Binomial(8, 0.5): 3..11, mean 7
AIRINGS_SPRING_FESTIVAL = (1, 3, 0.5)
MIN_GAP_MINUTES = 20  # between two airings of the same day
# Response curve over minutes since the airing starts: 75 % a fast gamma(2, 5 min), 25 % an
# exponential tail (15 min), cut at the rules' response window and renormalised.
CURVE_FAST_SHARE = 0.75
# How long callers keep responding to an airing: nature, not the rules' planning window.
RESPONSE_MINUTES = 60
CURVE_FAST_SCALE_MIN = 5.0
CURVE_TAIL_SCALE_MIN = 15.0

# --- service: handle time, patience, staffing ----------------------------------------------------
AHT_ORDINARY_S = 225.0  # calls not driven by an airing (enquiries, order status)
AHT_ORDER_S = 265.0  # calls in response to an airing (taking an order)
AHT_REST_DAY_EXTRA_S = 6.0
AHT_TREND_PER_YEAR = -0.03  # agents get quicker
AHT_CALL_CV = 0.55  # spread of one call's handle time
PATIENCE_S = 90.0  # mean seconds a caller waits before hanging up
PLAN_SERVICE_LEVEL = 0.80  # the historical planner sized for 80 % answered within 20 s
PLAN_ANSWER_WITHIN_S = 20.0
PLAN_MAX_OCCUPANCY = 0.85
PLAN_FORECAST_SIGMA = 0.12  # the planner's forecast error per interval (lognormal)
PLAN_DAY_BIAS = (0.92, 1.12)  # uniform day-level over/under-staffing
AGENTS_HEADCOUNT = (88, 104)  # agents on the payroll at the start and end of the history (hiring with growth)
ABSENCE = (0.02, 0.08)  # uniform share of the day's agents on leave or sick
IN_SHIFT_SHRINKAGE = 0.12  # breaks, meetings, coaching while on shift
MIN_AGENTS_ON_PHONES = 6

# --- December as the center lived it: actuals and clock records ------------------------------------
# December's published roster, made once by the product from this sample (data/sample/README.md says how):
# an input of the generator, so it never solves a roster itself.
ROSTER_FILE = "roster_2026-12.csv"
OVER_CHANNEL = "家有购物"  # a hit product: its December airings bring more calls than its history taught
OVER_FACTOR = 1.5
ABSENCE_MORNING = dt.date(2026, 12, 15)  # flu: several early-shift agents miss the morning, four airings in it
ABSENCE_MORNING_ABSENT = 6  # of them do not come at all (no clock records)
ABSENCE_MORNING_LATE = 4  # come in LATE_ON_ABSENCE_MORNING minutes late
LATE_ON_ABSENCE_MORNING = (90, 181)
SICK_DAYS = 5  # single whole-day absences of agents on other days
ROUTINE_EVENTS = (("late", 0.025), ("early_leave", 0.015), ("no_clock_out", 0.01))  # per worked day
LATE_MINUTES = (5, 46)
EARLY_LEAVE_MINUTES = (15, 121)
ON_TIME_IN_BEFORE_S = (3 * 60, 20 * 60)  # on time: clocked in this long before the shift starts
ON_TIME_OUT_AFTER_S = (0, 12 * 60)  # and out this long after it ends
BUSY_DAYS = 3  # the month's busiest days by calls: early-shift agents stay until closing
OVERTIME_PEOPLE = 6
REST_DAY_WORKERS = 2  # agents called in on their rest day on the busiest day
REST_DAY_SHIFT = "E"
REST_DAY_LUNCH = "13:00"

# --- staff and leave -----------------------------------------------------------------------------
TEAMS = 3
GROUPS_PER_TEAM = 4
AGENTS_PER_GROUP = (9, 8, 9, 9, 8, 9, 9, 8, 9, 9, 8, 9)  # 104 agents; groups of 9–10 with the leader
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宁欣怡婷雪琳晨浩宇轩子涵梓萱佳琪思雨俊"


def _rng(seed: int, stream: int) -> np.random.Generator:
    """One independent Generator per component of the world."""
    return np.random.default_rng([seed, stream])


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _slots() -> np.ndarray:
    """Minute of day at which each open interval starts (40 of them by default)."""
    r = DEFAULT_RULES
    return np.arange(r.open_minute, r.close_minute, r.interval_minutes)


# ---------------------------------------------------------------------------------------------
# Calendar and base demand


@functools.lru_cache(maxsize=None)
def day_kind(day: dt.date) -> tuple[bool, str | None]:
    """(is a workday, holiday name or None) by the Chinese calendar, make-up workdays included."""
    workday = chinese_calendar.is_workday(day)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return workday, (name if on_holiday and not workday else None)


@functools.lru_cache(maxsize=None)
def spring_festival_days() -> frozenset[dt.date]:
    return frozenset(d for d in _days(HISTORY_START, PLAN_END) if day_kind(d)[1] == "Spring Festival")


@functools.lru_cache(maxsize=None)
def spring_festival_spans() -> tuple[tuple[dt.date, dt.date], ...]:
    """(first, last) day of each Spring Festival holiday."""
    days = spring_festival_days()
    firsts = sorted(d for d in days if d - dt.timedelta(days=1) not in days)
    lasts = sorted(d for d in days if d + dt.timedelta(days=1) not in days)
    return tuple(zip(firsts, lasts))


def _ramp(days_away: int) -> float:
    """Spring Festival ramp: lowest the day next to the holiday, back to 1 a week away."""
    if not 0 < days_away <= SPRING_FESTIVAL_RAMP_DAYS:
        return 1.0
    return 1 - (1 - SPRING_FESTIVAL_RAMP_LOW) * (SPRING_FESTIVAL_RAMP_DAYS + 1 - days_away) / SPRING_FESTIVAL_RAMP_DAYS


def day_factor(day: dt.date) -> float:
    """Level of the day relative to an average day, from the weekday and the holiday calendar."""
    workday, holiday = day_kind(day)
    if workday:
        factor = WORKDAY_FACTOR[day.weekday()]
    elif holiday:
        factor = REST_DAY_FACTOR[6] * HOLIDAY_FACTOR[holiday]
    else:
        factor = REST_DAY_FACTOR.get(day.weekday(), REST_DAY_WEEKDAY_FACTOR)
    # Spring Festival: a deeper trough in its first days, a ramp down before and back up after.
    for first, last in spring_festival_spans():
        if holiday == "Spring Festival" and 0 <= (day - first).days < 3:
            factor = REST_DAY_FACTOR[6] * SPRING_FESTIVAL_FIRST_DAYS
        factor *= _ramp((first - day).days) * _ramp((day - last).days)
    return factor


def intraday_shapes() -> dict[str, np.ndarray]:
    """Relative calls per open interval (mean 1): workdays peak mid-morning and mid-afternoon with a
    lunch dip; rest days start slowly and peak later in the afternoon."""
    hour = (_slots() + DEFAULT_RULES.interval_minutes / 2) / 60

    def bump(centre: float, width: float) -> np.ndarray:
        return np.exp(-(((hour - centre) / width) ** 2))

    opening = 1 - 0.35 * np.exp(-(hour - 8) / 0.4)  # the first half hour is quieter
    work = (0.55 + 0.60 * bump(10.4, 1.2) + 0.45 * bump(15.0, 1.5) - 0.18 * bump(12.6, 0.6)) * opening
    rest = (0.50 + 0.35 * bump(11.2, 1.6) + 0.60 * bump(16.0, 1.4) - 0.10 * bump(13.0, 0.7)) * (
        1 - 0.70 * np.exp(-(hour - 8) / 1.0)
    )
    return {"workday": work / work.mean(), "rest_day": rest / rest.mean()}


def trend_factor(day: dt.date) -> float:
    years = (day - TREND_ORIGIN).days / 365.25
    season = 1 + YEARLY_AMPLITUDE * math.cos(2 * math.pi * (day.timetuple().tm_yday - YEARLY_PEAK_DOY) / 365.25)
    return math.exp(TREND_PER_YEAR * years) * season


def base_expected(days: list[dt.date]) -> np.ndarray:
    """True mean base (non-airing) calls: days × open intervals."""
    shapes = intraday_shapes()
    rows = []
    for day in days:
        shape = shapes["workday" if day_kind(day)[0] else "rest_day"]
        rows.append(LEVEL * trend_factor(day) * day_factor(day) * shape)
    return np.array(rows)


# ---------------------------------------------------------------------------------------------
# Ads and their response


def response_curve() -> np.ndarray:
    """Share of an airing's calls arriving in each minute since it starts (sums to 1 over the window)."""
    window = RESPONSE_MINUTES
    edges = np.arange(window + 1, dtype=float)
    x = edges / CURVE_FAST_SCALE_MIN
    fast_cdf = 1 - np.exp(-x) * (1 + x)  # gamma with shape 2
    tail_cdf = 1 - np.exp(-edges / CURVE_TAIL_SCALE_MIN)
    cdf = CURVE_FAST_SHARE * fast_cdf + (1 - CURVE_FAST_SHARE) * tail_cdf
    share = np.diff(cdf)
    return share / share.sum()


def airing_expected_calls(channel: str, duration_s: np.ndarray | float, grp: np.ndarray | float) -> np.ndarray:
    """Expected calls an airing brings (over the whole response window)."""
    conversion = {c.name: c.conversion for c in CHANNELS}[channel]
    return CALLS_PER_GRP * conversion * np.asarray(grp) * (np.asarray(duration_s) / 60.0) ** DURATION_ELASTICITY


def _daypart_of(minute: int) -> tuple:
    for part in DAYPARTS:
        if part[1] <= minute < part[2]:
            return part
    return DAYPARTS[-1]


def _pick(rng: np.random.Generator, weights) -> int:
    """Index drawn with the given weights (cheaper than Generator.choice inside loops)."""
    cumulative = np.cumsum(weights)
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def airings(days: list[dt.date], rng: np.random.Generator) -> pd.DataFrame:
    """Airings of the given days: start, duration_s, channel, product, grp, cost."""
    festival = spring_festival_days()
    channel_p = [c.share for c in CHANNELS]
    part_p = [p[4] for p in DAYPARTS]
    rows = []
    for day in days:
        low, n, p = AIRINGS_SPRING_FESTIVAL if day in festival else AIRINGS_PER_DAY
        count = low + int(rng.binomial(n, p))
        chosen: list[int] = []
        for _ in range(count * 20):  # rejection sampling keeps airings MIN_GAP_MINUTES apart
            if len(chosen) == count:
                break
            part = DAYPARTS[_pick(rng, part_p)]
            minute = int(rng.integers(part[1], part[2]))
            if all(abs(minute - m) >= MIN_GAP_MINUTES for m in chosen):
                chosen.append(minute)
        weekend = not day_kind(day)[0]
        for minute in sorted(chosen):
            ch = CHANNELS[_pick(rng, channel_p)]
            duration = ch.durations[_pick(rng, ch.duration_weights)]
            mean_grp = ch.rating * _daypart_of(minute)[3] * (WEEKEND_GRP_FACTOR if weekend else 1.0)
            grp = round(mean_grp * math.exp(GRP_SIGMA * rng.standard_normal() - GRP_SIGMA**2 / 2), 2)
            grp = max(grp, 0.01)
            cost = int(round(grp * duration / 30 * ch.cost_per_grp_30s, -2))
            rows.append({
                "start": dt.datetime.combine(day, dt.time(minute // 60, minute % 60)),
                "duration_s": duration,
                "channel": ch.name,
                "product": PRODUCTS[int(rng.integers(len(PRODUCTS)))],
                "grp": grp,
                "cost": cost,
            })
    return pd.DataFrame(rows)


def airing_minutes(ads: pd.DataFrame, days: list[dt.date], appeal: np.ndarray | None = None) -> np.ndarray:
    """Calls per minute of day brought by the airings (days × 1440), optionally scaled per airing."""
    curve = response_curve()
    first = days[0]
    out = np.zeros(len(days) * 1440 + len(curve))
    expected = np.zeros(len(ads))
    for channel in ads["channel"].unique():
        mask = (ads["channel"] == channel).to_numpy()
        expected[mask] = airing_expected_calls(channel, ads.loc[mask, "duration_s"].to_numpy(), ads.loc[mask, "grp"].to_numpy())
    if appeal is not None:
        expected = expected * appeal
    starts = pd.to_datetime(ads["start"])
    offsets = ((starts - pd.Timestamp(first)) // pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)
    for offset, calls in zip(offsets, expected):
        out[offset : offset + len(curve)] += calls * curve
    return out[: len(days) * 1440].reshape(len(days), 1440)


def per_interval(minutes: np.ndarray) -> np.ndarray:
    """Per-minute counts (days × 1440) summed into the open intervals (days × 40)."""
    step = DEFAULT_RULES.interval_minutes
    by_interval = minutes.reshape(minutes.shape[0], 1440 // step, step).sum(axis=2)
    return by_interval[:, _slots() // step]


# ---------------------------------------------------------------------------------------------
# Queueing: Erlang C sizing for the planner, Erlang A (M/M/N+M) for abandonment


def erlang_c_agents(load_erlangs: np.ndarray, aht_s: np.ndarray, max_agents: int = 250) -> np.ndarray:
    """Fewest agents giving PLAN_SERVICE_LEVEL within PLAN_ANSWER_WITHIN_S and occupancy ≤ the cap."""
    a = np.asarray(load_erlangs, float)
    need = np.full(a.shape, max_agents)
    blocking = np.ones(a.shape)
    found = np.zeros(a.shape, bool)
    for n in range(1, max_agents + 1):
        blocking = a * blocking / (n + a * blocking)  # Erlang B recursion
        rho = a / n
        stable = rho < 1
        wait_p = np.where(stable, blocking / np.maximum(1 - rho * (1 - blocking), 1e-300), 1.0)
        sl = 1 - wait_p * np.exp(-np.maximum(n - a, 0) * PLAN_ANSWER_WITHIN_S / aht_s)
        ok = stable & (sl >= PLAN_SERVICE_LEVEL) & (rho <= PLAN_MAX_OCCUPANCY) & ~found
        need[ok] = n
        found |= ok
        if found.all():
            break
    return need


def erlang_a_abandon_share(agents: np.ndarray, arrivals_per_s: np.ndarray, aht_s: np.ndarray, patience_s: float,
                           max_queue: int = 150) -> np.ndarray:
    """Share of callers who hang up in an M/M/N+M queue (exact birth-death chain, truncated queue)."""
    agents = np.asarray(agents, int)
    lam = np.asarray(arrivals_per_s, float)
    mu = 1 / np.asarray(aht_s, float)
    gamma = 1 / patience_s
    out = np.zeros(lam.shape)
    busy = lam > 0
    n_max = int(agents.max()) if len(agents) else 0
    for chunk in np.array_split(np.flatnonzero(busy), max(1, busy.sum() // 2000)):
        if not len(chunk):
            continue
        n, l, m = agents[chunk, None], lam[chunk, None], mu[chunk, None]
        k = np.arange(1, n_max + max_queue + 1)[None, :]
        # log of p_k / p_{k-1}: λ / (k μ) while k ≤ N, λ / (N μ + (k − N) γ) above
        rate_out = np.where(k <= n, k * m, n * m + (k - n) * gamma)
        log_p = np.concatenate([np.zeros((len(chunk), 1)), np.cumsum(np.log(l / rate_out), axis=1)], axis=1)
        log_p -= log_p.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        p /= p.sum(axis=1, keepdims=True)
        states = np.arange(p.shape[1])[None, :]
        queue = np.maximum(states - n, 0)
        out[chunk] = np.minimum(gamma * (p * queue).sum(axis=1) / l[:, 0], 1.0)
    return out


def shift_capacity(headcount: np.ndarray, absence: np.ndarray) -> np.ndarray:
    """Agents on the phones per open interval (days × 40): both shifts, lunches spread over each window."""
    slots = _slots()
    step = DEFAULT_RULES.interval_minutes
    present = np.zeros(len(slots))
    for shift in DEFAULT_RULES.shifts:
        on = ((slots >= shift.start_minute) & (slots < shift.end_minute)).astype(float)
        lo, hi = minutes_of(shift.lunch_earliest), minutes_of(shift.lunch_latest_end)
        lunch_starts = np.arange(lo, hi - shift.unpaid_break_minutes + 1, step)
        at_lunch = np.array([
            np.mean((s >= lunch_starts) & (s < lunch_starts + shift.unpaid_break_minutes)) for s in slots
        ])
        present += on * (1 - at_lunch) / len(DEFAULT_RULES.shifts)
    working = headcount * (7 - DEFAULT_RULES.rest_days_per_week) / 7 * (1 - absence)
    return working[:, None] * present[None, :] * (1 - IN_SHIFT_SHRINKAGE)


@dataclass(frozen=True)
class RealisedCalls:
    """Calls as they happened: the day effects and airing appeals drawn, the mean they give, the counts."""

    day_effect: np.ndarray  # per day, mean 1
    appeal: np.ndarray  # per airing, mean 1
    ad_calls: np.ndarray  # days × open intervals: the calls the airings brought in expectation after appeal
    mean: np.ndarray  # days × open intervals
    calls: np.ndarray  # days × open intervals, gamma-Poisson counts around the mean


def realised_calls(base: np.ndarray, ads: pd.DataFrame, days: list[dt.date], rng: np.random.Generator,
                   boost: np.ndarray | None = None) -> RealisedCalls:
    """Day effect, airing appeal (times `boost` per airing when given) and gamma-Poisson counts."""
    day_effect = rng.gamma(DAY_EFFECT_SHAPE, 1 / DAY_EFFECT_SHAPE, size=len(days))
    appeal = np.exp(APPEAL_SIGMA * rng.standard_normal(len(ads)) - APPEAL_SIGMA**2 / 2)
    ad_calls = per_interval(airing_minutes(ads, days, appeal if boost is None else appeal * boost))
    mean = base * day_effect[:, None] + ad_calls
    calls = rng.poisson(rng.gamma(NB_DISPERSION, mean / NB_DISPERSION))
    return RealisedCalls(day_effect, appeal, ad_calls, mean, calls)


def true_aht(days: list[dt.date], ad_calls: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Mean handle time per interval (days × open intervals): order calls after airings take longer."""
    years = np.array([(d - TREND_ORIGIN).days / 365.25 for d in days])
    rest_day = np.array([not day_kind(d)[0] for d in days])
    ad_share = ad_calls / np.maximum(mean, 1e-9)
    return (
        (AHT_ORDINARY_S * (1 - ad_share) + AHT_ORDER_S * ad_share + AHT_REST_DAY_EXTRA_S * rest_day[:, None])
        * np.exp(AHT_TREND_PER_YEAR * years)[:, None]
    )


@dataclass(frozen=True)
class Served:
    """What the callers of each interval got (arrays shaped as the calls)."""

    answered: np.ndarray
    abandoned: np.ndarray
    aht_s: np.ndarray  # mean handle time of the answered calls; NaN where none was answered
    abandon_share: np.ndarray  # Erlang A's expected share of callers lost


def served(calls: np.ndarray, agents: np.ndarray, aht_true: np.ndarray, rng: np.random.Generator) -> Served:
    """Exact Erlang A abandonment at the realised load with `agents` on the phones, binomial draws, noisy AHT."""
    interval_s = DEFAULT_RULES.interval_minutes * 60
    share = erlang_a_abandon_share(agents.ravel(), calls.ravel() / interval_s, aht_true.ravel(), PATIENCE_S)
    abandoned = rng.binomial(calls.ravel(), share).reshape(calls.shape)
    answered = calls - abandoned
    # The mean of k handle times with coefficient of variation CV is gamma(k / CV², AHT · CV² / k).
    k = np.maximum(answered, 1)
    aht = np.round(rng.gamma(k / AHT_CALL_CV**2, aht_true * AHT_CALL_CV**2 / k), 1)
    return Served(answered, abandoned, np.where(answered > 0, aht, np.nan), share.reshape(calls.shape))


# ---------------------------------------------------------------------------------------------
# Staff and leave


def staff_table(rng: np.random.Generator) -> pd.DataFrame:
    """About 120 people: a supervisor, team leaders, group leaders and their agents."""
    names: list[str] = []

    def new_name() -> str:
        while True:
            given = "".join(rng.choice(list(GIVEN), size=int(rng.choice([1, 2], p=[0.35, 0.65]))))
            name = str(rng.choice(list(SURNAMES))) + given
            if name not in names:
                names.append(name)
                return name

    rows = [{"role": "supervisor", "group": "", "team": ""}]
    for t in range(TEAMS):
        team = f"{t + 1}队"
        rows.append({"role": "team_leader", "group": "", "team": team})
        for g in range(GROUPS_PER_TEAM):
            group_no = t * GROUPS_PER_TEAM + g + 1
            group = f"{group_no}组"
            rows.append({"role": "group_leader", "group": group, "team": team})
            for _ in range(AGENTS_PER_GROUP[group_no - 1]):
                rows.append({"role": "agent", "group": group, "team": team})
    staff = pd.DataFrame(rows)
    staff.insert(0, "employee_id", [f"E{i + 1:03d}" for i in range(len(staff))])
    staff.insert(1, "name", [new_name() for _ in range(len(staff))])
    # A few agents work one shift only (school runs: early; evening classes: late); one group leader too.
    agents = staff.index[staff["role"] == "agent"].to_numpy()
    shifts = np.array([""] * len(staff), dtype=object)
    restricted = rng.choice(agents, size=10, replace=False)
    shifts[restricted[:6]] = "E"
    shifts[restricted[6:]] = "L"
    leaders = staff.index[staff["role"] == "group_leader"].to_numpy()
    shifts[int(rng.choice(leaders))] = "E"
    staff["shifts"] = shifts
    weekdays = np.array(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    wants = rng.random(len(staff)) < 0.25
    preferred = rng.choice(weekdays, size=len(staff), p=[0.12, 0.12, 0.12, 0.12, 0.12, 0.2, 0.2])
    staff["preferred_rest_weekday"] = np.where(wants, preferred, "")
    return staff


def leave_table(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Approved December requests that a roster can honour: leave (some multi-day), rest and shift requests.

    At most one leader is away on any day, at most six people are on leave on any day, nobody has two
    requests on one day, and rest requests are at most one per person per week.
    """
    days = _days(PLAN_START, PLAN_END)
    leaders = set(staff.loc[staff["role"].isin(DEFAULT_RULES.leader_roles), "employee_id"])
    taken: set[tuple[str, dt.date]] = set()
    leave_per_day = {d: 0 for d in days}
    leader_away = {d: 0 for d in days}
    rows: list[dict] = []
    ids = staff["employee_id"].to_numpy()
    floor_ids = staff.loc[staff["role"] != "supervisor", "employee_id"].to_numpy()

    def free(emp: str, span: list[dt.date], limit: int) -> bool:
        return all(
            (emp, d) not in taken and leave_per_day[d] < limit and (emp not in leaders or leader_away[d] == 0)
            for d in span
        )

    def book(emp: str, span: list[dt.date], kind: str, shift: str = "", counts_as_away: bool = True) -> None:
        for d in span:
            taken.add((emp, d))
            rows.append({"employee_id": emp, "date": d.isoformat(), "kind": kind, "shift": shift})
            if counts_as_away:
                leave_per_day[d] += 1
                if emp in leaders:
                    leader_away[d] += 1

    multi_day = 0
    while multi_day < 4:  # annual leave, a wedding: 3–5 consecutive days
        emp = str(rng.choice(floor_ids))
        length = int(rng.integers(3, 6))
        first = int(rng.integers(0, len(days) - length + 1))
        span = days[first : first + length]
        if free(emp, span, 6) and not any(r["employee_id"] == emp for r in rows):
            book(emp, span, "leave")
            multi_day += 1
    single = 0
    while single < 18:
        emp, day = str(rng.choice(floor_ids)), days[int(rng.integers(len(days)))]
        if free(emp, [day], 6):
            book(emp, [day], "leave")
            single += 1
    rest = 0
    while rest < 22:
        emp, day = str(rng.choice(ids)), days[int(rng.integers(len(days)))]
        week = day.isocalendar()[1]
        same_week = any(r["employee_id"] == emp and dt.date.fromisoformat(r["date"]).isocalendar()[1] == week for r in rows)
        if not same_week and free(emp, [day], 99):
            book(emp, [day], "rest_request")
            rest += 1
    allowed = dict(zip(staff["employee_id"], staff["shifts"]))
    shift_codes = DEFAULT_RULES.shift_codes
    swaps = 0
    while swaps < 8:
        emp, day = str(rng.choice(floor_ids)), days[int(rng.integers(len(days)))]
        codes = allowed[emp].split(";") if allowed[emp] else list(shift_codes)
        if (emp, day) not in taken:
            book(emp, [day], "shift_request", str(rng.choice(codes)), counts_as_away=False)
            swaps += 1
    out = pd.DataFrame(rows, columns=["employee_id", "date", "kind", "shift"])
    return out.sort_values(["date", "employee_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# December as the center lived it: who came when, how many were on the phones, what the callers got


@dataclass(frozen=True)
class WorkedDay:
    """One person's day on the floor as it happened, with what their clock records say."""

    employee_id: str
    date: dt.date
    shift: str  # the rostered shift, or the shift worked on a rest day
    on_floor: tuple[int, int] | None  # minutes of day from arriving to leaving; None when absent
    lunch_start: int | None  # minute of day, as the roster places it
    clock_in: dt.datetime | None
    clock_out: dt.datetime | None  # None when absent or the clock-out was forgotten


@dataclass(frozen=True)
class PlantedEvent:
    """A departure from the roster planted in the month: what attendance checks should find."""

    employee_id: str
    date: dt.date
    shift: str
    event: str  # absent / late / early_leave / no_clock_out / overtime / rest_day_work
    minutes: int | None  # late, early or overtime minutes; None for the others
    cause: str  # absence morning / sick day / busy day / routine


@dataclass(frozen=True)
class LivedMonth:
    """December's actuals, clock records and their ground truth."""

    actuals: pd.DataFrame
    clock: pd.DataFrame
    truth_intervals: pd.DataFrame
    truth_attendance: pd.DataFrame
    truth: dict


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(seconds))


@dataclass(frozen=True)
class Attendance:
    """Who came when: every worked day, and the planted events among them."""

    days: list[WorkedDay]
    events: list[PlantedEvent]


@dataclass(frozen=True)
class Planted:
    """The events decided before the days are lived, by (employee id, day), and the rest days worked."""

    events: dict[tuple[str, dt.date], PlantedEvent]
    called_in: pd.DataFrame  # the roster's columns: who works a rest day, which shift, when they lunch


def _pick_ids(rng: np.random.Generator, ids: list[str], count: int) -> list[str]:
    return sorted(str(x) for x in rng.choice(sorted(ids), size=min(count, len(ids)), replace=False))


def planted_events(roster: pd.DataFrame, staff: pd.DataFrame, busiest: list[dt.date],
                   rng: np.random.Generator) -> Planted:
    """The absence morning, the sick days, overtime on the busiest days and the agents called in on their rest
    day."""
    agents = set(staff.loc[staff["role"] == "agent", "employee_id"])
    worked = roster[roster["shift"].isin(DEFAULT_RULES.shift_codes)].sort_values(["date", "employee_id"], kind="stable")
    early = DEFAULT_RULES.shifts[0]
    planted: dict[tuple[str, dt.date], PlantedEvent] = {}
    morning = worked[(worked["date"].dt.date == ABSENCE_MORNING) & (worked["shift"] == early.code)]
    chosen = _pick_ids(rng, [e for e in morning["employee_id"] if e in agents],
                       ABSENCE_MORNING_ABSENT + ABSENCE_MORNING_LATE)
    for rank, i in enumerate(rng.permutation(len(chosen))):
        late = int(rng.integers(*LATE_ON_ABSENCE_MORNING))
        absent = rank < ABSENCE_MORNING_ABSENT
        planted[(chosen[i], ABSENCE_MORNING)] = PlantedEvent(chosen[i], ABSENCE_MORNING, early.code,
                                                             "absent" if absent else "late", None if absent else late,
                                                             "absence morning")
    others = worked[(worked["date"].dt.date != ABSENCE_MORNING) & worked["employee_id"].isin(agents)]
    for i in sorted(rng.choice(len(others), size=SICK_DAYS, replace=False)):
        row = others.iloc[int(i)]
        planted[(row["employee_id"], row["date"].date())] = PlantedEvent(
            row["employee_id"], row["date"].date(), row["shift"], "absent", None, "sick day")
    for day in busiest:
        today = worked[(worked["date"].dt.date == day) & (worked["shift"] == early.code)]
        free = [e for e in today["employee_id"] if e in agents and (e, day) not in planted]
        for emp in _pick_ids(rng, free, OVERTIME_PEOPLE):
            planted[(emp, day)] = PlantedEvent(emp, day, early.code, "overtime",
                                               DEFAULT_RULES.close_minute - early.end_minute, "busy day")
    resting = roster[(roster["date"].dt.date == busiest[0]) & (roster["shift"] == "OFF")]
    allowed = dict(zip(staff["employee_id"], staff["shifts"]))
    may_work = [e for e in resting["employee_id"] if e in agents and allowed[e] in ("", REST_DAY_SHIFT)]
    called_in = _pick_ids(rng, may_work, REST_DAY_WORKERS)
    for emp in called_in:
        planted[(emp, busiest[0])] = PlantedEvent(emp, busiest[0], REST_DAY_SHIFT, "rest_day_work", None, "busy day")
    called = pd.DataFrame({"employee_id": called_in, "date": pd.Timestamp(busiest[0]), "shift": REST_DAY_SHIFT,
                           "lunch_start": REST_DAY_LUNCH})
    return Planted(planted, called)


def lived_attendance(roster: pd.DataFrame, staff: pd.DataFrame, calls_per_day: np.ndarray,
                     rng: np.random.Generator) -> Attendance:
    """Everyone rostered, day by day: on time with small jitter but for the planted events (the absence
    morning, sick days, late arrivals, early departures, forgotten clock-outs, overtime and rest-day work
    on the busiest days)."""
    days = _days(PLAN_START, PLAN_END)
    busiest = [days[int(i)] for i in np.argsort(-calls_per_day, kind="stable")[:BUSY_DAYS]]
    planted = planted_events(roster, staff, busiest, rng)
    worked = roster[roster["shift"].isin(DEFAULT_RULES.shift_codes)]
    rows = pd.concat([worked, planted.called_in], ignore_index=True).sort_values(["date", "employee_id"], kind="stable")
    out = Attendance([], [])
    for emp, stamp, code, lunch in zip(rows["employee_id"], rows["date"], rows["shift"], rows["lunch_start"]):
        day = stamp.date()
        shift = DEFAULT_RULES.shift(code)
        # Every worked day draws the same numbers, so planting one event moves no one else's times.
        before_s, after_s = int(rng.integers(*ON_TIME_IN_BEFORE_S)), int(rng.integers(*ON_TIME_OUT_AFTER_S))
        late, early_leave = int(rng.integers(*LATE_MINUTES)), int(rng.integers(*EARLY_LEAVE_MINUTES))
        chance = rng.random()
        event = planted.events.get((emp, day))
        if event is None:
            edge = 0.0
            for name, share in ROUTINE_EVENTS:
                edge += share
                if chance < edge:
                    minutes = {"late": late, "early_leave": early_leave}.get(name)
                    event = PlantedEvent(emp, day, code, name, minutes, "routine")
                    break
        kind, minutes = (event.event, event.minutes) if event else (None, None)
        start, end = shift.start_minute, shift.end_minute
        arrive_s, leave_s = start * 60 - before_s, end * 60 + after_s
        if kind == "late":
            start, arrive_s = start + minutes, (start + minutes) * 60 + after_s % 60
        elif kind == "early_leave":
            end, leave_s = end - minutes, (end - minutes) * 60 - after_s % 60
        elif kind == "overtime":
            end, leave_s = end + minutes, (end + minutes) * 60 + after_s
        if event is not None:
            out.events.append(event)
        if kind == "absent":
            out.days.append(WorkedDay(emp, day, code, None, None, None, None))
            continue
        clock_out = None if kind == "no_clock_out" else _at(day, leave_s)
        out.days.append(WorkedDay(emp, day, code, (start, end), minutes_of(lunch) if lunch else None,
                                  _at(day, arrive_s), clock_out))
    return out


def on_phones(worked: list[WorkedDay], staff: pd.DataFrame, days: list[dt.date]) -> np.ndarray:
    """Agents on the phones per open interval (days × intervals): the people on the floor and not at lunch,
    the supervisor aside, less the rules' shrinkage (breaks, meetings), as the roster's expected service
    counts them."""
    step = DEFAULT_RULES.interval_minutes
    lunch_minutes = {s.code: s.unpaid_break_minutes for s in DEFAULT_RULES.shifts}
    takes_calls = set(staff.loc[staff["role"] != "supervisor", "employee_id"])
    slots = _slots()
    row_of = {d: i for i, d in enumerate(days)}
    present = np.zeros((len(days), len(slots)))
    for w in worked:
        if w.on_floor is None or w.employee_id not in takes_calls:
            continue
        first, last = w.on_floor
        share = np.clip(np.minimum(slots + step, last) - np.maximum(slots, first), 0, step)
        if w.lunch_start is not None:
            lunch_end = w.lunch_start + lunch_minutes[w.shift]
            share = share - np.clip(np.minimum(slots + step, lunch_end) - np.maximum(slots, w.lunch_start), 0, step)
        present[row_of[w.date]] += np.clip(share, 0, step) / step
    return np.floor(present * (1 - DEFAULT_RULES.service.shrinkage) + 1e-9).astype(int)


def rostered_days(roster: pd.DataFrame) -> list[WorkedDay]:
    """The roster as published: everyone on shift from its start to its end, lunches where it places them."""
    out = []
    for emp, stamp, code, lunch in zip(roster["employee_id"], roster["date"], roster["shift"], roster["lunch_start"]):
        if code in DEFAULT_RULES.shift_codes:
            s = DEFAULT_RULES.shift(code)
            out.append(WorkedDay(emp, stamp.date(), code, (s.start_minute, s.end_minute),
                                 minutes_of(lunch) if lunch else None, None, None))
    return out


def lived_month(seed: int, base: np.ndarray, expected: np.ndarray, ads_plan: pd.DataFrame, staff: pd.DataFrame,
                roster: pd.DataFrame) -> LivedMonth:
    """December 2026 as it happened: the truth plus noise, the over-delivering channel, the absence morning,
    and the callers' outcomes from the agents actually on the phones (Erlang A)."""
    days = _days(PLAN_START, PLAN_END)
    boost = np.where(ads_plan["channel"] == OVER_CHANNEL, OVER_FACTOR, 1.0)
    lived = realised_calls(base, ads_plan, days, _rng(seed, 8), boost)
    aht_true = true_aht(days, lived.ad_calls, lived.mean)
    attendance = lived_attendance(roster, staff, lived.calls.sum(axis=1), _rng(seed, 9))
    events = attendance.events
    agents = on_phones(attendance.days, staff, days)
    outcome = served(lived.calls, agents, aht_true, _rng(seed, 10))

    starts = interval_starts(days)
    actuals = pd.DataFrame({"interval_start": starts, "calls": lived.calls.ravel(),
                            "answered": outcome.answered.ravel(), "abandoned": outcome.abandoned.ravel(),
                            "aht_s": outcome.aht_s.ravel()})
    clock_rows = [(w.employee_id, t, kind) for w in attendance.days
                  for t, kind in ((w.clock_in, "in"), (w.clock_out, "out")) if t is not None]
    clock = pd.DataFrame(clock_rows, columns=["employee_id", "time", "kind"])
    clock = clock.sort_values(["time", "employee_id"], kind="stable").reset_index(drop=True)
    truth_intervals = pd.DataFrame({
        "interval_start": starts,
        "expected_calls": np.round(expected.ravel(), 2),
        "mean_calls": np.round(lived.mean.ravel(), 2),
        "agents_rostered": on_phones(rostered_days(roster), staff, days).ravel(),
        "agents_on_phones": agents.ravel(),
        "abandon_share": np.round(outcome.abandon_share.ravel(), 4),
    })
    truth_attendance = pd.DataFrame(
        [(e.employee_id, e.date.isoformat(), e.shift, e.event, e.minutes, e.cause) for e in events],
        columns=["employee_id", "date", "shift", "event", "minutes", "cause"],
    ).astype({"minutes": "Int64"})
    truth = lived_truth(seed, ads_plan, boost, lived, actuals, events, days)
    return LivedMonth(actuals, clock, truth_intervals, truth_attendance, truth)


def lived_truth(seed: int, ads_plan: pd.DataFrame, boost: np.ndarray, lived: RealisedCalls, actuals: pd.DataFrame,
                events: list[PlantedEvent], days: list[dt.date]) -> dict:
    """December's parameters, its planted surprises and what each airing brought."""
    expected = np.array([float(airing_expected_calls(c, d, g))
                         for c, d, g in zip(ads_plan["channel"], ads_plan["duration_s"], ads_plan["grp"])])
    by_kind: dict[str, list[str]] = {}
    for e in events:
        by_kind.setdefault(e.event, []).append(f"{e.date.isoformat()} {e.employee_id}")
    return {
        "seed": seed,
        "month": [PLAN_START.isoformat(), PLAN_END.isoformat()],
        "roster": ROSTER_FILE,
        "streams": {"calls": 8, "attendance": 9, "outcomes": 10},
        "over_delivering_channel": {"channel": OVER_CHANNEL, "calls_factor": OVER_FACTOR},
        "absence_morning": {
            "date": ABSENCE_MORNING.isoformat(),
            "absent": sorted(e.employee_id for e in events if e.cause == "absence morning" and e.event == "absent"),
            "late": sorted(e.employee_id for e in events if e.cause == "absence morning" and e.event == "late"),
        },
        "busy_days": sorted({e.date.isoformat() for e in events if e.cause == "busy day"}),
        "events": {kind: ids for kind, ids in sorted(by_kind.items())},
        "on_time": {"clock_in_before_shift_s": list(ON_TIME_IN_BEFORE_S),
                    "clock_out_after_shift_s": list(ON_TIME_OUT_AFTER_S)},
        "shrinkage_on_shift": DEFAULT_RULES.service.shrinkage,
        "patience_s": PATIENCE_S,
        "day_effect": [round(float(x), 4) for x in lived.day_effect],
        "airings": [
            {"start": str(s), "channel": c, "expected_calls": round(float(x), 2), "appeal": round(float(a), 3),
             "calls_factor": float(b), "mean_calls": round(float(x * a * b), 2)}
            for s, c, x, a, b in zip(ads_plan["start"], ads_plan["channel"], expected, lived.appeal, boost)
        ],
        "summary": {
            "calls": int(actuals["calls"].sum()),
            "abandoned": int(actuals["abandoned"].sum()),
            "abandon_rate": round(float(actuals["abandoned"].sum() / actuals["calls"].sum()), 4),
            "calls_per_day": {d.isoformat(): int(n) for d, n in zip(days, lived.calls.sum(axis=1))},
        },
    }


# ---------------------------------------------------------------------------------------------
# The whole sample


@dataclass
class Sample:
    calls: pd.DataFrame
    ads_history: pd.DataFrame
    ads_plan: pd.DataFrame
    staff: pd.DataFrame
    leave: pd.DataFrame
    truth_expected: pd.DataFrame
    truth_airings: pd.DataFrame
    truth_curve: pd.DataFrame
    truth: dict
    roster_csv: bytes  # December's published roster, an input, copied beside what it made
    lived: LivedMonth


def interval_starts(days: list[dt.date]) -> pd.DatetimeIndex:
    day_index = pd.DatetimeIndex([pd.Timestamp(d) for d in days])
    offsets = pd.to_timedelta(_slots(), unit="min")
    return pd.DatetimeIndex((day_index.values[:, None] + offsets.values[None, :]).ravel(), name="interval_start")


def generate(seed: int = SEED, roster_path: Path = OUT_DIR / ROSTER_FILE) -> Sample:
    """Build every table of the sample in memory; the one file read is December's roster."""
    history = _days(HISTORY_START, HISTORY_END)
    plan = _days(PLAN_START, PLAN_END)
    every = history + plan
    n_hist = len(history)

    base = base_expected(every)
    ads_history = airings(history, _rng(seed, 1))
    ads_plan = airings(plan, _rng(seed, 2))
    ads_all = pd.concat([ads_history, ads_plan], ignore_index=True)
    ad_mean = per_interval(airing_minutes(ads_all, every))
    expected = base + ad_mean

    lived = realised_calls(base[:n_hist], ads_history, history, _rng(seed, 3))
    calls, appeal = lived.calls, lived.appeal
    aht_true = true_aht(history, lived.ad_calls, lived.mean)

    # Staffing: the planner sizes for a noisy forecast; the agents on shift cap it.
    staffing = _rng(seed, 4)
    span = np.arange(n_hist) / (n_hist - 1)
    headcount = np.round(AGENTS_HEADCOUNT[0] + (AGENTS_HEADCOUNT[1] - AGENTS_HEADCOUNT[0]) * span)
    capacity = np.floor(shift_capacity(headcount, staffing.uniform(*ABSENCE, size=n_hist)))
    planned_calls = expected[:n_hist] * np.exp(PLAN_FORECAST_SIGMA * staffing.standard_normal(calls.shape))
    interval_s = DEFAULT_RULES.interval_minutes * 60
    need = erlang_c_agents(planned_calls * aht_true / interval_s, aht_true)
    bias = staffing.uniform(*PLAN_DAY_BIAS, size=n_hist)[:, None]
    agents = np.clip(np.ceil(need * bias), MIN_AGENTS_ON_PHONES, np.maximum(capacity, MIN_AGENTS_ON_PHONES)).astype(int)

    outcome = served(calls, agents, aht_true, _rng(seed, 5))
    answered, abandoned, aht = outcome.answered, outcome.abandoned, outcome.aht_s

    starts = interval_starts(every)
    n_rows = n_hist * len(_slots())
    calls_df = pd.DataFrame({
        "interval_start": starts[:n_rows],
        "calls": calls.ravel(),
        "answered": answered.ravel(),
        "abandoned": abandoned.ravel(),
        "aht_s": aht.ravel(),
    })
    truth_expected = pd.DataFrame({
        "interval_start": starts,
        "expected_calls": np.round(expected.ravel(), 2),
        "expected_base_calls": np.round(base.ravel(), 2),
        "agents_on_phones": pd.array(list(agents.ravel()) + [None] * (len(starts) - n_rows), dtype="Int64"),
    })
    truth_airings = truth_airing_table(ads_history, ads_plan, appeal)
    truth_curve = truth_curve_table()
    staff = staff_table(_rng(seed, 6))
    leave = leave_table(staff, _rng(seed, 7))
    truth = truth_parameters(seed, calls_df, ads_history, ads_plan, truth_expected)
    roster = load_assignments(roster_path, DEFAULT_RULES)
    lived = lived_month(seed, base[n_hist:], expected[n_hist:], ads_plan, staff, roster)
    return Sample(calls_df, ads_history, ads_plan, staff, leave, truth_expected, truth_airings, truth_curve, truth,
                  roster_path.read_bytes(), lived)


def truth_airing_table(history: pd.DataFrame, plan: pd.DataFrame, appeal: np.ndarray) -> pd.DataFrame:
    """Each airing's expected calls (from channel, GRP, duration) and, for the past, its realised appeal."""
    both = pd.concat([history, plan], ignore_index=True)
    expected = np.array([
        float(airing_expected_calls(c, d, g)) for c, d, g in zip(both["channel"], both["duration_s"], both["grp"])
    ])
    return pd.DataFrame({
        "start": both["start"],
        "channel": both["channel"],
        "expected_calls": np.round(expected, 2),
        "appeal": np.round(np.r_[appeal, np.full(len(plan), np.nan)], 3),
    })


def truth_curve_table() -> pd.DataFrame:
    """Extra calls per minute since an airing starts: per unit airing (60 s, GRP 1, conversion 1) and for a
    typical 60-second airing of each channel (mean GRP over the dayparts, weekday)."""
    curve = response_curve()
    out = {"minute": np.arange(len(curve)), "share": np.round(curve, 6), "unit": np.round(CALLS_PER_GRP * curve, 4)}
    for ch in CHANNELS:
        out[ch.name] = np.round(float(airing_expected_calls(ch.name, 60, typical_grp(ch))) * curve, 4)
    return pd.DataFrame(out)


def typical_grp(channel: Channel) -> float:
    """Mean GRP of a weekday airing of the channel over the daypart mix."""
    daypart = sum(p[3] * p[4] for p in DAYPARTS) / sum(p[4] for p in DAYPARTS)
    return channel.rating * daypart


def truth_parameters(seed: int, calls: pd.DataFrame, history: pd.DataFrame, plan: pd.DataFrame,
                     expected: pd.DataFrame) -> dict:
    curve = response_curve()
    step = DEFAULT_RULES.interval_minutes
    per_day = calls.groupby(calls["interval_start"].dt.date)["calls"].sum()
    plan_days = expected[expected["interval_start"] >= pd.Timestamp(PLAN_START)]
    return {
        "seed": seed,
        "history": [HISTORY_START.isoformat(), HISTORY_END.isoformat()],
        "plan": [PLAN_START.isoformat(), PLAN_END.isoformat()],
        "base": {
            "level_per_interval": LEVEL,
            "trend_origin": TREND_ORIGIN.isoformat(),
            "trend_per_year_log": TREND_PER_YEAR,
            "yearly_amplitude": YEARLY_AMPLITUDE,
            "yearly_peak_day_of_year": YEARLY_PEAK_DOY,
            "workday_factor_by_weekday": {str(k): v for k, v in WORKDAY_FACTOR.items()},
            "rest_day_factor_by_weekday": {str(k): v for k, v in REST_DAY_FACTOR.items()},
            "rest_day_on_weekday_factor": REST_DAY_WEEKDAY_FACTOR,
            "holiday_factor_times_sunday": HOLIDAY_FACTOR,
            "spring_festival_first_three_days_times_sunday": SPRING_FESTIVAL_FIRST_DAYS,
            "spring_festival_ramp_days": SPRING_FESTIVAL_RAMP_DAYS,
            "spring_festival_ramp_low": SPRING_FESTIVAL_RAMP_LOW,
            "intraday_shape": {k: [round(float(v), 4) for v in s] for k, s in intraday_shapes().items()},
        },
        "noise": {
            "day_effect": f"gamma(shape={DAY_EFFECT_SHAPE}), mean 1",
            "airing_appeal": f"lognormal(sigma={APPEAL_SIGMA}), mean 1",
            "counts": f"gamma-Poisson (negative binomial), size r={NB_DISPERSION}: var = mean + mean^2/r",
        },
        "ads": {
            "calls_per_airing": "calls_per_grp x conversion[channel] x grp x (duration_s/60) ** duration_elasticity",
            "calls_per_grp": CALLS_PER_GRP,
            "duration_elasticity": DURATION_ELASTICITY,
            "channels": {
                c.name: {
                    "rating": c.rating,
                    "conversion": c.conversion,
                    "share_of_airings": c.share,
                    "cost_per_grp_30s": c.cost_per_grp_30s,
                    "typical_grp": round(typical_grp(c), 3),
                    "expected_calls_by_duration_s": {
                        str(d): round(float(airing_expected_calls(c.name, d, typical_grp(c))), 1) for d in c.durations
                    },
                }
                for c in CHANNELS
            },
            "dayparts": {p[0]: {"from": p[1], "to": p[2], "grp_factor": p[3], "share": p[4]} for p in DAYPARTS},
            "weekend_grp_factor": WEEKEND_GRP_FACTOR,
            "grp_sigma": GRP_SIGMA,
            "airings_per_day": "3 + Binomial(8, 0.5); Spring Festival days 1 + Binomial(3, 0.5)",
            "response_curve": {
                "minutes": len(curve),
                "fast_share": CURVE_FAST_SHARE,
                "fast_gamma_shape2_scale_min": CURVE_FAST_SCALE_MIN,
                "tail_exponential_scale_min": CURVE_TAIL_SCALE_MIN,
                "share_by_interval_when_airing_starts_on_the_grid": [
                    round(float(curve[i : i + step].sum()), 4) for i in range(0, len(curve), step)
                ],
            },
        },
        "service": {
            "aht_ordinary_s": AHT_ORDINARY_S,
            "aht_order_s": AHT_ORDER_S,
            "aht_rest_day_extra_s": AHT_REST_DAY_EXTRA_S,
            "aht_trend_per_year_log": AHT_TREND_PER_YEAR,
            "patience_s": PATIENCE_S,
            "planner": {
                "service_level": PLAN_SERVICE_LEVEL,
                "answer_within_s": PLAN_ANSWER_WITHIN_S,
                "max_occupancy": PLAN_MAX_OCCUPANCY,
                "forecast_sigma": PLAN_FORECAST_SIGMA,
                "day_bias": list(PLAN_DAY_BIAS),
            },
            "agents_headcount": list(AGENTS_HEADCOUNT),
            "absence": list(ABSENCE),
            "in_shift_shrinkage": IN_SHIFT_SHRINKAGE,
        },
        "summary": {
            "history_airings": int(len(history)),
            "plan_airings": int(len(plan)),
            "mean_calls_per_day": round(float(per_day.mean()), 1),
            "mean_calls_per_day_last_90_days": round(float(per_day.iloc[-90:].mean()), 1),
            "max_calls_per_interval": int(calls["calls"].max()),
            "abandon_rate": round(float(calls["abandoned"].sum() / calls["calls"].sum()), 4),
            "plan_expected_calls_per_day": round(float(plan_days["expected_calls"].sum()) / ((PLAN_END - PLAN_START).days + 1), 1),
        },
    }


# ---------------------------------------------------------------------------------------------
# Writing


def _csv(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime(TIME_FORMAT)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def sample_files(sample: Sample) -> dict[str, bytes]:
    """File name -> bytes of every bundled file except the README."""
    return {
        "calls.csv": _csv(sample.calls),
        "ads_history.csv": _csv(sample.ads_history),
        "ads_plan_2026-12.csv": _csv(sample.ads_plan),
        "staff.csv": _csv(sample.staff),
        "leave_2026-12.csv": _csv(sample.leave),
        "rules.toml": rules_to_toml(DEFAULT_RULES).encode("utf-8"),
        "truth_expected_calls.csv": _csv(sample.truth_expected),
        "truth_airings.csv": _csv(sample.truth_airings),
        "truth_response_curve.csv": _csv(sample.truth_curve),
        "truth.json": _json(sample.truth),
        ROSTER_FILE: sample.roster_csv,
        "actuals_2026-12.csv": _csv(sample.lived.actuals),
        "clock_2026-12.csv": _csv(sample.lived.clock),
        "truth_actuals_2026-12.csv": _csv(sample.lived.truth_intervals),
        "truth_attendance_2026-12.csv": _csv(sample.lived.truth_attendance),
        "truth_2026-12.json": _json(sample.lived.truth),
    }


def _json(value: dict) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_sample(out_dir: Path, seed: int = SEED, roster_path: Path = OUT_DIR / ROSTER_FILE) -> dict[str, bytes]:
    files = sample_files(generate(seed, roster_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the Shiftcast sample data (deterministic from the seed).")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder to write into (default {OUT_DIR})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--roster", type=Path, default=OUT_DIR / ROSTER_FILE,
                        help="December's published roster, whose staff live the month (default: the bundled one)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    files = write_sample(args.out, args.seed, args.roster)
    size = sum(len(b) for b in files.values())
    print(f"wrote {len(files)} files, {size / 1e6:.2f} MB, to {args.out} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
