"""`portfolio-gen serve SLUG` previews one candidate on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import working_folder
from sitefixtures import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_previews_the_candidate_home_page():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "portfolio_gen", "--root", str(working_folder()), "serve", "camille-martin",
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


def _fetch(port: int, path: str, server: subprocess.Popen) -> str:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.5)
    raise AssertionError(server.stdout.read().decode() if server.poll() is not None else f"no page {path}")


def test_refusals_show_in_the_serve_preview_and_never_in_the_built_site(tmp_path):
    """The trainee sees what was refused, with the evaluator's comment, in their own
    preview; the published site shows refusals to nobody (issue 18)."""
    import datetime as dt
    import shutil

    from portfolio_gen.core.records import write_refusal

    for name in ("portfolio-gen.yml", "referentiels", "candidates"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, tmp_path / name)
    comment = "Ajoutez une trace produite par les élèves <b>avant</b> la séance"
    write_refusal(tmp_path / "candidates/camille-martin", "2026-02-10-veille-et-recherche", "marie-dupont",
                  ["c2i2e:A2.3"], dt.date(2026, 3, 2), comment)
    built = subprocess.run([sys.executable, "-m", "portfolio_gen", "--root", str(tmp_path), "build", "camille-martin"],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    site = tmp_path / "site/camille-martin"
    assert (site / "index.html").exists() and not (site / "requests").exists()
    assert not any("Ajoutez une trace produite" in p.read_text("utf-8", "replace") for p in site.rglob("*.html"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "portfolio_gen", "--root", str(tmp_path), "--lang", "en", "serve", "camille-martin",
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # One preview page for requests and refusals, served under the site_url path.
        page = _fetch(port, "/camille-martin/requests/", server)
        assert 'data-refused="c2i2e:A2.3"' in page and "marie-dupont" in page
        assert "&lt;b&gt;avant&lt;/b&gt;" in page and "<b>avant</b>" not in page  # escaped, never markup
        assert "data-preview-only" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
