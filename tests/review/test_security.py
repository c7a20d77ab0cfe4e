"""The review app refuses what does not come from its own page, and listens on loopback only."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import run_cli

from .conftest import (ENTRY, ENTRY_TOPIC, REFUSED_ITEM, SLUG, VALIDATED_ITEM, RunningApp, start_app, stop, wait_for_url,
                       written_files)


class Client:
    """A browser-like client: keeps the session cookie, sends the headers a form post would."""

    def __init__(self, origin: str):
        self.origin = origin
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(url if url.startswith("http") else self.origin + url))

    def post(self, path: str, fields: dict, headers: dict | None = None) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.origin + path, data=data, method="POST",
                                         headers={"Origin": self.origin, **(headers or {})})
        return self._open(request)

    def _open(self, request) -> tuple[int, str, dict]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def request_path(app) -> str:
    [request_file] = (app.root / "candidates" / SLUG / "requests").glob(f"*{ENTRY_TOPIC}*")
    return f"/requests/{SLUG}/{request_file.stem}"


def logged_in(app) -> tuple[Client, str, dict]:
    client = Client(app.origin)
    status, _, _ = client.get(app.url)
    assert status == 200
    status, page, _ = client.get(request_path(app))
    assert status == 200, page
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    return client, page, fields


def decisions(fields: dict) -> dict:
    return {**fields, f"action:{VALIDATED_ITEM}": "validate", f"level:{VALIDATED_ITEM}": "avance",
            f"action:{REFUSED_ITEM}": "refuse", f"comment:{REFUSED_ITEM}": "Le droit à l'image manque."}


def test_forged_posts_write_nothing(review_app):
    client, _, fields = logged_in(review_app)
    before = written_files(review_app.root)
    path = request_path(review_app)

    stranger = Client(review_app.origin)  # no session cookie: a page elsewhere posting blindly
    assert stranger.post(path, decisions(fields))[0] == 401
    without_csrf = {k: v for k, v in decisions(fields).items() if k != "csrf"}
    assert client.post(path, without_csrf)[0] == 403
    assert client.post(path, {**decisions(fields), "csrf": "guessed"})[0] == 403
    assert client.post(path, decisions(fields), {"Origin": "http://evil.example"})[0] == 403
    assert client.post(path, decisions(fields), {"Origin": "null"})[0] == 403
    assert written_files(review_app.root) == before

    status, _, _ = client.post(path, decisions(fields))  # the genuine form still works
    assert status == 200
    assert len(written_files(review_app.root)) == len(before) + 2


def test_a_foreign_host_name_is_refused(review_app):
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 still says Host: evil.example."""
    request = urllib.request.Request(review_app.url, headers={"Host": f"evil.example:{review_app.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400


def test_pages_forbid_scripts_and_the_entry_is_sanitized(review_app):
    client, page, _ = logged_in(review_app)
    _, _, headers = client.get(request_path(review_app))
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none' covers scripts
    assert headers["content-security-policy"].startswith("default-src 'none'")
    body = page.split("data-entry-body>", 1)[1].split("</section>", 1)[0]
    assert "<strong>remédiation</strong>" in body and "<table>" in body
    assert "<script" not in body and "onerror" not in body


def test_active_traces_are_downloaded_never_rendered(review_app):
    client, page, _ = logged_in(review_app)
    assert re.search(r'data-trace="download">\s*<strong>Schéma', page)
    assert re.search(r'data-trace="image">\s*<strong>Fluence', page)
    svg = re.search(r'href="(/traces/[^"]+/2)"', page).group(1)
    status, body, headers = client.get(svg)
    assert status == 200 and "<svg" in body
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/traces/{SLUG}/{ENTRY}/9")[0] == 404
    assert client.get(f"/traces/{SLUG}/..%2F..%2Fkeys/0")[0] == 404


def test_an_entry_changed_since_the_page_was_read_is_refused(review_app):
    client, _, fields = logged_in(review_app)
    before = written_files(review_app.root)
    entry = review_app.root / "candidates" / SLUG / "entries" / f"{ENTRY}.md"
    entry.write_text(entry.read_text("utf-8") + "\nUne phrase ajoutée.\n", "utf-8")
    status, page, _ = client.post(request_path(review_app), decisions(fields))
    assert status == 422
    assert "changed on disk since this page was opened" in page
    assert written_files(review_app.root) == before


def test_a_refusal_needs_a_comment_and_nothing_is_half_written(review_app):
    client, _, fields = logged_in(review_app)
    before = written_files(review_app.root)
    fields = {**decisions(fields), f"comment:{REFUSED_ITEM}": "  "}
    status, page, _ = client.post(request_path(review_app), fields)
    assert status == 422 and f"refusing {REFUSED_ITEM} needs a comment" in page
    assert written_files(review_app.root) == before  # the valid validation of the batch was not signed


def test_an_item_not_requested_cannot_be_decided(review_app):
    client, _, fields = logged_in(review_app)
    before = written_files(review_app.root)
    status, page, _ = client.post(request_path(review_app), {**fields, "action:crcne:I7": "validate",
                                                             "level:crcne:I7": "expert"})
    assert status == 422 and "does not wait for your decision" in page
    assert written_files(review_app.root) == before


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on `port`, read from the kernel's tables."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address if width == 32 else socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_the_app_listens_on_loopback_only(review_app):
    assert _listening_addresses(review_app.port) == {"127.0.0.1"}
    others = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in others - {"127.0.0.1"}:
        if address.startswith("127."):
            continue
        with pytest.raises(OSError):
            socket.create_connection((address, review_app.port), timeout=3).close()


def test_an_item_the_registry_does_not_grant_is_not_offered_and_cannot_be_forced(review_workspace):
    """Jean Leroy is not registered for CRCNÉ: `request` refuses to ask him (issue 29, finding 5);
    a request written anyway, outside the tool, he sees why and cannot decide."""
    import datetime as dt

    from portfolio_gen.core.model import EvaluationRequest
    from portfolio_gen.core.records import write_request

    folder = review_workspace / "candidates" / SLUG
    asked = run_cli("--root", str(review_workspace), "request", SLUG, ENTRY, "--evaluator", "jean-leroy")
    assert asked.returncode == 2 and "'jean-leroy' has no rights to evaluate crcne" in asked.stderr, asked.stderr
    assert not list((folder / "requests").glob("*jean-leroy*"))
    write_request(folder, EvaluationRequest("", ENTRY, "jean-leroy", (VALIDATED_ITEM, REFUSED_ITEM), dt.date.today()))
    process = start_app(review_workspace, "--key", str(review_workspace / "keys" / "jean-leroy.key.pem"),
                        evaluator="jean-leroy")
    try:
        app = RunningApp(review_workspace, wait_for_url(process), process)
        client = Client(app.origin)
        client.get(app.url)
        [request_file] = (review_workspace / "candidates" / SLUG / "requests").glob(f"*{ENTRY_TOPIC}-jean-leroy*")
        path = f"/requests/{SLUG}/{request_file.stem}"
        status, page, _ = client.get(path)
        assert status == 200
        assert page.count('data-blocked="trust.other_framework"') == 2
        assert "the signer is not authorised for this framework" in page
        assert "data-action=" not in page
        before = written_files(review_workspace)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
        status, page, _ = client.post(path, decisions(fields))
        assert status == 422 and "not authorised for this framework" in page
        assert written_files(review_workspace) == before
    finally:
        stop(process)
