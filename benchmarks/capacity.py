"""Benchmark what one roster solve costs: CPU seconds and peak memory (RSS) per roster size, for capacity planning.

    python -m benchmarks.capacity [--agents 30 100 300 1000] [--days 31] [--time-limit 10]

Each size is a synthetic month (scheduler.roster_synthetic, seed 1) solved with a seed (one CP-SAT thread, the
time limit counted in deterministic time: the same work on any machine) in a process of its own, so its CPU time
and peak RSS are that solve's alone (read from the finished child's resource usage). The baseline, in the same
run: a process that only imports the solver and builds nothing (its CPU and RSS are what every worker costs
before any job). Prints ONE JSON object; docs/scaling.md turns it into the capacity model.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
SOLVE = """
import sys, time
from scheduler.roster import solve
from core.rules import DEFAULT_RULES
from scheduler.roster_synthetic import synthetic_month
agents, days, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
if agents:
    m = synthetic_month(agents, days=days, seed=1)
    started = time.monotonic()
    r = solve(m.requirement, m.staff, DEFAULT_RULES, ads=m.ads, time_limit_s=limit, seed=0)
    print(r.status, round(time.monotonic() - started, 2), round(float(r.gap), 4))
else:
    print("baseline", 0, 0)
"""


@dataclass
class Cost:
    """One process's solve: its size, what it used, and the roster's status."""

    agents: int
    cpu_s: float  # user + system CPU seconds of the whole process
    peak_rss_mb: float
    wall_s: float  # the solve alone (from the model build to the roster)
    status: str
    gap: float


def measure(agents: int, days: int, time_limit_s: float) -> Cost:
    """Run one solve (or, with 0 agents, the imports alone) in a child process and read its resource usage."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.Popen([sys.executable, "-c", SOLVE, str(agents), str(days), str(time_limit_s)], env=env,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the solve of {agents} agents failed (exit {proc.returncode})")
    state, wall, gap = out.split()
    return Cost(agents=agents, cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
                peak_rss_mb=round(usage.ru_maxrss / 1024, 1), wall_s=float(wall), status=state, gap=float(gap))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, nargs="+", default=[30, 100, 300, 1000])
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--time-limit", type=float, default=10.0, help="the roster's default seeded limit")
    args = ap.parse_args()
    baseline = measure(0, args.days, args.time_limit)
    sizes = [measure(n, args.days, args.time_limit) for n in args.agents]
    out = {"benchmark": "capacity", "days": args.days, "time_limit_s": args.time_limit, "cpus": os.cpu_count(),
           "load_1min": round(os.getloadavg()[0], 1),
           "baseline": {"cpu_s": baseline.cpu_s, "peak_rss_mb": baseline.peak_rss_mb},
           "sizes": [{k: v for k, v in asdict(c).items()} for c in sizes],
           "solve_cpu_s": {c.agents: round(c.cpu_s - baseline.cpu_s, 2) for c in sizes}}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
