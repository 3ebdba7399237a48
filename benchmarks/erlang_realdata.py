"""Erlang C vs Erlang A against what a real queue did: the Israeli "Anonymous Bank", February 1999.

From the call records (../shared/datasets/il_anonymous_bank_1999_02_calls.tsv) it builds, per interval:
- callers reaching the queue (served calls, and calls hung up in the queue; VRU-only hang-ups and
  PHANTOM calls are left out), their handle time (AHT of the served) and what they got (waited or not,
  hung up or not, wait of the served, answered within 20 s);
- agents on duty, inferred from the `server` column: an agent is on duty from the start of one served
  call to the end of the last one of a session (sessions split by gaps longer than SESSION_GAP_MIN),
  averaged over the interval and rounded;
- one caller patience for the month, by the exponential-patience maximum likelihood
  (hang-ups in the queue / total time waited in the queue; served callers are censored).
It then predicts each interval with Erlang C and Erlang A (scheduler.staffing.performance) and
reports call-weighted mean absolute errors and the month's totals. Prints one JSON object;
the baseline of this benchmark is Erlang C itself.
Run: python -m benchmarks.erlang_realdata
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.staffing import performance
from core.rules import ServiceTargets

DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "il_anonymous_bank_1999_02_calls.tsv"
INTERVAL_MIN = 30
SESSION_GAP_MIN = 30
GAPS_TRIED = (15, 30, 60)  # the sensitivity of the verdict to the on-duty inference
ANSWER_WITHIN_S = 20.0
MIN_CALLS = 10  # intervals with fewer queue arrivals are too noisy to score


def _times(day: pd.Series, clock: pd.Series) -> pd.Series:
    return pd.to_datetime(day, format="%y%m%d") + pd.to_timedelta(clock)


def queue_calls(path: Path = DATASET) -> pd.DataFrame:
    """One row per caller who reached the agent queue: arrived, waited_s, served, handle_s, server, ..."""
    raw = pd.read_csv(path, sep="\t", dtype=str)
    queued = raw["q_start"] != "0:00:00"
    keep = (raw["outcome"] == "AGENT") | ((raw["outcome"] == "HANG") & queued)
    raw = raw[keep]
    served = (raw["outcome"] == "AGENT").to_numpy()
    out = pd.DataFrame(
        {
            "arrived": _times(raw["date"], raw["vru_exit"]),
            "waited_s": raw["q_time"].astype(float).to_numpy(),
            "served": served,
            "handle_s": np.where(served, raw["ser_time"].astype(float), np.nan),
            "server": raw["server"].where(raw["server"] != "NO_SERVER"),
            "service_start": _times(raw["date"], raw["ser_start"]).where(served),
        }
    )
    out["service_end"] = out["service_start"] + pd.to_timedelta(out["handle_s"], unit="s")
    return out.sort_values("arrived").reset_index(drop=True)


def agents_on_duty(calls: pd.DataFrame, grid: pd.DatetimeIndex, session_gap_min: int = SESSION_GAP_MIN) -> pd.Series:
    """Mean number of agents on duty per interval of `grid`, from the sessions of served calls."""
    step = pd.Timedelta(minutes=INTERVAL_MIN)
    starts = grid.to_numpy()
    ends = (grid + step).to_numpy()
    on_duty = np.zeros(len(grid))
    service = calls.dropna(subset=["server"]).sort_values(["server", "service_start"])
    for _, rows in service.groupby("server"):
        begin, end = rows["service_start"].to_numpy(), rows["service_end"].to_numpy()
        gaps = np.r_[True, (begin[1:] - np.maximum.accumulate(end)[:-1]) > np.timedelta64(session_gap_min, "m")]
        session = np.cumsum(gaps)
        for s in np.unique(session):
            lo, hi = begin[session == s].min(), end[session == s].max()
            overlap = (np.minimum(ends, hi) - np.maximum(starts, lo)) / step.to_timedelta64()
            on_duty += np.clip(overlap, 0, 1)
    return pd.Series(on_duty, index=grid)


def patience_estimate(calls: pd.DataFrame) -> float:
    """Mean patience (s) by maximum likelihood for exponential patience, censored by service."""
    return float(calls["waited_s"].sum() / (~calls["served"]).sum())


def interval_table(calls: pd.DataFrame, session_gap_min: int = SESSION_GAP_MIN) -> pd.DataFrame:
    """What each interval's queue did, with its load inputs."""
    slot = calls["arrived"].dt.floor(f"{INTERVAL_MIN}min")
    g = calls.assign(slot=slot, waited=calls["waited_s"] > 0,
                     within=calls["served"] & (calls["waited_s"] <= ANSWER_WITHIN_S)).groupby("slot")
    table = pd.DataFrame(
        {
            "calls": g.size(),
            "aht_s": g["handle_s"].mean(),
            "prob_wait": g["waited"].mean(),
            "abandon_rate": 1 - g["served"].mean(),
            "service_level": g["within"].mean(),
            "asa_s": calls[calls["served"]].assign(slot=slot).groupby("slot")["waited_s"].mean(),
        }
    )
    table["agents"] = agents_on_duty(calls, table.index, session_gap_min).round().astype(int)
    return table


