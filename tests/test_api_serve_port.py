"""A port is served by one server: each web worker listens on a socket of its own (reuse_port), and a second
`shiftcast serve` on a port in use must fail saying so, not join the first's sockets and split its clients."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest

from api import testing

pytestmark = pytest.mark.slow  # two real servers


def test_a_second_server_on_a_port_in_use_refuses_to_start_and_the_first_serves_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    testing.sessions(url)
    with testing.running_server(url, tmp_path, workers=1) as first:
        second = subprocess.run([sys.executable, "-c", "from cli import main; main()", "serve",
                                 "--bind", f"127.0.0.1:{first.port}", "--workers", "1"],
                                cwd=tmp_path, env={**os.environ, "SHIFTCAST_DATABASE_URL": url}, capture_output=True,
                                text=True, timeout=300)
        assert second.returncode != 0
        assert f"cannot listen at 127.0.0.1:{first.port}" in second.stderr + second.stdout, second.stderr[-2000:]
        with urllib.request.urlopen(first.url + "/health", timeout=10) as r:
            assert r.status == 200
