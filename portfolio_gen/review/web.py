"""What every local web page of the tool shares: loopback only, a session token, CSRF
checks and a Content-Security-Policy (the review app, and the candidates' editor of issue 31).

Safety, in the order a request meets it:
- the Host must be loopback (`TrustedHostMiddleware`, `LOOPBACK_HOSTS`): a DNS-rebinding
  page cannot talk to us;
- the session token, given once in the printed URL, then kept in an HttpOnly,
  SameSite=Strict cookie, must come with every request (`SessionGuard`);
- a state-changing request must come from this very origin (Origin, else Referer) and
  carry the session's CSRF token in its form (`authorised_post`);
- every response carries the app's security headers (`security_headers`): no frames, no
  foreign resources, and scripts only where the app serves its own file.

The socket is bound before uvicorn starts (`bind_loopback`), so that a port in use is a
clear error in the terminal (exit 2) and no other address can ever be chosen.
"""

from __future__ import annotations

import errno
import secrets
import socket
from typing import Callable, Mapping
from urllib.parse import urlencode

import uvicorn
from starlette.datastructures import FormData
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.problems import InputError, Problem

LOOPBACK = "127.0.0.1"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def security_headers(*, scripts: bool = False) -> dict[str, str]:
    """The headers of every answer. `scripts`: the app's own script files may run (never
    inline ones, never another origin's), and may call back this origin (fetch)."""
    script = "script-src 'self'; connect-src 'self'; " if scripts else ""
    return {
        "Content-Security-Policy": f"default-src 'none'; {script}img-src 'self'; style-src 'self'; "
                                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""


def authorised_post(request: Request, form: FormData | Mapping, csrf: str) -> bool:
    """Same origin and the session's CSRF token: what a forged form cannot have."""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    sent = request.headers.get("origin") or origin_of(request.headers.get("referer", ""))
    return sent == origin and secrets.compare_digest(str(form.get("csrf", "")), csrf)


class SessionGuard(BaseHTTPMiddleware):
    """The session token, once from the URL then from its cookie; security headers on every answer."""

    def __init__(self, app, *, token: str, cookie: str, refused: Callable[[], Response],
                 headers: Mapping[str, str]):
        super().__init__(app)
        self.token, self.cookie, self.refused, self.headers = token, cookie, refused, dict(headers)

    async def dispatch(self, request: Request, call_next) -> Response:
        given = request.query_params.get("token")
        if given is not None and secrets.compare_digest(given, self.token):
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response: Response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
        elif not secrets.compare_digest(request.cookies.get(self.cookie, ""), self.token):
            response = self.refused()
        else:
            response = await call_next(request)
        # Pages the app serves with their own policy (the editor's site preview) keep it.
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response


def bind_loopback(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: any free port), or InputError."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as error:
        sock.close()
        key = "review.port_in_use" if error.errno == errno.EADDRINUSE else "review.port_unusable"
        raise InputError([Problem(key, None, None, {"port": port, "reason": error.strerror or str(error)})]) from None
    sock.listen(128)
    return sock


def session_url(sock: socket.socket, token: str) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}/?token={token}"


def serve_app(app, sock: socket.socket) -> None:
    """Run `app` on the bound socket until interrupted (Ctrl+C)."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
