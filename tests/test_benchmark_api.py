"""benchmarks.api end to end: wrk loads a real gunicorn on loopback and the benchmark prints its one JSON object;
without wrk it says so and measures nothing."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.api", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def test_without_wrk_the_benchmark_says_what_is_missing_and_measures_nothing(tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with this Python and nothing else
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    done = run_benchmark(env={"PATH": str(bin_dir)})
    assert done.returncode != 0 and done.stdout == ""
    assert "needs wrk" in done.stderr and "apt-get install wrk" in done.stderr, done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian: apt-get install wrk; .ci/run does)")
def test_the_benchmark_loads_the_server_and_reports_latency_beside_its_baseline():
    done = run_benchmark("--agents", "30", "--clients", "5", "--seconds", "1", "--xlsx-seconds", "1", "--workers", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["benchmark"] == "api" and result["gunicorn_workers"] == 1
    for name in ("baseline_health", "roster_json", "roster_xlsx"):
        run = result[name]
        assert run["requests"] > 0 and run["errors"] == 0, (name, run)
        assert 0 < run["p50_ms"] <= run["p99_ms"] <= run["max_ms"], (name, run)
    # answers of the sizes served: a gzip'd roster month is far bigger than /health's few bytes
    assert result["roster_json"]["bytes_per_answer"] > 10 * result["baseline_health"]["bytes_per_answer"]
    assert result["roster_xlsx"]["first_ok"] and result["json_p99_over_baseline_p99"] > 0
