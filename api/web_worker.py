"""The web workers' class (api/gunicorn.conf.py): gunicorn's gthread worker, with each connection it does not keep
alive closed by the thread that answered it.

gunicorn (27) closes such a connection gracefully (RFC 9112 section 9.6: send FIN, then read until the client
closes, for up to 2 s) in the worker's main thread, the one that accepts connections and hands them to the
threads. Until the client has read its answer and closed, that worker accepts nothing and finishes none of its
other threads' requests: every request waits on the slowest reader in its worker, and one client that never
closes stops a worker for 2 s. Closed in the answering thread, the wait holds that thread alone.
"""
from __future__ import annotations

from concurrent.futures import Future

from gunicorn.workers import gthread

_CLOSED = object()  # what handle() returns when it closed the connection itself


class ThreadWorker(gthread.ThreadWorker):
    def handle(self, conn):
        """Answer the connection's request in a pool thread; close it here unless it stays open."""
        result = super().handle(conn)
        if result:  # kept alive, or put back on the poller until the client sends its request
            return result
        conn.close(graceful=True)
        return _CLOSED

    def finish_request(self, conn, fs: Future) -> None:
        """The main thread's bookkeeping for an answered connection (gunicorn's, but for one closed already)."""
        if not fs.cancelled() and fs.exception() is None and fs.result() is _CLOSED:
            self.nr_conns -= 1
            return
        super().finish_request(conn, fs)
