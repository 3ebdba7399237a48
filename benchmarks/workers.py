"""Benchmark job workers: a month-end burst of roster jobs, one per site, run by 1 and then by 2 worker processes.

    python -m benchmarks.workers [--sites 20] [--agents 30] [--days 31] [--time-limit 2] [--broker-url redis://…]

Then a headcount search (POST /api/v1/headcount) of one synthetic centre of `--search-agents` agents, its roster
solves fanned out as tasks (api.fanout), by 1 and then by 2 worker processes.

Each site is a synthetic month (scheduler.roster_synthetic, its own seed) of `--agents` agents, its roster job
solving for `--time-limit` seconds with a seed (CP-SAT on one thread, so that two workers do not share one
solve's threads). The jobs go through the API (POST /api/v1/rosters) into one store and broker (the embedded
SQLite broker unless --broker-url), and `shiftcast worker` processes run them. The baseline, in the same run on
the same jobs: one worker. Prints ONE JSON object; `speedup` (the burst's) and `search.speedup` are one worker's
wall time over two workers'.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

from api import testing
from sqlalchemy import select

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


def children_cpu_s() -> float:
    """CPU seconds (user + system) of this process's ended children: the workers', once they have stopped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_ended(sessions, ids: list[int]) -> None:
    """Until every job of `ids` has ended."""
    while True:
        with sessions() as s:
            if all(s.get(Job, i).state in ("succeeded", "failed", "cancelled") for i in ids):
                return
        time.sleep(0.1)


def _service(url: str, args, **extra) -> tuple[dict, object, dict]:
    """The settings of a run on its own queue (on `--broker-url` when given), a test client of the service over
    the store at `url`, and a supervisor's authorization header."""
    settings = {"BROKER_QUEUE": f"bench-{uuid.uuid4().hex[:8]}", **extra}
    if args.broker_url:
        settings["BROKER_URL"] = args.broker_url
    client = testing.app(url, **settings).test_client()
    return settings, client, {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}


def run_burst(workdir: Path, workers: int, args) -> dict:
    """Start `workers` worker processes, wait until each takes jobs, then queue every site's roster job at once
    and time the burst until the last job ends."""
    url = f"sqlite:///{workdir / f'store-{workers}.sqlite'}"
    settings, client, auth = _service(url, args, JOB_MAX_QUEUED=args.sites)
    bodies = prepare(client, auth, url, args.sites, args.agents, args.days, args.time_limit)
    sessions = testing.sessions(url)
    cpu_before = children_cpu_s()
    with testing.worker_processes(url, workdir, workers, settings):
        started = time.monotonic()
        ids = []
        for body in bodies:
            r = client.post("/api/v1/rosters", json=body, headers=auth)
            assert r.status_code == 202, r.json
            ids.append(r.json["id"])
        wait_ended(sessions, ids)
        wall = time.monotonic() - started
    with sessions() as s:
        jobs = [s.get(Job, i) for i in ids]
        runners = {j.runner for j in jobs}
    return {"workers": workers, "wall_s": round(wall, 2), "succeeded": sum(j.state == "succeeded" for j in jobs),
            "job_s_mean": round(sum(j.seconds or 0 for j in jobs) / len(jobs), 2), "workers_used": len(runners),
            "worker_cpu_s": round(children_cpu_s() - cpu_before, 1)}


def run_search(workdir: Path, workers: int, args) -> dict:
    """Start `workers` worker processes, queue one headcount search (a synthetic centre of `--search-agents`
    agents, its roster solves fanned out as tasks, `--fan-out` at once) and time it until it ends."""
    url = f"sqlite:///{workdir / f'search-{workers}.sqlite'}"
    settings, client, auth = _service(url, args, JOB_FAN_OUT=args.fan_out)
    (body,) = prepare(client, auth, url, 1, args.search_agents, args.days, args.time_limit)
    body = {k: body[k] for k in ("staffing_id", "staff_id", "time_limit_s")}
    auth = {"Authorization": f"Bearer {testing.token(url, 'hr')}"}  # hr sizes headcount
    sessions = testing.sessions(url)
    with testing.worker_processes(url, workdir, workers, settings):
        started = time.monotonic()
        r = client.post("/api/v1/headcount", json=body, headers=auth)
        assert r.status_code == 202, r.json
        wait_ended(sessions, [r.json["id"]])
        wall = time.monotonic() - started
    with sessions() as s:
        job = s.get(Job, r.json["id"])
        parts = s.scalars(select(Job).where(Job.parent_id == job.id)).all()
        answer = client.get(f"/api/v1/headcount/{job.result_id}", headers=auth).json["result"] if job.result_id else {}
    return {"workers": workers, "wall_s": round(wall, 2), "state": job.state, "agents": answer.get("agents"),
            "roster_solves": len(parts), "workers_used": len({p.runner for p in parts})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--agents", type=int, default=30)
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--search-agents", type=int, default=30, help="the headcount search's centre")
    ap.add_argument("--fan-out", type=int, default=2, help="roster solves the search hands the workers at once")
    ap.add_argument("--broker-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = run_burst(Path(tmp), 1, args)
        two = run_burst(Path(tmp), 2, args)
        search_one = run_search(Path(tmp), 1, args)
        search_two = run_search(Path(tmp), 2, args)
    out = {"benchmark": "workers", "sites": args.sites, "agents": args.agents, "days": args.days,
           "time_limit_s": args.time_limit, "broker": "redis" if args.broker_url else "embedded sqlite",
           "cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 1), "one_worker": one, "two_workers": two,
           "speedup": round(one["wall_s"] / two["wall_s"], 2),
           "search": {"agents": args.search_agents, "fan_out": args.fan_out, "one_worker": search_one,
                      "two_workers": search_two, "same_answer": search_one["agents"] == search_two["agents"],
                      "speedup": round(search_one["wall_s"] / search_two["wall_s"], 2)}}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
