"""The editor's routes, on Starlette, behind the review app's protections (`review.web`):
loopback Host, session token, same origin and CSRF token on every post, and a CSP that
lets only the editor's own script run (live preview, errors as typed, drag and drop).
The pages work without it: every form posts and answers with a page.

One candidate per URL (`/c/<slug>/...`); slugs and entry names in URLs are checked
against the workspace before any path is built from them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import mimetypes
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Callable, Sequence

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse,
                                 Response)
from starlette.routing import Route

from ..core import i18n
from ..core.model import LANGUAGES, ROLES, SITUATIONS, TRAINER_OR_REFERENT, VISIBILITIES, title_in
from ..core.portfolios import CANDIDATE_FILE, ENTRIES_DIR, MAX_EVIDENCE_BYTES, slug_for
from ..core.problems import InputError, Problem
from ..core.records import write_request
from ..core.registry import Registry
from ..core.workspace import CANDIDATES_DIR, Workspace, load_workspace
from ..decisions.requests import plan_request, request_problems, validated_from
from ..decisions.workflow import request_states, standing_refusals
from ..review import gitrepo, web
from ..site.render import entry_html, file_size, themes_dir
from . import drafts, uploads, views

COOKIE = "portfolio_gen_editor"
SECURITY_HEADERS = web.security_headers(scripts=True)
# The built site shown in preview runs its own scripts and styles, from this origin only.
SITE_PREVIEW_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
                    "form-action 'self'")
STATIC = {"editor.css": "text/css", "editor.js": "text/javascript"}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,150}\Z")


def templates_dir() -> Path:
    return themes_dir() / "editor"


@dataclass
class EditorSession:
    root: Path
    language: str
    slug: str | None = None  # the candidate `edit SLUG` opened, if any
    token: str = field(default_factory=web.new_token, repr=False)
    csrf: str = field(default_factory=web.new_token, repr=False)
    preview: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portfolio-gen-preview-")))
    today: Callable[[], dt.date] = dt.date.today  # injectable: the registry's grants are dated


class NotFound(Exception):
    """A slug, entry or framework the workspace does not have."""


class EditorApp:
    def __init__(self, session: EditorSession):
        self.session = session
        language = session.language
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                                      undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(t=partial(i18n.text, language=language), language=language,
                                direction=i18n.direction(language),
                                # `label(thing)`: a framework object's title in the page's language
                                label=partial(title_in, language=language))
        self.env.filters["filesize"] = file_size
        # One write at a time, checks and write together. An asyncio lock: a thread lock held
        # across an await would block the event loop the holder needs to finish.
        self._writing = asyncio.Lock()

    # --- plumbing ------------------------------------------------------------------------

    @property
    def language(self) -> str:
        return self.session.language

    def page(self, template: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(template).render(csrf=self.session.csrf, **context)
        return HTMLResponse(html, status_code=status)

    def explained(self, problems) -> list[dict]:
        return [{"where": p.location(self.session.root), "message": m, "hint": h, "error": p.is_error}
                for p in problems for m, h in [i18n.explain(p, self.language)]]

    def field_problems(self, problems, text: str | None = None) -> dict[str, list[dict]]:
        return {name: self.explained(found) for name, found in drafts.fields(problems, text).items()}

    def refused(self, key: str, status: int = 403) -> Response:
        return PlainTextResponse(i18n.text(key, self.language), status_code=status)

    async def posted(self, request: Request) -> FormData | None:
        form = await request.form(max_files=100, max_fields=2000)
        return form if web.authorised_post(request, form, self.session.csrf) else None

    def workspace(self, slug: str | None) -> Workspace:
        return load_workspace(self.session.root, only=[slug] if slug else [])

    def candidate_or_404(self, slug: str):
        if not _NAME.match(slug) or not (self.session.root / CANDIDATES_DIR / slug / CANDIDATE_FILE).is_file():
            raise NotFound(slug)
        workspace = self.workspace(slug)
        if slug not in workspace.candidates:
            raise InputError([p for p in workspace.problems if p.is_error] or [Problem("candidate.unknown", None)])
        return workspace, workspace.candidates[slug]

    def entry_or_404(self, candidate, name: str):
        if not _NAME.match(name):
            raise NotFound(name)
        entry = next((e for e in candidate.entries if e.slug == name), None)
        if entry is None:
            raise NotFound(name)
        return entry

    def choices(self, workspace, candidate, registry: Callable[[], Registry]) -> dict:
        pursued = [workspace.frameworks[p.framework] for p in candidate.frameworks
                   if p.framework in workspace.frameworks]
        phases = {p.code: p for f in pursued for p in f.phases}
        activities = {a.code: a for f in pursued for a in f.activities}
        trainers = []
        if any(f.evaluated_by == TRAINER_OR_REFERENT for f in pursued):
            try:
                trainers = [(e.id, e.name) for e in registry().evaluators]
            except InputError:
                trainers = []  # the request section says why the registry cannot be read
        return {"trainers": trainers,
                "situations": [(s, i18n.text(f"editor.situation.{s}", self.language)) for s in SITUATIONS],
                "visibilities": [(v, i18n.text(f"editor.visibility.{v}", self.language)) for v in VISIBILITIES],
                "phases": [(c, title_in(p, self.language)) for c, p in phases.items()],
                "activities": [(c, title_in(a, self.language)) for c, a in activities.items()]}

    # --- routes: home and profile ----------------------------------------------------------

    async def home(self, request: Request) -> Response:
        if self.session.slug:
            return RedirectResponse(f"/c/{self.session.slug}", status_code=303)
        profiles = (self.session.root / CANDIDATES_DIR).glob(f"*/{CANDIDATE_FILE}")
        slugs = sorted(profile.parent.name for profile in profiles if _NAME.match(profile.parent.name))
        return self.page("home.html", slugs=slugs)

    def _profile_page(self, workspace, slug: str | None, form: drafts.ProfileForm, problems=None, status=200,
                      saved=False) -> Response:
        return self.page("profile.html", status, slug=slug, form=form, frameworks=workspace.frameworks,
                         roles=[(r, i18n.text(f"editor.role.{r}", self.language)) for r in ROLES],
                         languages=LANGUAGES, problems=problems or {}, saved=saved)

    async def _profile_problems(self, folder: Path, workspace, profile: drafts.ProfileForm, text: str,
                                found: Sequence[Problem] = ()) -> list[Problem]:
        """What saving the profile would say: `found` (no name, or its folder taken) else the
        check of the candidate's files with `text`; and that it pursues no framework."""
        problems = list(found) or await run_in_threadpool(drafts.check_candidate_files, folder,
                                                          workspace.frameworks, {}, text)
        if not profile.frameworks:
            problems.append(Problem("editor.profile.no_framework", None, None))
        return problems

    async def new_profile(self, request: Request) -> Response:
        workspace = await run_in_threadpool(self.workspace, None)
        return self._profile_page(workspace, None, drafts.ProfileForm(language=self.language))

    async def create_profile(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        profile = drafts.ProfileForm.from_form(form)
        workspace = await run_in_threadpool(self.workspace, None)
        slug = slug_for(profile.name)
        folder = self.session.root / CANDIDATES_DIR / slug
        problems = []
        if not slug:
            problems.append(Problem("editor.profile.no_name", None, None))
        elif folder.exists():
            problems.append(Problem("editor.profile.exists", folder, None, {"slug": slug}))
        text = drafts.profile_text(profile, None, slug or "candidate")
        problems = await self._profile_problems(folder, workspace, profile, text, problems)
        if any(p.is_error for p in problems):
            return self._profile_page(workspace, None, profile, self.field_problems(problems, text), 422)
        async with self._writing:
            await run_in_threadpool(drafts.create_folder, folder, text)
        return RedirectResponse(f"/c/{slug}", status_code=303)

    async def check_profile(self, request: Request) -> Response:
        """Errors as typed in the profile (the editor's script): what saving would say."""
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        profile = drafts.ProfileForm.from_form(form)
        slug = request.path_params.get("slug")
        if slug:
            workspace, candidate = await run_in_threadpool(self.candidate_or_404, slug)
            folder, existing = candidate.folder, (candidate.folder / CANDIDATE_FILE).read_text("utf-8")
        else:
            workspace = await run_in_threadpool(self.workspace, None)
            slug = slug_for(profile.name) or "candidate"
            folder, existing = self.session.root / CANDIDATES_DIR / slug, None
        text = drafts.profile_text(profile, existing, slug)
        problems = await self._profile_problems(folder, workspace, profile, text)
        return JSONResponse({"problems": self.field_problems(problems, text)})

    async def profile(self, request: Request) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        form = drafts.ProfileForm(candidate.name, candidate.role, candidate.institution,
                                  str(candidate.private.get("email", "")), candidate.language,
                                  {p.framework: p.mention for p in candidate.frameworks})
        return self._profile_page(workspace, candidate.slug, form, saved=request.query_params.get("saved") == "1")

    async def save_profile(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        profile = drafts.ProfileForm.from_form(form)
        path = candidate.folder / CANDIDATE_FILE
        text = drafts.profile_text(profile, path.read_text("utf-8"), candidate.slug)
        problems = await self._profile_problems(candidate.folder, workspace, profile, text)
        if any(p.is_error for p in problems):
            return self._profile_page(workspace, candidate.slug, profile, self.field_problems(problems, text), 422)
        async with self._writing:
            drafts.write(path, text)
        return RedirectResponse(f"/c/{candidate.slug}/profile?saved=1", status_code=303)

    # --- routes: the candidate's page ------------------------------------------------------

    async def candidate_page(self, request: Request) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        validations = await run_in_threadpool(views.validations_of, self.session.root, workspace, candidate.slug)
        trees = views.framework_trees(candidate, workspace.frameworks, validations, self.language)
        return self.page("candidate.html", candidate=candidate, trees=trees)

    # --- routes: entries -------------------------------------------------------------------

    async def _entry_page(self, workspace, candidate, entry, form: drafts.EntryForm, problems=None, status=200,
                          message: str = "") -> Response:
        validations = await run_in_threadpool(views.validations_of, self.session.root, workspace, candidate.slug)
        trees = views.framework_trees(candidate, workspace.frameworks, validations, self.language)
        # Read once for the evaluators offered and the trainers listed (`choices`).
        registry = cache(partial(views.authority, self.session.root, workspace))
        offers, evaluators_problem = [], ""
        if entry is not None and entry.claims:
            try:
                offers = views.evaluators_for(await run_in_threadpool(registry), candidate, entry,
                                              workspace.frameworks, self.session.today())
            except InputError as error:
                evaluators_problem = self.explained(error.problems)[0]["message"]
        # Each validation pinned the entry file's digest: editing it marks them on the site.
        validated = validated_from(entry, validations) if entry is not None else ()
        return self.page("entry.html", status, candidate=candidate, entry=entry, form=form, trees=trees,
                         validated=validated,
                         preview=entry_html(form.body), problems=problems or {}, offers=offers,
                         evaluators_problem=evaluators_problem, message=message,
                         **self.choices(workspace, candidate, registry))

    async def new_entry(self, request: Request) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        form = drafts.EntryForm(date=self.session.today().isoformat())
        return await self._entry_page(workspace, candidate, None, form)

    async def entry(self, request: Request) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        entry = self.entry_or_404(candidate, request.path_params["entry"])
        form = _form_of(entry)
        message = {"saved": "editor.entry.saved", "requested": "editor.request.sent"}.get(
            request.query_params.get("done", ""), "")
        return await self._entry_page(workspace, candidate, entry, form,
                                      message=i18n.text(message, self.language) if message else "")

    async def save_entry(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        name = request.path_params.get("entry")
        entry = self.entry_or_404(candidate, name) if name else None
        fields = drafts.EntryForm.from_form(form)
        files = [f for f in form.getlist("evidence") if isinstance(f, UploadFile) and (f.filename or f.size)]
        # A file over the limit is refused by its size, never read into memory.
        received = [uploads.Upload(f.filename or "", await f.read(MAX_EVIDENCE_BYTES + 1)) for f in files]
        problems = [p for u in received for p in uploads.upload_problems(u)]
        target = entry.path if entry else candidate.folder / ENTRIES_DIR / drafts.entry_file_name(fields)
        if entry is None and target.exists():
            problems.append(Problem("editor.entry.exists", target, None, {"name": target.stem}))
        existing = entry.path.read_text("utf-8") if entry else None
        if problems:
            return await self._entry_page(workspace, candidate, entry, fields, self.field_problems(problems), 422)
        async with self._writing:
            stored = await run_in_threadpool(uploads.store, candidate.folder, received)
            text = drafts.entry_text(fields, existing, candidate.language, [(r, t) for r, t, _ in stored])
            pursued = {p.framework: p.mention for p in candidate.frameworks}
            problems = await run_in_threadpool(drafts.check_entry, text, target, candidate.folder,
                                               workspace.frameworks, pursued)
            if any(p.is_error for p in problems):
                for _, _, path in stored:  # nothing of an invalid entry stays
                    path.unlink(missing_ok=True)
                return await self._entry_page(workspace, candidate, entry, fields,
                                              self.field_problems(problems, text), 422)
            drafts.write(target, text)
        return RedirectResponse(f"/c/{candidate.slug}/entries/{slug_for(target.stem)}?done=saved", status_code=303)

    async def check(self, request: Request) -> Response:
        """Errors as typed, and the body as the site renders it (the editor's script)."""
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        name = str(form.get("entry", ""))
        entry = self.entry_or_404(candidate, name) if name else None
        fields = drafts.EntryForm.from_form(form)
        target = entry.path if entry else candidate.folder / ENTRIES_DIR / drafts.entry_file_name(fields)
        text = drafts.entry_text(fields, entry.path.read_text("utf-8") if entry else None, candidate.language)
        pursued = {p.framework: p.mention for p in candidate.frameworks}
        problems = await run_in_threadpool(drafts.check_entry, text, target, candidate.folder, workspace.frameworks,
                                           pursued)
        return JSONResponse({"preview": str(entry_html(fields.body)), "problems": self.field_problems(problems, text)})

    async def preview_body(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        return HTMLResponse(str(entry_html(str(form.get("body", "")))))

    # --- routes: asking, decisions ------------------------------------------------------------

    async def request_evaluation(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        entry = self.entry_or_404(candidate, request.path_params["entry"])
        evaluator = str(form.get("evaluator", ""))
        items = [str(i) for i in form.getlist("items")] or [c.ref for c in entry.claims]
        problems = self._request_problems(workspace, candidate, entry, evaluator, items)
        if not problems:
            async with self._writing:
                problems = await run_in_threadpool(self._write_request, workspace, candidate, entry, evaluator, items,
                                                   str(form.get("message", "")))
        if problems:
            return await self._entry_page(workspace, candidate, entry, _form_of(entry),
                                          {"evaluator": self.explained(problems)}, 422)
        return RedirectResponse(f"/c/{candidate.slug}/entries/{entry.slug}?done=requested", status_code=303)

    def _request_problems(self, workspace, candidate, entry, evaluator: str, items: list[str]) -> list[Problem]:
        if entry.is_draft:
            return [Problem("editor.request.draft", entry.path, None)]
        claimed = {c.ref for c in entry.claims}
        unclaimed = [Problem("record.item_not_claimed", entry.path, None, {"item": i, "entry": entry.slug})
                     for i in items if i not in claimed]
        if unclaimed:
            return unclaimed
        try:
            registry = views.authority(self.session.root, workspace)
        except InputError as error:
            return error.problems
        person = registry.by_id(evaluator)
        if person is not None and person.candidate == candidate.slug:
            return [Problem("trust.self_validation", None, None)]
        return request_problems(registry, evaluator, candidate, entry, workspace.frameworks, items,
                                self.session.today())

    def _write_request(self, workspace, candidate, entry, evaluator: str, items: list[str],
                       message: str) -> list[Problem]:
        """Through the domain's plan (one pending request per item and evaluator; a refusal
        asked again is reopened), as `request` does."""
        registry = views.authority(self.session.root, workspace)
        validations = views.validations_of(self.session.root, workspace, candidate.slug)
        plan = plan_request(registry, candidate, entry, evaluator, items, validations)
        new = plan.request(self.session.today(), message)
        if new is None:
            return [Problem("editor.request.already_waiting", entry.path, None, {"evaluator": evaluator})]
        try:
            write_request(candidate.folder, new)
        except InputError as error:
            return error.problems
        return []

    async def decisions(self, request: Request) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        validations = await run_in_threadpool(views.validations_of, self.session.root, workspace, candidate.slug)
        standing = {(r.entry, f"{r.framework}:{r.item}", r.evaluator) for r in standing_refusals(candidate)}
        latest = {}
        for row in request_states(candidate, validations):  # newest first: one line per entry, item and evaluator
            latest.setdefault((row.request.entry, row.item, row.request.evaluator), row)
        titles = {e.slug: e.title for e in candidate.entries}
        return self.page("decisions.html", candidate=candidate, rows=list(latest.values()), standing=standing,
                         titles=titles, done=request.query_params.get("done", ""))

    async def ask_again(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        entry = self.entry_or_404(candidate, str(form.get("entry", "")))
        evaluator, item = str(form.get("evaluator", "")), str(form.get("item", ""))
        problems = self._request_problems(workspace, candidate, entry, evaluator, [item])
        if not problems:
            async with self._writing:
                problems = await run_in_threadpool(self._write_request, workspace, candidate, entry, evaluator,
                                                   [item], str(form.get("message", "")))
        if problems:
            return self.page("problems.html", 422, candidate=candidate, problems=self.explained(problems))
        return RedirectResponse(f"/c/{candidate.slug}/decisions?done=asked", status_code=303)

    # --- routes: self-assessment -------------------------------------------------------------

    def _framework_or_404(self, workspace, candidate, framework_id: str):
        if framework_id not in {p.framework for p in candidate.frameworks} or framework_id not in workspace.frameworks:
            raise NotFound(framework_id)
        return workspace.frameworks[framework_id]

    async def self_assessment(self, request: Request, levels=None, problems=None, status: int = 200) -> Response:
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        framework = self._framework_or_404(workspace, candidate, request.path_params["framework"])
        if levels is None:
            latest = candidate.assessments_for(framework.id)
            levels = dict(latest[-1].levels) if latest else {}
        return self.page("self_assessment.html", status, candidate=candidate, framework=framework, levels=levels,
                         problems=problems or [], saved=request.query_params.get("saved") == "1")

    async def save_self_assessment(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        workspace, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        framework = self._framework_or_404(workspace, candidate, request.path_params["framework"])
        levels = {item.code: str(form.get(f"level:{item.code}", "")) for item in framework.items}
        if not any(levels.values()):
            return await self.self_assessment(request, levels, self.explained(
                [Problem("editor.self_assessment.empty", None, None)]), 422)
        path = drafts.self_assessment_path(candidate.folder, framework.id, self.session.today())
        relative = str(path.relative_to(candidate.folder))
        text = drafts.self_assessment_text(framework, levels, self.session.today(),
                                           path.read_text("utf-8") if path.is_file() else None)
        problems = await run_in_threadpool(drafts.check_candidate_files, candidate.folder, workspace.frameworks,
                                           {relative: text})
        if any(p.is_error for p in problems):
            return await self.self_assessment(request, levels, self.explained(problems), 422)
        async with self._writing:
            drafts.write(path, text)
        return RedirectResponse(f"/c/{candidate.slug}/self-assessment/{framework.id}?saved=1", status_code=303)

    # --- routes: preview and publish ---------------------------------------------------------

    async def build_preview(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        _, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        from ..site.builder import FAILED, build_cohort
        results = await run_in_threadpool(build_cohort, self.session.root, [candidate.slug], self.session.preview,
                                          jobs=1, force=True)
        failed = [r for r in results if r.status == FAILED]
        if failed:
            problems = [p for r in failed for p in (r.problems or [Problem("site.build.failed", r.file, None,
                                                                           {"slug": r.slug, "error": r.error})])]
            return self.page("problems.html", 422, candidate=candidate, problems=self.explained(problems))
        return RedirectResponse(f"/c/{candidate.slug}/site/", status_code=303)

    async def site_file(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if not _NAME.match(slug):
            return self.refused("editor.not_found", 404)
        base = (self.session.preview / slug).resolve()
        wanted = (base / request.path_params.get("path", "")).resolve()
        if wanted != base and base not in wanted.parents:
            return self.refused("editor.not_found", 404)
        if wanted.is_dir():
            if not request.url.path.endswith("/"):
                return RedirectResponse(request.url.path + "/", status_code=307)
            wanted = wanted / "index.html"
        if not wanted.is_file():
            return self.refused("editor.not_found", 404)
        media_type = mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
        response = FileResponse(wanted, media_type=media_type)
        response.headers["Content-Security-Policy"] = SITE_PREVIEW_CSP
        return response

    async def publish_page(self, request: Request, problem: str = "", commit: str = "", pushed: bool = False,
                           status: int = 200, notice: str = "") -> Response:
        """`problem`: what git answered when it refused (shown under what to do about it);
        `notice`: a sentence of the catalogue."""
        _, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        root = self.session.root
        repository = await run_in_threadpool(gitrepo.is_repository, root)
        changes = []
        if repository:
            try:
                changes = await run_in_threadpool(gitrepo.changes, root, [self._folder(candidate)])
            except gitrepo.GitError as error:
                problem = problem or str(error)
        return self.page("publish.html", status, candidate=candidate, repository=repository, changes=changes,
                         message=self._message(candidate, changes), git_error=problem, notice=notice,
                         commit=commit or request.query_params.get("commit", ""),
                         pushed=pushed or request.query_params.get("pushed") == "1")

    def _folder(self, candidate) -> str:
        return f"{CANDIDATES_DIR}/{candidate.slug}"

    def _message(self, candidate, changes) -> str:
        lines = [i18n.text("editor.publish.message", self.language, name=candidate.name, count=len(changes)), ""]
        lines += [f"- {c.path}" for c in changes]
        return "\n".join(lines) + "\n"

    async def publish(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self.refused("editor.forbidden")
        _, candidate = await run_in_threadpool(self.candidate_or_404, request.path_params["slug"])
        root = self.session.root
        try:
            changes = await run_in_threadpool(gitrepo.changes, root, [self._folder(candidate)])
            if not changes:
                return await self.publish_page(request, notice=i18n.text("editor.publish.nothing", self.language),
                                              status=409)
            message = str(form.get("message", "")).strip() or self._message(candidate, changes)
            async with self._writing:
                commit = await run_in_threadpool(gitrepo.commit, root, [self._folder(candidate)], message)
                pushed = False
                if await run_in_threadpool(gitrepo.remotes, root):
                    await run_in_threadpool(gitrepo.push, root)
                    pushed = True
        except gitrepo.GitError as error:
            return await self.publish_page(request, str(error), status=409)
        return RedirectResponse(f"/c/{candidate.slug}/publish?commit={commit}&pushed={int(pushed)}", status_code=303)

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return self.refused("editor.not_found", 404)
        return FileResponse(templates_dir() / name, media_type=STATIC[name])


def _form_of(entry) -> drafts.EntryForm:
    return drafts.EntryForm(entry.title, entry.date.isoformat(), entry.situation, entry.phase, entry.activity,
                            entry.trainer, entry.visibility, entry.body, [c.ref for c in entry.claims],
                            {c.ref: c.justification for c in entry.claims})


def _guarded(app: EditorApp, handler):
    """Turn what a URL names but the workspace lacks into 404, and unreadable files into a page."""
    async def route(request: Request) -> Response:
        try:
            return await handler(request)
        except NotFound:
            return app.refused("editor.not_found", 404)
        except InputError as error:
            return app.page("problems.html", 409, candidate=None, problems=app.explained(error.problems))
        except ValueError as error:  # a file the round-trip reader cannot parse (`documents`)
            return app.page("problems.html", 409, candidate=None, problems=app.explained(
                [Problem("yaml.syntax", None, None, {"reason": str(error)})]))
    return route


def create_app(session: EditorSession) -> Starlette:
    editor = EditorApp(session)
    g = partial(_guarded, editor)
    routes = [
        Route("/", g(editor.home)),
        Route("/profile/new", g(editor.new_profile), methods=["GET"]),
        Route("/profile/new", g(editor.create_profile), methods=["POST"]),
        Route("/profile/check", g(editor.check_profile), methods=["POST"]),
        Route("/c/{slug}", g(editor.candidate_page)),
        Route("/c/{slug}/profile/check", g(editor.check_profile), methods=["POST"]),
        Route("/c/{slug}/profile", g(editor.profile), methods=["GET"]),
        Route("/c/{slug}/profile", g(editor.save_profile), methods=["POST"]),
        Route("/c/{slug}/entries/new", g(editor.new_entry), methods=["GET"]),
        Route("/c/{slug}/entries/new", g(editor.save_entry), methods=["POST"]),
        Route("/c/{slug}/check", g(editor.check), methods=["POST"]),
        Route("/c/{slug}/preview-body", g(editor.preview_body), methods=["POST"]),
        Route("/c/{slug}/entries/{entry}", g(editor.entry), methods=["GET"]),
        Route("/c/{slug}/entries/{entry}", g(editor.save_entry), methods=["POST"]),
        Route("/c/{slug}/entries/{entry}/request", g(editor.request_evaluation), methods=["POST"]),
        Route("/c/{slug}/decisions", g(editor.decisions), methods=["GET"]),
        Route("/c/{slug}/ask-again", g(editor.ask_again), methods=["POST"]),
        Route("/c/{slug}/self-assessment/{framework}", g(editor.self_assessment), methods=["GET"]),
        Route("/c/{slug}/self-assessment/{framework}", g(editor.save_self_assessment), methods=["POST"]),
        Route("/c/{slug}/preview", g(editor.build_preview), methods=["POST"]),
        Route("/c/{slug}/site/{path:path}", g(editor.site_file)),
        Route("/c/{slug}/publish", g(editor.publish_page), methods=["GET"]),
        Route("/c/{slug}/publish", g(editor.publish), methods=["POST"]),
        Route("/static/{name}", g(editor.static)),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=web.LOOPBACK_HOSTS),
                  Middleware(web.SessionGuard, token=session.token, cookie=COOKIE,
                             refused=lambda: editor.refused("editor.no_session", 401), headers=SECURITY_HEADERS)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.editor = editor
    return app
