"""The review app's routes, on Starlette: pages from Jinja templates, decisions by form posts.

Its protections are the ones every local page of the tool shares (`web`): loopback Host,
session token, CSRF token and same origin on every post, and a Content-Security-Policy
forbidding scripts, frames and foreign resources: the pages need no JavaScript at all, and
a candidate's text or trace cannot run any.
"""

from __future__ import annotations

import secrets
import threading
from functools import partial
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core import i18n
from ..core.problems import InputError, Problem
from ..site.render import date_in_words, file_size, themes_dir
from . import gitrepo, web
from .decide import Batch, ItemDecision, Written, apply_batch
from .queue import Filters, NotFound, build_queue, build_request_review, trace_file
from .session import ReviewSession

COOKIE = "portfolio_gen_review"
LOOPBACK_HOSTS = web.LOOPBACK_HOSTS
SECURITY_HEADERS = web.security_headers(scripts=False)
STATIC = {"review.css": "text/css"}


def templates_dir() -> Path:
    return themes_dir() / "review"


def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(t=partial(i18n.text, language=language), language=language,
                       direction=i18n.direction(language))
    env.filters["filesize"] = file_size
    env.filters["words_date"] = date_in_words  # « 10 mars 2026 », not 2026-03-10
    return env


class ReviewApp:
    """One evaluator's app: the session, the batches it wrote, and the routes over them."""

    def __init__(self, session: ReviewSession):
        self.session = session
        self.env = _environment(session.language)
        self.batches: dict[str, Written] = {}
        self.commits: dict[str, str] = {}
        self._writing = threading.Lock()  # one batch at a time: checks and writes stay together

    # --- plumbing ------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(template).render(evaluator=self.session.evaluator,
                                                      csrf=self.session.csrf, **context)
        return HTMLResponse(html, status_code=status)

    def problems(self, problems: list[Problem]) -> list[tuple[str, str, str]]:
        """Problems as the page shows them: where, what, how to fix."""
        return [(p.location(self.session.root), *i18n.explain(p, self.session.language)) for p in problems]

    def refused(self, key: str, status: int = 403) -> Response:
        return PlainTextResponse(i18n.text(key, self.session.language), status_code=status)

    def authorised_post(self, request: Request, form: FormData) -> bool:
        """Same origin and the session's CSRF token: what a forged form cannot have."""
        return web.authorised_post(request, form, self.session.csrf)

    # --- routes --------------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        filters = Filters(**{name: request.query_params.get(name, "") for name in ("framework", "candidate", "phase")})
        try:
            queue = await run_in_threadpool(build_queue, self.session, filters)
        except InputError as error:
            return self.page("problems.html", 409, problems=self.problems(error.problems))
        return self.page("queue.html", queue=queue)

    async def review(self, request: Request, problems: list[Problem] | None = None,
                     form: FormData | None = None) -> Response:
        slug, request_id = request.path_params["candidate"], request.path_params["request"]
        try:
            review = await run_in_threadpool(build_request_review, self.session, slug, request_id)
        except NotFound:
            return self.refused("review.page.not_found", 404)
        except InputError as error:
            return self.page("problems.html", 409, problems=self.problems(error.problems))
        return self.page("request.html", 422 if problems else 200, review=review,
                         problems=self.problems(problems or []), form=form or {})

    async def decide(self, request: Request) -> Response:
        form = await request.form()
        if not self.authorised_post(request, form):
            return self.refused("review.page.forbidden")
        batch = Batch(request.path_params["candidate"], str(form.get("entry", "")),
                      str(form.get("entry_digest", "")), decisions_from(form))
        try:
            written = await run_in_threadpool(self._apply, batch)
        except InputError as error:
            return await self.review(request, error.problems, form)
        except FileExistsError as error:
            return await self.review(request, [Problem("credential.exists", None, None, {"path": error.filename})],
                                     form)
        batch_id = secrets.token_urlsafe(8)
        self.batches[batch_id] = written
        return RedirectResponse(f"/batches/{batch_id}", status_code=303)

    def _apply(self, batch: Batch) -> Written:
        with self._writing:
            return apply_batch(self.session, batch)

    async def batch(self, request: Request, problem: str = "") -> Response:
        batch_id = request.path_params["batch"]
        written = self.batches.get(batch_id)
        if written is None:
            return self.refused("review.page.not_found", 404)
        root = self.session.root
        repository = await run_in_threadpool(gitrepo.is_repository, root)
        paths = gitrepo.batch_paths(root, written)
        changes = await run_in_threadpool(gitrepo.changes, root, paths) if repository else []
        message = gitrepo.commit_message(written, self.session.evaluator.name, self.session.evaluator.id,
                                         self.session.language)
        return self.page("batch.html", batch_id=batch_id, written=written, root=root, repository=repository,
                         changes=changes, message=message, commit=self.commits.get(batch_id, ""), git_error=problem)

    async def commit(self, request: Request) -> Response:
        form = await request.form()
        if not self.authorised_post(request, form):
            return self.refused("review.page.forbidden")
        batch_id = request.path_params["batch"]
        written = self.batches.get(batch_id)
        if written is None or batch_id in self.commits:
            return self.refused("review.page.not_found", 404)
        message = str(form.get("message", "")).strip() or gitrepo.commit_message(
            written, self.session.evaluator.name, self.session.evaluator.id, self.session.language)
        try:
            self.commits[batch_id] = await run_in_threadpool(
                gitrepo.commit, self.session.root, gitrepo.batch_paths(self.session.root, written), message)
        except gitrepo.GitError as error:
            return await self.batch(request, str(error))
        return RedirectResponse(f"/batches/{batch_id}", status_code=303)

    async def trace(self, request: Request) -> Response:
        params = request.path_params
        try:
            path, media_type = await run_in_threadpool(trace_file, self.session, params["candidate"],
                                                       params["entry"], params["index"])
        except (NotFound, InputError):
            return self.refused("review.page.not_found", 404)
        if media_type is None:  # anything that could run is only ever downloaded, never rendered
            return FileResponse(path, media_type="application/octet-stream", filename=path.name,
                                content_disposition_type="attachment")
        return FileResponse(path, media_type=media_type)

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return self.refused("review.page.not_found", 404)
        return FileResponse(templates_dir() / name, media_type=STATIC[name])


