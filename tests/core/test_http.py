"""core/http.py, the package's one HTTP client (issue 28): https only, redirects only to
https and only so many, a size limit enforced while streaming, a timeout; and the JSON-LD
loader and the site verifier both read through it.

A local https server (a self-signed certificate for 127.0.0.1, trusted through
SSL_CERT_FILE, which the default TLS context reads) serves each case; nothing leaves the
machine.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import serve_over_tls
from portfolio_gen.core import http
from portfolio_gen.core.http import FetchError, fetch
from portfolio_gen.credentials.loader import DocumentLoader, DocumentLoadingError
from portfolio_gen.institution.verify_site import HttpSource

STREAMED = 64 * 1024 * 1024  # what the endless-looking answer would send, were it read whole
LIMIT = 4096


class _Handler(BaseHTTPRequestHandler):
    sent: dict[str, int] = {}
    done: dict[str, threading.Event] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's hook
        port = self.server.server_address[1]
        routes = {
            "/ok.json": lambda: self._answer(200, b'{"@context": {"ok": "urn:ok"}}'),
            "/to-http": lambda: self._redirect(f"http://127.0.0.1:{port}/ok.json"),
            "/to-https": lambda: self._redirect("/ok.json"),
            "/loop": lambda: self._redirect("/loop"),
            "/declared-huge": lambda: self._answer(200, b"{}", length=10 ** 12),
            "/missing": lambda: self._answer(404, b"no"),
        }
        if self.path.startswith("/streamed"):
            self._stream(self.path)
        else:
            routes[self.path]()

    def _answer(self, status: int, body: bytes, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream(self, path: str) -> None:
        """No Content-Length: the body ends when the connection closes, after STREAMED
        bytes. How much was written before the client hung up is kept."""
        self.send_response(200)
        self.end_headers()
        sent, chunk = 0, b"[" * 65536
        try:
            while sent < STREAMED:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up: what it refused was never sent
        finally:
            self.sent[path] = sent
            self.done.setdefault(path, threading.Event()).set()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("https")
    yield from serve_over_tls(ThreadingHTTPServer(("127.0.0.1", 0), _Handler), folder)


@pytest.fixture
def base(server, monkeypatch) -> str:
    """The server's URL, its certificate trusted by the default TLS context."""
    url, cert_file = server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    return url


def _sent(path: str) -> int:
    assert _Handler.done.setdefault(path, threading.Event()).wait(30), "the server never finished"
    return _Handler.sent[path]


def test_a_small_answer_is_read_and_a_redirect_to_https_followed(base):
    assert json.loads(fetch(f"{base}/ok.json")) == {"@context": {"ok": "urn:ok"}}
    assert json.loads(fetch(f"{base}/to-https")) == {"@context": {"ok": "urn:ok"}}


def test_only_https_is_asked_for():
    with pytest.raises(FetchError) as error:
        fetch("http://127.0.0.1:9/ok.json")
    assert error.value.code == FetchError.NOT_HTTPS


def test_a_redirect_to_http_is_refused(base):
    with pytest.raises(FetchError) as error:
        fetch(f"{base}/to-http")
    assert error.value.code == FetchError.NOT_HTTPS
    assert error.value.params["location"].startswith("http://127.0.0.1")


def test_redirects_are_bounded(base):
    with pytest.raises(FetchError) as error:
        fetch(f"{base}/loop", max_redirects=3)
    assert error.value.code == FetchError.TOO_MANY_REDIRECTS and error.value.params == {"limit": 3}


def test_an_http_error_carries_its_status(base):
    with pytest.raises(FetchError) as error:
        fetch(f"{base}/missing")
    assert error.value.code == FetchError.HTTP_STATUS and error.value.params["status"] == 404
    assert "HTTP 404" in str(error.value)


def test_a_declared_size_over_the_limit_is_refused_before_reading(base):
    with pytest.raises(FetchError) as error:
        fetch(f"{base}/declared-huge", max_bytes=LIMIT)
    assert error.value.code == FetchError.TOO_LARGE and error.value.params == {"limit": LIMIT}


def test_an_oversized_stream_is_refused_without_reading_it_all(base):
    with pytest.raises(FetchError) as error:
        fetch(f"{base}/streamed-1", max_bytes=LIMIT)
    assert error.value.code == FetchError.TOO_LARGE
    # The client hung up long before the end (socket buffers hold a few MB at most).
    assert _sent("/streamed-1") < STREAMED // 2


def test_a_host_that_never_answers_is_a_timeout():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (backlog), says nothing
        port = silent.getsockname()[1]
        with pytest.raises(FetchError) as error:
            fetch(f"https://127.0.0.1:{port}/ok.json", timeout=0.2)
    assert error.value.code == FetchError.TIMEOUT and "timeout" in str(error.value)


def test_a_connection_refused_is_said(base):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    with pytest.raises(FetchError) as error:
        fetch(f"https://127.0.0.1:{port}/ok.json")
    assert error.value.code == FetchError.REFUSED


def test_the_loader_and_the_site_verifier_refuse_the_same_oversized_answer(base, monkeypatch):
    """Both read through core/http.py: with its limit lowered, both refuse the stream,
    and neither reads it whole."""
    monkeypatch.setattr(http, "MAX_BYTES", LIMIT)
    with pytest.raises(DocumentLoadingError, match=f"larger than {LIMIT} bytes"):
        DocumentLoader(allow_network=True).document(f"{base}/streamed-loader")
    assert _sent("/streamed-loader") < STREAMED // 2
    source = HttpSource(f"{base}/")
    assert source.read("streamed-site") is None
    assert f"larger than {LIMIT} bytes" in source.failure("streamed-site")
    assert _sent("/streamed-site") < STREAMED // 2


def test_the_loader_and_the_site_verifier_refuse_a_redirect_to_http(base):
    with pytest.raises(DocumentLoadingError, match="only https"):
        DocumentLoader(allow_network=True).document(f"{base}/to-http")
    source = HttpSource(f"{base}/")
    assert source.read("to-http") is None and "only https" in source.failure("to-http")
