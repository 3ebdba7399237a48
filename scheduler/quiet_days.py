"""Days whose demand is far below the month's norm (a festival, say): how many people the roster puts on
the phones there against how many the peak needs, so a floor full on an empty day is said, not hidden."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.rules import Rules
from scheduler.rules.weekly_rest import weekly_minimum

# A day is quiet when its peak need is at most this share of the median day's peak. Measured on the
# sample: December's quietest ordinary days peak at 0.65 of its median day; the sample's Spring Festival
# days bring 0.36-0.45 of an ordinary day's calls (data/generate_sample.py), and fewer airings.
QUIET_SHARE = 0.5


@dataclass(frozen=True)
class QuietDay:
    """A quiet day: people working a shift on the phones, and the agents its busiest interval needs."""

    date: dt.date
    rostered: int
    needed: int

    def words(self) -> str:
        return f"{self.date.isoformat()}: {self.rostered} rostered, {self.needed} needed at the peak"


def quiet_days(days: pd.DatetimeIndex, rostered: np.ndarray, needed: np.ndarray) -> list[QuietDay]:
    """The days of `days` whose peak need ((D,) `needed`) is at most QUIET_SHARE of the median day's, with
    (D,) `rostered` people on the phones."""
    if not len(days):
        return []
    norm = float(np.median(needed))
    return [QuietDay(day.date(), int(n), int(k)) for day, n, k in zip(days, rostered, needed)
            if norm > 0 and k <= QUIET_SHARE * norm]


def held_by_weekly_rest(quiet: list[QuietDay], rules: Rules) -> bool:
    """Whether exact weekly rest days (the month's paid hours unbounded) kept more people on the quiet days
    than their peaks need."""
    return not weekly_minimum(rules) and any(q.rostered > q.needed for q in quiet)


def quiet_days_lines(quiet: list[QuietDay], rules: Rules) -> list[str]:
    """What a supervisor reads about the quiet days: one line for them all, and why rest days could not
    follow the demand when the weekly rest days are exact."""
    if not quiet:
        return []
    lines = ["days far below the month's demand: " + "; ".join(q.words() for q in quiet)]
    if held_by_weekly_rest(quiet, rules):
        lines.append(f"everyone has exactly {rules.rest_days_per_week} rest day(s) a week, so more cannot rest on "
                     "those days; set monthly_paid_hours_min in the rules to let rest days cluster where demand "
                     "is low while each person keeps that many paid hours")
    return lines
