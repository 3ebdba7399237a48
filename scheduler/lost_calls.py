"""Lost calls (呼损) by cause, interval by interval, priced with Erlang A against the staffing as lived.

With L(n, c) the calls Erlang A (M/M/N+M, the targets' caller patience) loses in an interval with n agents on
the phones, c calls offered and the interval's handle time, and per interval
  n_lived   the agents on the phones as lived (from the clock),
  n_roster  the agents the roster put there,
  n_need    the agents the requirement asked for (sized for the forecast's calls),
  n_top     the most of the three,
  upper     the forecast's upper bound,
the loss of the interval as lived, L(n_lived, c), is taken apart step by step, each step one thing put right:
  absence         L(n_lived, c) − L(max(n_lived, n_roster), c)   fewer on the phones than rostered (absent, late,
                                                                  left early);
  roster_short    L(max(n_lived, n_roster), c) − L(n_top, c)     the roster below the requirement;
  above_forecast  L(n_top, c) − L(n_top, min(c, upper))           calls above the forecast's upper bound;
  airing_burst    L(n_top, min(c, upper)) in an airing's response window: lost with the staff the plan asked for
                  and calls inside the forecast, the burst no planned staffing absorbed;
  within_target   the same outside airings: the loss the service targets accept.
Every part is ≥ 0 (more agents or fewer calls never lose more) and they add up to L(n_lived, c). The interval's
actual abandoned calls are shared among the parts in those proportions, so the causes add up to the lost
calls exactly; lost calls in an interval where the model, at the staffing as lived, loses none stay
`not_explained` (chance the queue model does not see).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.rules import ServiceTargets
from scheduler import erlang


@dataclass(frozen=True)
class Cause:
    """One cause of lost calls: its column name and its words for people."""

    key: str
    words: str


CAUSES = (
    Cause("absence", "fewer on the phones than rostered (absent, late, left early)"),
    Cause("roster_short", "the roster short of the requirement"),
    Cause("above_forecast", "calls above the forecast's upper bound"),
    Cause("airing_burst", "an airing's burst the planned staffing could not absorb"),
    Cause("within_target", "within the service target (the loss the targets accept)"),
    Cause("not_explained", "not explained by the queue model (chance)"),
)
CAUSE_KEYS = tuple(c.key for c in CAUSES)
# A modelled loss below this many calls is none: the actual lost calls then stay not explained.
_NO_LOSS = 1e-9


def erlang_a_lost(calls, agents, aht_s, targets: ServiceTargets, interval_minutes: int) -> np.ndarray:
    """Calls Erlang A expects lost per interval with `agents` on the phones (the targets' patience)."""
    calls, agents, aht = (np.asarray(v, float) for v in np.broadcast_arrays(calls, agents, aht_s))
    aht = np.where(aht > 0, aht, 1.0)  # no handle time only where there are no calls
    load = calls * aht / (interval_minutes * 60.0)
    m = erlang.erlang_a_measures(agents, load, aht, targets.patience_s, targets.answer_within_s)
    return calls * m.abandon_rate


def lost_calls_by_cause(intervals: pd.DataFrame, targets: ServiceTargets, interval_minutes: int) -> pd.DataFrame:
    """The abandoned calls of each interval split by cause (the module's decomposition): one column per cause
    of CAUSES and `modelled`, L(n_lived, c). `intervals` holds per interval `calls`, `abandoned`, `aht_s`,
    `upper` (the forecast's upper bound), agents `on_phones`, `rostered` and `needed`, and `airing` (True in an
    airing's response window)."""
    if targets.patience_s is None:
        raise ValueError("lost calls by cause need the callers' patience (Erlang A)")
    c = intervals["calls"].to_numpy(float)
    capped = np.minimum(c, intervals["upper"].to_numpy(float))
    aht = intervals["aht_s"].to_numpy(float)
    lived = intervals["on_phones"].to_numpy(float)
    roster = np.maximum(lived, intervals["rostered"].to_numpy(float))
    top = np.maximum(roster, intervals["needed"].to_numpy(float))

    def lost(calls, agents):
        return erlang_a_lost(calls, agents, aht, targets, interval_minutes)

    at_lived, at_roster, at_top, within = lost(c, lived), lost(c, roster), lost(c, top), lost(capped, top)
    airing = intervals["airing"].to_numpy(bool)
    parts = {
        "absence": np.maximum(at_lived - at_roster, 0.0),
        "roster_short": np.maximum(at_roster - at_top, 0.0),
        "above_forecast": np.maximum(at_top - within, 0.0),
        "airing_burst": np.where(airing, within, 0.0),
        "within_target": np.where(airing, 0.0, within),
    }
    modelled = sum(parts.values())
    abandoned = intervals["abandoned"].to_numpy(float)
    explained = modelled > _NO_LOSS
    share = np.divide(abandoned, modelled, out=np.zeros_like(modelled), where=explained)
    out = pd.DataFrame({key: part * share for key, part in parts.items()}, index=intervals.index)
    out["not_explained"] = np.where(explained, 0.0, abandoned)
    out["modelled"] = modelled
    return out
