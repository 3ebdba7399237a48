"""Days whose demand is far below the month's norm (a festival, say): how many people the roster puts on
the phones there against how many the peak needs, so a floor full on an empty day is said, not hidden."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.rules import Rules

# A day is quiet when its peak need is at most this share of the median day's peak: the sample's Spring
# Festival days need about a third of an ordinary day, an ordinary weekday or weekend never under 80 %.
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
    exact = not rules.monthly_paid_hours_cap_enabled and rules.monthly_paid_hours_min <= 0
    return exact and any(q.rostered > q.needed for q in quiet)


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
