"""Agents needed per interval, and the service a given staffing delivers.

Both tables carry the Erlang C measures (`service_level`, `asa_s`, `prob_wait`, `occupancy`) and,
when the targets set a caller patience, the Erlang A ones (`service_level_a`, `asa_a_s`,
`prob_wait_a`, `occupancy_a`, `abandon_rate`); without a patience those are NaN.
Erlang C has no steady state when agents ≤ load: such intervals honestly get service level 0,
ASA inf and occupancy 1, while Erlang A still gives finite numbers for them.
"""
from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from scheduler import erlang
from core import times
from core.rules import ServiceTargets

COLUMNS = (
    "calls",
    "aht_s",
    "load_erlangs",
    "agents",
    "scheduled",
    "service_level",
    "asa_s",
    "prob_wait",
    "occupancy",
    "abandon_rate",
    "service_level_a",
    "asa_a_s",
    "prob_wait_a",
    "occupancy_a",
)


def _ceil_tolerant(x: np.ndarray) -> np.ndarray:
    """Ceiling that ignores float noise: 21 / 0.7 = 30.000000000000004 rounds to 30, not 31."""
    return np.ceil(x - 1e-9 * np.maximum(1.0, np.abs(x))).astype(np.int64)


def scheduled_agents(agents, shrinkage: float) -> np.ndarray:
    """Agents to roster so that `agents` are on the phones after shrinkage."""
    return _ceil_tolerant(np.asarray(agents, dtype=float) / (1.0 - shrinkage))


def _aligned(named: dict[str, object]) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Scalars or Series on one index -> (that index, float arrays)."""
    index: pd.Index | None = None
    for name, value in named.items():
        if isinstance(value, pd.Series):
            if index is None:
                index = value.index
            elif not value.index.equals(index):
                raise ValueError(f"{name} is indexed differently from the other series")
    if index is None:
        index = pd.RangeIndex(1)
    elif isinstance(index, pd.DatetimeIndex):
        # Interval starts leave in the unit every later step computes with; a time zone is refused here.
        index = times.local_index(index, "requirement", "interval_start")
    arrays = {}
    for name, value in named.items():
        values = value.to_numpy(dtype=float) if isinstance(value, pd.Series) else np.asarray(value, dtype=float)
        arrays[name] = np.broadcast_to(values, (len(index),)).astype(float)
    # An interval without calls has no handle time to measure: a missing AHT there is fine.
    arrays["aht_s"][np.isnan(arrays["aht_s"]) & (arrays["calls"] == 0)] = 0.0
    for name, values in arrays.items():
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError(f"{name} must be finite and ≥ 0")
    if np.any((arrays["aht_s"] <= 0) & (arrays["calls"] > 0)):
        raise ValueError("aht_s must be > 0 where there are calls")
    return index, arrays


def _load(calls: np.ndarray, aht_s: np.ndarray, interval_minutes: int) -> np.ndarray:
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be > 0")
    return calls * aht_s / (interval_minutes * 60.0)


def _table(index: pd.Index, calls, aht, load, agents, targets: ServiceTargets, blocking=None) -> pd.DataFrame:
    aht_used = np.where(aht > 0, aht, 1.0)  # a zero AHT only comes with zero calls: any positive value will do
    c, a = erlang.measures(agents, load, aht_used, targets.answer_within_s, targets.patience_s, blocking)
    columns: dict[Hashable, object] = {
        "calls": calls,
        "aht_s": aht,
        "load_erlangs": load,
        "agents": agents.astype(np.int64),
        "scheduled": scheduled_agents(agents, targets.shrinkage),
        "service_level": c.service_level,
        "asa_s": c.asa_s,
        "prob_wait": c.prob_wait,
        "occupancy": c.occupancy,
    }
    if a is not None:
        columns |= {
            "abandon_rate": a.abandon_rate,
            "service_level_a": a.service_level,
            "asa_a_s": a.asa_s,
            "prob_wait_a": a.prob_wait,
            "occupancy_a": a.occupancy,
        }
    else:
        nan = np.full(len(index), np.nan)
        columns |= {name: nan for name in ("abandon_rate", "service_level_a", "asa_a_s", "prob_wait_a", "occupancy_a")}
    return pd.DataFrame({name: columns[name] for name in COLUMNS}, index=index)


def service_by_model(table: pd.DataFrame, targets: ServiceTargets) -> pd.DataFrame:
    """The `service_level`, `asa_s` and `abandon_rate` of a requirements or performance table as its queue model
    gives them: Erlang A's with the callers' patience, else Erlang C's (no abandonment known: NaN)."""
    if targets.patience_s is None:
        return pd.DataFrame({"service_level": table["service_level"], "asa_s": table["asa_s"],
                             "abandon_rate": np.nan}, index=table.index)
    return pd.DataFrame({"service_level": table["service_level_a"], "asa_s": table["asa_a_s"],
                         "abandon_rate": table["abandon_rate"]}, index=table.index)


def requirements(
    calls,
    aht_s,
    targets: ServiceTargets,
    interval_minutes: int = 15,
    *,
    model: erlang.Model = "erlang_c",
) -> pd.DataFrame:
    """Agents needed per interval (smallest count meeting every target) and the service they give.

    `calls` (per interval) and `aht_s` are scalars or Series on one index; the result keeps it.
    model "erlang_c" sizes service level, ASA and occupancy with Erlang C, and also meets
    `targets.max_abandon_rate` (Erlang A) when set; "erlang_a" sizes every target with Erlang A.
    """
    index, x = _aligned({"calls": calls, "aht_s": aht_s})
    load = _load(x["calls"], x["aht_s"], interval_minutes)
    agents, blocking = erlang.sized_agents(
        load,
        np.where(x["aht_s"] > 0, x["aht_s"], 1.0),
        service_level=targets.service_level,
        answer_within_s=targets.answer_within_s,
        max_occupancy=targets.max_occupancy,
        max_asa_s=targets.max_asa_s,
        patience_s=targets.patience_s,
        max_abandon_rate=targets.max_abandon_rate,
        model=model,
    )
    return _table(index, x["calls"], x["aht_s"], load, agents, targets, blocking)


def performance(calls, aht_s, agents, targets: ServiceTargets, interval_minutes: int = 15) -> pd.DataFrame:
    """The service a given staffing delivers per interval (any staffing, understaffed or zero)."""
    index, x = _aligned({"calls": calls, "aht_s": aht_s, "agents": agents})
    if np.any(x["agents"] != np.round(x["agents"])):
        raise ValueError("agents must be whole numbers")
    load = _load(x["calls"], x["aht_s"], interval_minutes)
    return _table(index, x["calls"], x["aht_s"], load, x["agents"], targets)