def decisions_from(form: FormData) -> tuple[ItemDecision, ...]:
    """The items the evaluator decided: those whose action is set, with level, comment and
    the marks given per criterion (fields `criterion:<ref>:<criterion code>`)."""
    decisions = []
    for key, action in form.multi_items():
        if key.startswith("action:") and action:
            ref = key.removeprefix("action:")
            marks = tuple((name.removeprefix(f"criterion:{ref}:"), str(mark)) for name, mark in form.multi_items()
                          if name.startswith(f"criterion:{ref}:") and mark)
            decisions.append(ItemDecision(ref, str(action), str(form.get(f"level:{ref}", "")),
                                          str(form.get(f"comment:{ref}", "")), marks))
    return tuple(decisions)


def create_app(session: ReviewSession) -> Starlette:
    review = ReviewApp(session)
    routes = [
        Route("/", review.queue),
        Route("/requests/{candidate}/{request}", review.review, methods=["GET"]),
        Route("/requests/{candidate}/{request}", review.decide, methods=["POST"]),
        Route("/batches/{batch}", review.batch, methods=["GET"]),
        Route("/batches/{batch}/commit", review.commit, methods=["POST"]),
        Route("/traces/{candidate}/{entry}/{index:int}", review.trace),
        Route("/static/{name}", review.static),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS),
                  Middleware(web.SessionGuard, token=session.token, cookie=COOKIE,
                             refused=lambda: review.refused("review.page.no_session", 401), headers=SECURITY_HEADERS)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.review = review
    return app
