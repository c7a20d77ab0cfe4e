"""`portfolio-gen serve SLUG` previews one candidate on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from sitefixtures import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_previews_the_candidate_home_page():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "portfolio_gen", "--root", str(REPO), "serve", "camille-martin",
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        page = ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.5)
        assert "Camille Martin" in page, server.stdout.read().decode() if server.poll() is not None else "no page"
        assert "camille.martin@" not in page  # private fields stay out of the preview too
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