def _mae(predicted: pd.Series, observed: pd.Series, weight: pd.Series) -> float:
    return float(np.average(np.abs(predicted - observed), weights=weight))


def compare(table: pd.DataFrame, patience_s: float) -> dict:
    scored = table[(table["calls"] >= MIN_CALLS) & (table["agents"] >= 1) & table["aht_s"].notna()]
    targets = ServiceTargets(answer_within_s=ANSWER_WITHIN_S, patience_s=patience_s)
    p = performance(scored["calls"].astype(float), scored["aht_s"], scored["agents"], targets, INTERVAL_MIN)
    w = scored["calls"]
    stable = p["load_erlangs"] < p["agents"]
    models = {
        "erlang_c": {"prob_wait": p["prob_wait"], "abandon_rate": pd.Series(0.0, index=p.index),
                     "service_level": p["service_level"], "asa_s": p["asa_s"]},
        "erlang_a": {"prob_wait": p["prob_wait_a"], "abandon_rate": p["abandon_rate"],
                     "service_level": p["service_level_a"], "asa_s": p["asa_a_s"]},
    }
    result: dict = {
        "observed_month": {m: round(float(np.average(scored[m], weights=w)), 4)
                           for m in ("prob_wait", "abandon_rate", "service_level")},
    }
    for name, pred in models.items():
        mae = {}
        for measure in ("prob_wait", "abandon_rate", "service_level"):
            mae[measure] = round(_mae(pred[measure], scored[measure], w), 4)
        # Mean wait of the served: Erlang C has none without a steady state, so both are scored where it has one.
        has = stable & scored["asa_s"].notna()
        mae["asa_s_where_erlang_c_is_stable"] = round(_mae(pred["asa_s"][has], scored["asa_s"][has], w[has]), 2)
        predicted = {m: round(float(np.average(pred[m], weights=w)), 4) for m in ("prob_wait", "abandon_rate", "service_level")}
        result[name] = {"mae": mae, "predicted_month": predicted}
    result["erlang_c_no_steady_state_share"] = round(float(np.average(~stable, weights=w)), 4)
    result["mae_ratio_c_over_a"] = {
        k: (round(result["erlang_c"]["mae"][k] / result["erlang_a"]["mae"][k], 2) if result["erlang_a"]["mae"][k] else None)
        for k in result["erlang_a"]["mae"]
    }
    result["intervals_scored"] = int(len(scored))
    result["calls_scored"] = int(w.sum())
    return result


def main() -> dict:
    if not DATASET.exists():
        return {"benchmark": "erlang_realdata", "available": False, "reason": f"{DATASET} not found"}
    calls = queue_calls()
    patience = patience_estimate(calls)
    table = interval_table(calls)
    result = {
        "benchmark": "erlang_realdata",
        "available": True,
        "dataset": DATASET.name,
        "interval_minutes": INTERVAL_MIN,
        "queue_callers": int(len(calls)),
        "aht_s_month": round(float(calls["handle_s"].mean()), 1),
        "patience_s_estimate": round(patience, 1),
        "abandon_rate_month": round(float(1 - calls["served"].mean()), 4),
        "agents_inferred_peak": int(table["agents"].max()),
    }
    result.update(compare(table, patience))
    result["closer_model_by_measure"] = {
        k: ("erlang_a" if v > 1 else "erlang_c") for k, v in result["mae_ratio_c_over_a"].items() if v is not None
    }
    sensitivity = {}
    for gap in GAPS_TRIED:
        r = compare(interval_table(calls, gap), patience)
        sensitivity[f"session_gap_{gap}min"] = {
            m: {"erlang_c": r["erlang_c"]["mae"][m], "erlang_a": r["erlang_a"]["mae"][m]}
            for m in ("prob_wait", "abandon_rate", "service_level")
        }
    result["mae_sensitivity"] = sensitivity
    return result


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
    print()
