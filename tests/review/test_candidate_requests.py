"""The candidate's side: `serve` previews a requests page (what waits for whom, what was refused
and why) that a built site never has."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import run_cli

from .conftest import ENTRY, EVALUATOR, REFUSED_ITEM, SLUG, VALIDATED_ITEM

COMMENT = "Ajoutez l'autorisation de diffusion des voix des élèves."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str, server: subprocess.Popen) -> str:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.5)
    raise AssertionError(server.stdout.read().decode() if server.poll() is not None else f"no page at {url}")


def test_serve_shows_the_candidate_their_requests(review_workspace):
    refused = run_cli("--root", str(review_workspace), "refuse", SLUG, ENTRY, REFUSED_ITEM,
                      "--evaluator", EVALUATOR, "--comment", COMMENT)
    assert refused.returncode == 0, refused.stderr
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "portfolio_gen", "--root", str(review_workspace), "serve", SLUG,
                               "--dev-addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # MkDocs serves under the path of the candidate's site_url.
        page = _fetch(f"http://127.0.0.1:{port}/{SLUG}/requests/", server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    rows = dict(((item, entry), state) for item, entry, state in re.findall(
        r'data-request-item="([^"]+)" data-entry="([^"]+)" data-state="(\w+)"', page))
    assert rows[(VALIDATED_ITEM, ENTRY)] == "waiting"
    assert rows[(REFUSED_ITEM, ENTRY)] == "refused"
    assert "Ajoutez l&#39;autorisation de diffusion des voix des élèves." in page
    # A new candidate beside the demo's: only this entry's requests are theirs to see.
    assert {key[1] for key in rows} == {ENTRY}
    assert "Mes demandes" in page  # the candidate's language


def test_a_built_site_has_no_requests_page(built_demo):
    site = built_demo / "site" / "sofia-benali"  # a built demo candidate
    assert (site / "index.html").exists()
    assert not (site / "requests").exists()
    assert "Mes demandes" not in (site / "index.html").read_text("utf-8")
