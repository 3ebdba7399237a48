"""Benchmark the headcount search on the bundled sample's December against a plain linear search.

    python -m benchmarks.headcount [--time-limit 8] [--max-solves 12] [--baseline-cap 20] [--forecast] [--scale 4]

Calls: the sample's true expected calls for December (truth_expected_calls.csv), so the benchmark measures
the search and not the forecaster (--forecast fits the forecaster instead). The search is the headcount
step (shiftcast.steps.headcount_step, as `shiftcast headcount` and the API run it): relaxation bound,
then roster solves up in growing steps and bisection. The baseline, in the same run with the same solve
time limit: a plain linear search from today's staff (the sample's agents), one agent at a time, down
while the target is met or up until it is. --scale 4 sizes a centre four times the sample's: four times
the calls, staff lists copied from the sample's mix (about 480 people); the linear search then starts
from four times today's agents. The bracket is the answer's width: headcounts below it left untried, as
agents and as a share of the answer (the search pins it to within 1 %). The search's progress goes to
stderr. Prints ONE JSON object; target: search ≤ 30 s on two cores at the sample's size.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import pandas as pd

from scheduler.headcount import (
    DEFAULT_MAX_SOLVES,
    DEFAULT_SOLVE_SECONDS,
    Target,
    Tryout,
    agents_in,
)
from shiftcast.inputs import SAMPLE_DIR, SAMPLE_MONTH, InputPaths, Inputs, load_inputs
from core.periods import month_intervals
from shiftcast.steps import forecast_step, headcount_step, month_requirement


def december(use_forecaster: bool, scale: float = 1.0) -> tuple[Inputs, pd.DataFrame]:
    """The sample's inputs and December's requirement for `scale` times its expected calls."""
    inputs = load_inputs(InputPaths.sample(month=SAMPLE_MONTH))
    if use_forecaster:
        expected = forecast_step(inputs, SAMPLE_MONTH).table["mean"]
    else:
        truth = pd.read_csv(SAMPLE_DIR / "truth_expected_calls.csv", parse_dates=["interval_start"]).set_index("interval_start")
        expected = truth["expected_calls"].reindex(month_intervals(SAMPLE_MONTH, inputs.rules)).fillna(0.0)
    return inputs, month_requirement(scale * expected, inputs.calls, inputs.rules)


def linear_search(tryout: Tryout, start: int, cap: int) -> dict:
    """One agent at a time from today's staff: down while the target is met, else up until it is."""
    started = time.monotonic()
    n = start
    tried: dict[int, bool] = {}
    attempts = 0
    while len(tried) < cap:
        trial = tryout(n).trial
        tried[n], attempts = trial.met, attempts + trial.attempts
        met_ok = [k for k, v in tried.items() if v]
        failed = [k for k, v in tried.items() if not v]
        if met_ok and failed and min(met_ok) - max(failed) == 1:
            break
        n = n - 1 if tried[n] else n + 1
    met_ok = [k for k, v in tried.items() if v]
    return {"agents": min(met_ok) if met_ok else None, "solves": len(tried), "roster_solves": attempts,
            "seconds": round(time.monotonic() - started, 2),
            "capped": len(tried) >= cap, "tried": {str(k): v for k, v in sorted(tried.items())}}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=DEFAULT_SOLVE_SECONDS)
    parser.add_argument("--max-solves", type=int, default=DEFAULT_MAX_SOLVES)
    parser.add_argument("--baseline-cap", type=int, default=20, help="most roster solves the linear search may use")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--forecast", action="store_true", help="forecast December instead of using the true expected calls")
    parser.add_argument("--scale", type=float, default=1.0, help="calls times this (a centre this many times the sample's)")
    args = parser.parse_args(argv)

    inputs, req = december(args.forecast, args.scale)
    rules, target = inputs.rules, Target()
    cpu = time.process_time()
    result = headcount_step(inputs, req, target=target, time_limit_s=args.time_limit, max_solves=args.max_solves,
                            progress=lambda message: print(message, file=sys.stderr, flush=True))
    cpu = time.process_time() - cpu
    curve = result.curve
    out = {
        "benchmark": "headcount",
        "month": SAMPLE_MONTH,
        "calls": "forecast" if args.forecast else "truth_expected_calls",
        "scale": args.scale,
        "cores": os.cpu_count(),
        "solve_time_limit_s": args.time_limit,
        "search": {
            **result.summary(),
            "bound_on_phone": result.bound.on_phone,
            "estimate_on_phone": result.bound.estimate,
            "bound_seconds": round(result.bound.seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "bracket_agents": result.margin if result.agents is not None else None,
            "bracket_share": round(result.margin / result.agents, 4) if result.agents else None,
            "curve": {str(k): {"met": bool(r["met"]), "share_met": round(float(r["share_met"]), 4),
                               "airing_windows_short": int(r["airing_windows_short"]),
                               "service_level": round(float(r["service_level"]), 4),
                               "abandoned_calls": round(float(r["abandoned_calls"]), 1), "attempts": int(r["attempts"]),
                               "status": r["status"][:60], "misses": r["misses"]} for k, r in curve.iterrows()},
        },
        "target_seconds": 30.0,
        "meets_target": result.seconds <= 30.0,
        "pinned_within_1_percent": result.agents is not None and result.margin <= 0.01 * result.agents,
    }
    if not args.no_baseline:
        tryout = Tryout(req, rules, inputs.staff, inputs.leave, inputs.plan, target, args.time_limit)
        base = linear_search(tryout, round(args.scale * agents_in(inputs.staff, rules)), args.baseline_cap)
        out["baseline_linear"] = base
        out["speedup_solves"] = round(base["solves"] / max(result.solves, 1), 2)
        out["speedup_seconds"] = round(base["seconds"] / max(result.seconds, 1e-9), 2)
        out["same_answer"] = base["agents"] == result.agents
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
