"""gunicorn settings for `shiftcast serve` (any can be overridden on gunicorn's command line or GUNICORN_CMD_ARGS)."""
import gc
import multiprocessing
import os

# Loopback only by default: put a TLS-terminating proxy in front to serve a network.
bind = os.environ.get("SHIFTCAST_BIND", "127.0.0.1:8000")
# Requests are short (a roster month is one stored document); solves run in the job runner thread.
# Measured on 2 cores (benchmarks.api, 50 keep-alive clients, roster JSON, 6,000 requests a run, 6 runs
# each): 5 workers x 2 threads p99 74-120 ms (mean 93), 4 x 1 79-132 (105), 4 x 2 84-144 (113); 2 x 8 and
# 2 x 25 were worse still: gthread accepts with every thread busy, and one of 2 workers took all 50
# connections at once and ran at one core (its GIL) while the other idled. More processes spread them.
workers = int(os.environ.get("SHIFTCAST_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = 2
worker_class = "gthread"
# A forecast fit is the slowest synchronous request; solves never block a request.
timeout = 120
graceful_timeout = 30
keepalive = 5
backlog = 256
# No control socket: it lives at one path per user, which two servers on one machine would share.
control_socket_disable = True
# Never preload: each worker builds its own app, database connections and job runner after the fork.
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
