"""gunicorn settings for `shiftcast serve` (any can be overridden on gunicorn's command line or GUNICORN_CMD_ARGS).

The arbiter also starts the job worker (`shiftcast worker`) beside the web workers and stops it on exit, so
that solves never run in a web process and one command serves the whole API.
"""
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time

from api.config import BIND

# Loopback only by default: put a TLS-terminating proxy in front to serve a network.
bind = os.environ.get("SHIFTCAST_BIND", BIND)
# Requests are short (a roster month is one stored document; forecasts and solves run as jobs in the job
# worker process). A sync worker answers one request at a time, so a client that trickles its request
# holds a whole worker, and as many such sockets as workers stop the service. gthread workers read each
# request in a thread of their own (THREADS per worker), so a slow client holds one thread and the others
# answer; the arbiter's timeout watches the worker, not the request, so no slow socket gets a worker killed
# (and interleaved with sync at load 14-18, roster JSON p99 149 and 166 ms against sync's 339 and 335).
# Keep-alive is off: each connection is closed after its answer and goes back to the one accept queue, which
# spreads the load as the sync worker did (with keep-alive, gthread 5 x 2 measured p99 112-209 ms against
# sync's 57-84: each worker kept the connections it happened to accept in the first burst).
# gunicorn's own gthread worker closes each such connection in its main thread and waits there (up to 2 s)
# for the client to close too, so the whole worker accepts and finishes nothing until its slowest reader has
# read (a profiled worker's main thread spent 1 ms a request in that wait under benchmarks.api), and one
# client that keeps its socket open stops a worker for 2 s. The class below (api.web_worker) closes in the
# thread that answered: three sockets kept open after their answers held one worker's next requests 6.1 s
# with gunicorn's class and not at all with this one (tests/test_api_slow_clients.py). In benchmarks.api,
# interleaved with gunicorn's class on a machine loaded by other engineers' work (load 16-26, /health p99
# itself 281-652 ms), roster JSON p99 was 216-940 ms against 352-824 ms: the load hides any difference.
# A network is still served through a buffering proxy (see bind, and docs/api.md): workers x threads slow
# sockets would hold every thread, and the proxy takes any number of them.
workers = int(os.environ.get("SHIFTCAST_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "api.web_worker.ThreadWorker"
threads = 8
keepalive = 0
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
job_worker = 0  # the pid of the `shiftcast worker` process, while the arbiter runs
stopping = threading.Event()
starting = threading.Lock()  # a stop never races a restart: no worker is left behind


def _spawn_job_worker() -> int:
    # posix_spawn, not subprocess.Popen: Popen waits on a pipe until the new process execs, and a web worker
    # the arbiter forks meanwhile inherits that pipe and never execs, so the wait would never end.
    return os.posix_spawn(sys.executable, JOB_WORKER, os.environ)


def _alive(pid: int) -> bool:
    if not pid:  # none started (waitpid(0) would wait for any child)
        return False
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == 0
    except ChildProcessError:  # the arbiter's own reaping of its children took it first
        return False


def _keep_job_worker(server) -> None:
    """Start the job worker again whenever it dies (kill -9, out of memory): the new one finds the job the
    dead one was running and runs it again (api.jobs.recover_orphans)."""
    global job_worker
    while not stopping.wait(1.0):
        with starting:
            if stopping.is_set() or _alive(job_worker):
                continue
            server.log.warning("job worker %s exited; starting another", job_worker)
            job_worker = _spawn_job_worker()


def when_ready(server) -> None:
    """Start the job worker (the same environment: the store's and broker's URLs and settings) once the arbiter
    listens, so an arbiter that cannot start leaves none behind; then keep it running."""
    global job_worker
    job_worker = _spawn_job_worker()
    threading.Thread(target=_keep_job_worker, args=(server,), name="job-worker-keeper", daemon=True).start()


def on_exit(server) -> None:
    """Stop the job worker with the arbiter (it queues the job it was running again for the next worker)."""
    with starting:
        stopping.set()
    if not _alive(job_worker):
        return
    os.kill(job_worker, signal.SIGTERM)
    deadline = time.monotonic() + graceful_timeout
    while _alive(job_worker):
        if time.monotonic() > deadline:
            os.kill(job_worker, signal.SIGKILL)
            break
        time.sleep(0.1)
