"""Benchmark how soon a large staff's roster solve stops once cancelled, while its models are built, against
the time building its first model takes unstopped (the baseline, measured in the same run); and the memory
estimate of scheduler.roster_size against the peak RSS building that model takes.

    python -m benchmarks.roster_limits --agents 30000 --stops 1 3 6

Each measurement runs in a process of its own (peak RSS is per process). Prints ONE JSON object.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import threading
import time

from core.rules import DEFAULT_RULES
from scheduler.roster import solve
from scheduler.roster_build import build_problem
from scheduler.roster_model import aggregate_model
from scheduler.roster_size import ModelSize
from scheduler.roster_solver import Stopped
from scheduler.roster_synthetic import synthetic_month

TARGET_STOP_S = 2.0


def _build(agents: int, out) -> None:
    month = synthetic_month(agents, seed=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.monotonic()
    p = build_problem(month.requirement, month.staff, DEFAULT_RULES, month.leave, month.ads)
    aggregate_model(p)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    size = ModelSize(agents, p.n_days, len(p.shift_codes), p.n_intervals)
    out.put({"build_s": round(time.monotonic() - started, 2), "model_mb": round((peak - before) / 2**20, 1),
             "estimate_mb": round(size.bytes / 2**20, 1)})


def _stopped(agents: int, after_s: float, out) -> None:
    month = synthetic_month(agents, seed=1)
    stop = threading.Event()
    threading.Timer(after_s, stop.set).start()
    started = time.monotonic()
    try:
        status = solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                       time_limit_s=600, stop=stop).status
    except Stopped:
        status = "Stopped"
    out.put({"stop_after_s": after_s, "ended_after_stop_s": round(time.monotonic() - started - after_s, 2),
             "status": status})


def _in_process(target, *args) -> dict:
    out = multiprocessing.Queue()
    proc = multiprocessing.Process(target=target, args=(*args, out))
    proc.start()
    answer = out.get()
    proc.join()
    return answer


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=30_000)
    parser.add_argument("--stops", type=float, nargs="+", default=[1.0, 3.0, 6.0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 4_000, 10_000])
    args = parser.parse_args(argv)
    baseline = _in_process(_build, args.agents)
    stops = [_in_process(_stopped, args.agents, s) for s in args.stops]
    memory = [{"agents": n, **_in_process(_build, n)} for n in args.sizes]
    worst = max(s["ended_after_stop_s"] for s in stops)
    result = {"benchmark": "roster_limits", "agents": args.agents, "baseline_first_model_build": baseline,
              "stops": stops, "memory": memory,
              "target": {"ended_after_stop_s": TARGET_STOP_S, "worst": worst, "met": worst <= TARGET_STOP_S,
                         "estimate_above_measured": all(m["estimate_mb"] >= m["model_mb"] for m in memory)}}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
