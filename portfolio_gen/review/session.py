"""Who is reviewing: an evaluator of the registry holding one of their registered keys.

Everything is checked before the server starts, so that a wrong id or key is a clear
error in the terminal rather than a page that fails later. The private key and the
tokens live in this object only, in memory, for the life of the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core.problems import InputError, Problem
from ..core.registry import REGISTRY_FILE, Evaluator, Registry
from ..institution.context import InstitutionContext, load_institution, workspace_registry
from ..core.settings import Settings
from ..core.workspace import Workspace, load_workspace
from ..credentials.dids import did_key
from .web import new_token as _token


@dataclass
class ReviewSession:
    root: Path
    evaluator: Evaluator
    private_key: Ed25519PrivateKey = field(repr=False)
    language: str
    institution: InstitutionContext = field(repr=False)  # loaded once, when the app opens
    # In the URL printed once, then kept in a SameSite=Strict cookie.
    token: str = field(default_factory=_token, repr=False)
    # In every form: a page from another origin cannot read it, so cannot post it.
    csrf: str = field(default_factory=_token, repr=False)

    @property
    def signer(self) -> str:
        return did_key(self.private_key.public_key())

    def workspace(self, only: list[str] | None = None) -> Workspace:
        """The workspace as it is on disk now: candidates edit files while the app runs."""
        workspace = load_workspace(self.root, only=only)
        if workspace.errors:
            raise InputError(workspace.errors)
        return workspace

    def registry(self, workspace: Workspace) -> Registry:
        return workspace_registry(self.root, workspace.frameworks)

    def settings(self) -> Settings:
        return self.institution.settings


def open_session(root: Path, evaluator_id: str, private_key: Ed25519PrivateKey, language: str,
                 institution: InstitutionContext | None = None) -> ReviewSession:
    """A session for `evaluator_id`, or InputError saying why not (unknown id, key not theirs).
    `institution`: the command's context, once checked against what the institution signed."""
    workspace = load_workspace(root)
    if workspace.errors:
        raise InputError(workspace.errors)
    registry = workspace_registry(root, workspace.frameworks)
    # Signing needs the institution's settings: fail now, not at the first decision.
    institution = institution or load_institution(root, verify_signed=False)
    evaluator = registry.by_id(evaluator_id)
    if evaluator is None:
        raise InputError([Problem("request.unknown_evaluator", root / REGISTRY_FILE, None, {
            "evaluator": evaluator_id, "known": ", ".join(e.id for e in registry.evaluators)})])
    signer = did_key(private_key.public_key())
    if signer not in evaluator.keys:
        raise InputError([Problem("review.key_not_registered", root / REGISTRY_FILE, None, {
            "evaluator": evaluator_id, "did": signer})])
    return ReviewSession(root, evaluator, private_key, language, institution)
