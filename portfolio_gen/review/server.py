"""Serve the review app with uvicorn, on loopback only.

The socket is bound here, before uvicorn starts, so that a port in use is a clear error
in the terminal (exit 2) and no other address can ever be chosen: there is no option
to listen elsewhere, since the session holds the evaluator's key.
"""

from __future__ import annotations

import errno
import socket

import uvicorn

from ..core.problems import InputError, Problem
from .app import create_app
from .session import ReviewSession

LOOPBACK = "127.0.0.1"


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


def session_url(sock: socket.socket, session: ReviewSession) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}/?token={session.token}"


def serve(session: ReviewSession, sock: socket.socket) -> None:
    """Run until interrupted (Ctrl+C)."""
    config = uvicorn.Config(create_app(session), log_level="warning", access_log=False,
                            server_header=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
