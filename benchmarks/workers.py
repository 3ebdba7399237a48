"""Benchmark job workers: a month-end burst of roster jobs, one per site, run by 1 and then by 2 worker processes.

    python -m benchmarks.workers [--sites 20] [--agents 30] [--days 31] [--time-limit 2] [--broker-url redis://…]

Each site is a synthetic month (scheduler.roster_synthetic, its own seed) of `--agents` agents, its roster job
solving for `--time-limit` seconds with a seed (CP-SAT on one thread, so that two workers do not share one
solve's threads). The jobs go through the API (POST /api/v1/rosters) into one store and broker (the embedded
SQLite broker unless --broker-url), and `shiftcast worker` processes run them. The baseline, in the same run on
the same jobs: one worker. Prints ONE JSON object; `speedup` is one worker's wall time over two workers'.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from api import testing
from api.db import Job
from scheduler.roster_synthetic import synthetic_month

MONTH = "2026-12"


def prepare(client, auth, url: str, sites: int, agents: int, days: int, time_limit_s: float) -> list[dict]:
    """Each site's datasets stored; returns the roster request of each."""
    bodies = []
    for site in range(sites):
        month = synthetic_month(agents, days=days, seed=site + 1)
        staff = testing.staff_table(month.staff)
        r = client.post("/api/v1/datasets/staff", data=staff.to_csv(index=False),
                        headers={**auth, "Content-Type": "text/csv"})
        bodies.append({"staffing_id": testing.store_staffing(url, month.requirement, MONTH), "staff_id": r.json["id"],
                       "time_limit_s": time_limit_s, "seed": site})
    return bodies


def run_burst(workdir: Path, workers: int, args) -> dict:
    """Start `workers` worker processes, wait until each takes jobs, then queue every site's roster job at once
    and time the burst until the last job ends."""
    url = f"sqlite:///{workdir / f'store-{workers}.sqlite'}"
    settings = {"BROKER_QUEUE": f"bench-{uuid.uuid4().hex[:8]}", "JOB_MAX_QUEUED": args.sites}
    if args.broker_url:
        settings["BROKER_URL"] = args.broker_url
    client = testing.app(url, **settings).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    bodies = prepare(client, auth, url, args.sites, args.agents, args.days, args.time_limit)
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
           "SHIFTCAST_DATABASE_URL": url, **{f"SHIFTCAST_{k}": str(v) for k, v in settings.items()}}
    logs = [workdir / f"worker-{workers}-{i}.log" for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(log, "wb")) for log in logs]
    sessions = testing.sessions(url)
    try:
        while not all("takes jobs from" in log.read_text() for log in logs):  # started: imports done, app built
            time.sleep(0.1)
        started = time.monotonic()
        ids = []
        for body in bodies:
            r = client.post("/api/v1/rosters", json=body, headers=auth)
            assert r.status_code == 202, r.json
            ids.append(r.json["id"])
        while True:
            with sessions() as s:
                states = [s.get(Job, i).state for i in ids]
            if all(state in ("succeeded", "failed", "cancelled") for state in states):
                break
            time.sleep(0.1)
        wall = time.monotonic() - started
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    with sessions() as s:
        jobs = [s.get(Job, i) for i in ids]
        runners = {j.runner for j in jobs}
    return {"workers": workers, "wall_s": round(wall, 2), "succeeded": sum(j.state == "succeeded" for j in jobs),
            "job_s_mean": round(sum(j.seconds or 0 for j in jobs) / len(jobs), 2), "workers_used": len(runners)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--agents", type=int, default=30)
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--broker-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = run_burst(Path(tmp), 1, args)
        two = run_burst(Path(tmp), 2, args)
    out = {"benchmark": "workers", "sites": args.sites, "agents": args.agents, "days": args.days,
           "time_limit_s": args.time_limit, "broker": "redis" if args.broker_url else "embedded sqlite",
           "cpus": os.cpu_count(), "one_worker": one, "two_workers": two,
           "speedup": round(one["wall_s"] / two["wall_s"], 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
