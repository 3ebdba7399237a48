"""Slow clients do not stop the service: sockets that trickle a request's headers, held open against a real
gunicorn on loopback (`shiftcast serve`'s config), leave /health answering."""
from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from api import testing

pytestmark = pytest.mark.slow  # a real server, and seconds of trickling
SLOW_SOCKETS = 5
SECONDS = 12


def test_five_slow_sockets_leave_health_answering(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    testing.sessions(url)  # the schema, by the migrations
    with testing.running_server(url, tmp_path, workers=2) as server:
        slow = []
        for _ in range(SLOW_SOCKETS):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the headers never end
            slow.append(s)
        answered, probes, failures = 0, 0, []
        try:
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline:
                for s in slow:
                    s.sendall(b"X-Trickle: 1\r\n")  # one more header line each second, as the attack sent
                probes += 1
                t0 = time.monotonic()
                try:
                    # 5 s: a loaded machine's answer is slow, a blocked service's never comes
                    with urllib.request.urlopen(server.url + "/health", timeout=5) as r:
                        answered += r.status == 200
                except OSError as exc:
                    failures.append(f"{exc} after {time.monotonic() - t0:.1f} s")
                time.sleep(1)
        finally:
            for s in slow:
                s.close()
        assert probes >= 5 and answered == probes, f"{answered} of {probes} probes answered: {failures}"


def test_clients_that_keep_their_socket_open_after_the_answer_hold_up_no_one(tmp_path):
    """A connection is closed gracefully: the server waits for the client's own close, up to 2 s. Clients that
    have their answer but do not close hold only the threads that answered them, never the worker's thread
    that accepts and finishes everyone else's requests (one web worker here, so every request meets them)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    testing.sessions(url)
    with testing.running_server(url, tmp_path, workers=1) as server:
        held = []
        t0 = time.monotonic()
        try:
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert s.recv(64).startswith(b"HTTP/1.1 200")  # answered; the socket stays open
                held.append(s)
            for _ in range(3):
                with urllib.request.urlopen(server.url + "/health", timeout=10) as r:
                    assert r.status == 200
            took = time.monotonic() - t0
        finally:
            for s in held:
                s.close()
    # Six quick answers; waiting on each held socket's close in turn would take 2 s each, 6 s in all.
    assert took < 3, f"six requests took {took:.1f} s"
