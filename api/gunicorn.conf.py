"""gunicorn settings for `shiftcast serve` (any can be overridden on gunicorn's command line or GUNICORN_CMD_ARGS).

The arbiter also starts the job worker (`shiftcast worker`) beside the web workers and stops it on exit, so
that solves never run in a web process and one command serves the whole API.
"""
import gc
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time

from api.config import BIND

# Loopback only by default: put a TLS-terminating proxy in front to serve a network.
bind = os.environ.get("SHIFTCAST_BIND", BIND)
# Requests are short (a roster month is one stored document, served from each worker's cache with its gzip;
# forecasts and solves run as jobs in the job worker process). What sets the latency under load is how evenly
# the cores' time goes round the requests in flight (docs/scaling.md, "The web processes under load"):
# - One web worker per core: each answers in one process under one GIL, so more workers than cores only take
#   turns on them (benchmarks.api on 2 cores, roster JSON p99: 2 workers 48-57 ms, 3 workers 60-64 ms).
# - gthread workers (api.web_worker, 16 threads each): a client that trickles its request holds one thread, not
#   a worker, and the arbiter's timeout watches the worker, not the request, so no slow socket gets a worker
#   killed; 2 x 16 threads take as many slow sockets as 5 x 8 did less 8. Connections that answered close in
#   the thread that answered them, never in the thread that accepts everyone's (api.web_worker).
# - Keep-alive, as the roster page's browser keeps its connection: a kept connection waits for its next
#   request on the worker's poller, holding no thread, and skips a TCP handshake and close per request.
# - reuse_port: each worker listens on a socket of its own and the kernel spreads new connections evenly
#   over them. On one shared socket, the worker that woke first took most of a burst of new connections and,
#   keeping them, most of the work after (2 workers: roster JSON p99 85-87 ms against 48-57 ms).
# A network is still served through a buffering proxy (see bind, and docs/api.md): workers x threads slow
# sockets would hold every thread, and the proxy takes any number of them.
workers = int(os.environ.get("SHIFTCAST_WORKERS", min(multiprocessing.cpu_count(), 8)))
worker_class = "api.web_worker.ThreadWorker"
threads = 16
keepalive = 5
reuse_port = True
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


def on_starting(server) -> None:
    """Refuse an address another server listens on already: with reuse_port the workers' own binds would join
    its socket's group and split its clients with it instead of failing."""
    for address in server.cfg.address:
        if isinstance(address, str):  # a unix socket's path: gunicorn's own bind fails on one in use
            continue
        with socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET) as probe:
            # SO_REUSEADDR: the last run's connections in TIME_WAIT do not count; a listening socket does
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                server.log.error("cannot listen at %s:%s: %s (is another server running there?)",
                                 address[0], address[1], exc.strerror)
                sys.exit(1)


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
