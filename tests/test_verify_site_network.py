"""`verify https://... --allow-network` says what failed when a site cannot be read (issue #15):
name resolution, TLS, or the HTTP status, never "is it a portfolio-gen site?"."""

from __future__ import annotations

import functools
import http.server
import ssl

import pytest

from conftest import run_cli, serve_over_tls
from portfolio_gen.institution.verify_site import MANIFEST, HttpSource, verify_site


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    """A local https server with a self-signed certificate for 127.0.0.1 (empty site)."""
    folder = tmp_path_factory.mktemp("https")
    (folder / "www").mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder / "www")))
    for base, cert_file in serve_over_tls(server, folder):
        yield base + "/", cert_file


def test_an_untrusted_certificate_is_reported_as_tls(https_server):
    url, _ = https_server
    report = verify_site(HttpSource(url))
    assert not report.ok
    assert "TLS certificate rejected" in report.problems[0] and MANIFEST in report.problems[0]
    assert "is it a portfolio-gen site" not in report.problems[0]


def test_a_missing_manifest_is_reported_with_its_http_status(https_server):
    url, cert_file = https_server
    trusting = ssl.create_default_context(cafile=str(cert_file))
    report = verify_site(HttpSource(url, ssl_context=trusting))
    assert "HTTP 404" in report.problems[0] and url + MANIFEST in report.problems[0]


def test_an_unknown_host_is_reported_as_name_resolution_by_the_cli():
    # .invalid never resolves (RFC 6761): no traffic leaves the machine beyond a DNS query.
    result = run_cli("verify", "https://portfolio-gen-test.invalid/alice/", "--allow-network")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "name resolution failed" in output and "portfolio-gen-test.invalid" in output
    assert "Traceback" not in output
