"""gunicorn settings for `shiftcast serve` (any can be overridden on gunicorn's command line or GUNICORN_CMD_ARGS).

The arbiter also starts the job worker (`shiftcast worker`) beside the web workers and stops it on exit, so
that solves never run in a web process and one command serves the whole API.
"""
import gc
import multiprocessing
import os
import subprocess
import sys
import threading

from api.config import BIND

# Loopback only by default: put a TLS-terminating proxy in front to serve a network.
bind = os.environ.get("SHIFTCAST_BIND", BIND)
# Requests are short (a roster month is one stored document; forecasts and solves run as jobs in the job
# worker process), so each worker answers one request at a time: gunicorn's sync worker. Every
# worker takes its next connection from the one accept queue only when it is free, so the load spreads
# evenly and no request waits behind a busy worker's backlog. Measured on 2 cores (benchmarks.api, 50
# clients, roster JSON, 2,000 requests a run, runs interleaved): sync x 5 p99 57-84 ms in 5 runs, sync x 3
# 57-69 in 5; gthread 5 x 2 with keep-alive 112-209 in 5: each worker kept the connections it happened to
# accept in the first burst (seen as 1/5/8/13/23 of the 50), and the busiest worker's clients waited.
# The sync worker closes each connection after its answer and needs a buffering proxy in front of slow
# clients: serve a network through one (see bind), never straight from gunicorn.
workers = int(os.environ.get("SHIFTCAST_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
# The longest a request may run before its worker is replaced; no request comes near it.
timeout = 120
graceful_timeout = 30
backlog = 256
# No control socket: it lives at one path per user, which two servers on one machine would share.
control_socket_disable = True
# Never preload: each worker builds its own app and database connections after the fork.
preload_app = False
accesslog = "-" if os.environ.get("SHIFTCAST_ACCESS_LOG") else None
errorlog = "-"
loglevel = os.environ.get("SHIFTCAST_LOG_LEVEL", "info")


def post_worker_init(worker) -> None:
    """Keep what the worker loaded at start-up (~185k objects: pandas, scipy, OR-Tools, the app) out of the
    cyclic garbage collector: a full collection over them takes ~180 ms here with the GIL held, a stall for
    every request in flight on that worker. Later objects are collected as usual."""
    gc.collect()
    gc.freeze()


JOB_WORKER = [sys.executable, "-c", "from cli import main; main()", "worker"]
job_worker = None  # the `shiftcast worker` process, while the arbiter runs
stopping = threading.Event()
starting = threading.Lock()  # a stop never races a restart: no worker is left behind


def _keep_job_worker(server) -> None:
    """Start the job worker, and start it again whenever it dies (kill -9, out of memory): the new one finds
    the job the dead one was running and runs it again (api.jobs.recover_orphans)."""
    global job_worker
    while not stopping.wait(0 if job_worker is None else 1.0):
        with starting:
            if stopping.is_set() or (job_worker is not None and job_worker.poll() is None):
                continue
            if job_worker is not None:
                server.log.warning("job worker %s exited (%s); starting another", job_worker.pid, job_worker.returncode)
            job_worker = subprocess.Popen(JOB_WORKER)


def when_ready(server) -> None:
    """Start the job worker (the same environment: the store's and broker's URLs and settings) once the arbiter
    listens, so an arbiter that cannot start leaves none behind."""
    threading.Thread(target=_keep_job_worker, args=(server,), name="job-worker-keeper", daemon=True).start()


def on_exit(server) -> None:
    """Stop the job worker with the arbiter (it queues the job it was running again for the next worker)."""
    with starting:
        stopping.set()
    if job_worker is not None and job_worker.poll() is None:
        job_worker.terminate()
        try:
            job_worker.wait(graceful_timeout)
        except subprocess.TimeoutExpired:
            job_worker.kill()
