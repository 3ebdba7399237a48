"""API latency under load: a 300-agent month's roster as JSON and as xlsx, 50 concurrent clients.

`python -m benchmarks.api [--agents 300] [--clients 50] [--requests 2000] [--xlsx-requests 200]`
starts `shiftcast serve`'s gunicorn (its own config) on a free loopback port over a scratch store, stores a
roster month directly in the store, and measures p50/p99 latency and throughput of:
  baseline: GET /health (the framework's floor, measured in the same run);
  json:     GET /api/v1/rosters/{id}       (target p99 <= 100 ms);
  xlsx:     GET /api/v1/rosters/{id}/xlsx  (target <= 1 s each).
The roster is stored as a roster job stores it, with its workbook rendered once beforehand (that render
time, which the job pays, is reported as `xlsx_render_in_job_s`).
Prints one JSON object. Loopback traffic only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import tempfile
import threading
import time
import zlib
from pathlib import Path

import numpy as np

from api import testing

MONTH = "2026-12"
TARGET_JSON_P99_MS = 100.0
TARGET_XLSX_MS = 1000.0


def _client_process(port, path, headers, counts, gate, out) -> None:
    """One client process: a thread per client, each on its own connection (http.client opens a new one when
    the server closed the last after its answer, as gunicorn's sync worker does)."""
    latencies = [[] for _ in counts]
    sizes, errors = [0] * len(counts), [0] * len(counts)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        gate.wait()
        for _ in range(counts[i]):
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.getheader("Content-Encoding") == "gzip":
                    body = zlib.decompress(body, wbits=31)  # the client's work counts in the latency too
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok, body = False, b""
            latencies[i].append(time.perf_counter() - t0)
            sizes[i] = max(sizes[i], len(body))
            errors[i] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(counts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(([x for lat in latencies for x in lat], max(sizes, default=0), sum(errors)))


def _load(port: int, path: str, headers: dict, clients: int, total: int, processes: int) -> dict:
    """`clients` concurrent clients (spread over `processes` so the client's GIL is not the bottleneck)
    share `total` GETs of `path`."""
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    processes = max(1, min(processes, clients))
    gate, out = mp.Barrier(clients + 1), mp.Queue()
    procs = [mp.Process(target=_client_process, args=(port, path, headers, per_client[k::processes], gate, out))
             for k in range(processes)]
    for p in procs:
        p.start()
    gate.wait()
    began = time.perf_counter()
    parts = [out.get() for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    lat = np.asarray([x for part in parts for x in part[0]]) * 1000
    return {
        "requests": int(lat.size), "errors": int(sum(p[2] for p in parts)), "bytes": int(max(p[1] for p in parts)),
        "p50_ms": round(float(np.percentile(lat, 50)), 2), "p99_ms": round(float(np.percentile(lat, 99)), 2),
        "max_ms": round(float(lat.max()), 2), "throughput_rps": round(lat.size / wall, 1), "seconds": round(wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="JSON (and baseline) requests in all")
    parser.add_argument("--xlsx-requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--client-processes", type=int, default=2, help="processes the clients are spread over")
    args = parser.parse_args()

    from shiftcast.exports.specimen import specimen_roster, specimen_staff

    from api.exports import DEFAULT_EXPORT_LANG, roster_export
    from core.rules import DEFAULT_RULES

    staff = specimen_staff(args.agents)
    roster = specimen_roster(staff, MONTH, seed=0)
    t0 = time.perf_counter()
    workbook = roster_export(roster, "xlsx", DEFAULT_RULES, DEFAULT_EXPORT_LANG, staff)
    render_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="shiftcast-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        roster_id = testing.store_roster(url, roster, MONTH, staff, workbook=workbook)
        headers = {"Authorization": f"Bearer {testing.token(url, 'viewer')}", "Accept-Encoding": "gzip"}
        with testing.running_server(url, Path(folder), workers=args.workers) as server:
            port = server.port
            json_path, xlsx_path = f"/api/v1/rosters/{roster_id}", f"/api/v1/rosters/{roster_id}/xlsx"
            first = _load(port, xlsx_path, headers, 1, 1, 1)  # a first download, alone
            load = dict(clients=args.clients, processes=args.client_processes)
            _load(port, json_path, headers, total=args.clients, **load)  # every worker's cache warm
            baseline = _load(port, "/health", {}, total=args.requests, **load)
            as_json = _load(port, json_path, headers, total=args.requests, **load)
            as_xlsx = _load(port, xlsx_path, headers, total=args.xlsx_requests, **load)
            children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
            # the web workers (forks of the arbiter); the arbiter's other child is the job worker
            workers = sum(b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children)
    result = {
        "benchmark": "api",
        "agents": args.agents, "days": 31, "clients": args.clients, "client_processes": args.client_processes,
        "gunicorn_workers": workers,
        "roster_json_bytes": as_json["bytes"], "roster_xlsx_bytes": as_xlsx["bytes"],
        "baseline_health": baseline,
        "roster_json": as_json,
        "roster_xlsx": {**as_xlsx, "first_download_ms": first["max_ms"], "first_errors": first["errors"]},
        "xlsx_render_in_job_s": round(render_s, 3),
        "json_p99_over_baseline_p99": round(as_json["p99_ms"] / max(baseline["p99_ms"], 1e-9), 2),
        "targets": {"roster_json_p99_ms": TARGET_JSON_P99_MS, "roster_xlsx_each_ms": TARGET_XLSX_MS},
        "met": {"roster_json_p99": as_json["p99_ms"] <= TARGET_JSON_P99_MS and as_json["errors"] == 0,
                "roster_xlsx_each": max(as_xlsx["max_ms"], first["max_ms"]) <= TARGET_XLSX_MS
                and as_xlsx["errors"] + first["errors"] == 0},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
