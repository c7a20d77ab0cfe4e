"""The one HTTP client of the package: every file the tool reads over the network
(JSON-LD contexts, did.json, registries, status lists, published sites) comes through
`fetch` (issue 28, "one HTTP fetcher").

It reads only what a verifier should: https only, redirects followed by hand and only to
https, at most `MAX_REDIRECTS` of them, at most `max_bytes` of body (streamed, so an
endless or huge answer is refused after `max_bytes + 1` bytes, never read whole), and no
more than `timeout` seconds per socket operation nor `deadline` seconds in all (a host
that drips one byte at a time cannot hold the command). Every failure is one
`FetchError` carrying a reason `code` and its parameters, for callers to say.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Mapping

TIMEOUT_SECONDS = 10  # per connection, read or write
DEADLINE_SECONDS = 60  # for one fetch, redirects included
MAX_BYTES = 50 * 1024 * 1024  # no file a portfolio or an institution publishes should be larger
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be read. `code` says why (one of the constants below), `url`
    what was asked, `params` the details (`status`, `host`, `detail`, `limit`, `location`)."""

    NOT_HTTPS = "not_https"  # the URL asked for, or a redirect, is not https
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP_STATUS = "http_status"  # an answer other than 200 (and the redirects followed)
    TOO_LARGE = "too_large"  # more than the limit, declared or sent
    TIMEOUT = "timeout"
    DNS = "dns"
    TLS_CERTIFICATE = "tls_certificate"
    TLS = "tls"
    REFUSED = "refused"
    CONNECTION = "connection"

    def __init__(self, code: str, url: str, **params: object):
        self.code, self.url, self.params = code, url, params
        super().__init__(self.describe())

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or self.url

    def describe(self) -> str:
        """In English, for logs and the reports that still carry English text: what went
        wrong, in terms a site's owner can act on (issue #15)."""
        p, host = self.params, self.host
        return {
            self.NOT_HTTPS: f"{self.url}: only https URLs may be fetched"
                            + (f" (redirected to {p.get('location')})" if p.get("location") else ""),
            self.TOO_MANY_REDIRECTS: f"{self.url}: more than {p.get('limit')} redirects",
            self.HTTP_STATUS: f"{self.url}: HTTP {p.get('status')} {p.get('detail', '')}".rstrip(),
            self.TOO_LARGE: f"{self.url}: larger than {p.get('limit')} bytes (refused)",
            self.TIMEOUT: f"{host}: no answer within {p.get('limit')} s (timeout)",
            self.DNS: f"{host}: name resolution failed (DNS: {p.get('detail')})",
            self.TLS_CERTIFICATE: f"{host}: TLS certificate rejected ({p.get('detail')})",
            self.TLS: f"{host}: TLS handshake failed ({p.get('detail')})",
            self.REFUSED: f"{host}: connection refused",
        }.get(self.code, f"{host}: connection failed ({p.get('detail')})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `fetch` itself, where their target is checked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        return None


def fetch(url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None,
          timeout: float | None = None, deadline: float | None = None,
          ssl_context: ssl.SSLContext | None = None, max_redirects: int = MAX_REDIRECTS,
          clock: Callable[[], float] = time.monotonic) -> bytes:
    """The body at `url` (https only). `ssl_context` None: the system's authorities.
    FetchError for anything else than a 200 answer of at most `max_bytes` bytes. The
    limits left out are the module's, read at each call."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    deadline = DEADLINE_SECONDS if deadline is None else deadline
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl_context), _NoRedirect)
    ends = clock() + deadline
    asked = url
    for _ in range(max_redirects + 1):
        if urllib.parse.urlsplit(url).scheme != "https":
            raise FetchError(FetchError.NOT_HTTPS, asked, **({"location": url} if url != asked else {}))
        request = urllib.request.Request(url, headers=dict(headers or {}))
        try:
            with opener.open(request, timeout=timeout) as reply:
                return _body(reply, url, max_bytes, deadline, ends, clock)
        except urllib.error.HTTPError as error:
            with error:
                location = error.headers.get("Location") if error.code in _REDIRECTS else None
                if not location:
                    raise FetchError(FetchError.HTTP_STATUS, url, status=error.code, detail=error.reason) from None
            url = urllib.parse.urljoin(url, location)
        except FetchError:
            raise
        except (OSError, ValueError, http.client.HTTPException) as error:
            raise _transport_error(url, error, timeout) from None
    raise FetchError(FetchError.TOO_MANY_REDIRECTS, asked, limit=max_redirects)


def _body(reply, url: str, max_bytes: int, deadline: float, ends: float, clock: Callable[[], float]) -> bytes:
    declared = reply.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(FetchError.TOO_LARGE, url, limit=max_bytes)  # refused before reading any of it
    chunks, size = [], 0
    while True:
        if clock() > ends:
            raise FetchError(FetchError.TIMEOUT, url, limit=deadline)
        chunk = reply.read(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(FetchError.TOO_LARGE, url, limit=max_bytes)


def _transport_error(url: str, error: BaseException, timeout: float) -> FetchError:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, socket.gaierror):
        return FetchError(FetchError.DNS, url, detail=reason.strerror or str(reason))
    if isinstance(reason, ssl.SSLCertVerificationError):
        return FetchError(FetchError.TLS_CERTIFICATE, url, detail=reason.verify_message or reason.reason)
    if isinstance(reason, ssl.SSLError):
        return FetchError(FetchError.TLS, url, detail=reason.reason or str(reason))
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return FetchError(FetchError.TIMEOUT, url, limit=timeout)
    if isinstance(reason, ConnectionRefusedError):
        return FetchError(FetchError.REFUSED, url)
    if isinstance(reason, OSError):
        return FetchError(FetchError.CONNECTION, url, detail=reason.strerror or str(reason))
    return FetchError(FetchError.CONNECTION, url, detail=str(reason))
