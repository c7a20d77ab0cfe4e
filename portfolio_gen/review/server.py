"""Serve the review app with uvicorn, on loopback only (`web.bind_loopback`: there is no
option to listen elsewhere, since the session holds the evaluator's key)."""

from __future__ import annotations

import socket

from . import web
from .app import create_app
from .session import ReviewSession

LOOPBACK = web.LOOPBACK
bind_loopback = web.bind_loopback


def session_url(sock: socket.socket, session: ReviewSession) -> str:
    return web.session_url(sock, session.token)


def serve(session: ReviewSession, sock: socket.socket) -> None:
    """Run until interrupted (Ctrl+C)."""
    web.serve_app(create_app(session), sock)
