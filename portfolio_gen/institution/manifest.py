"""The institution's signed manifest: the settings and frameworks it publishes, with their digests.

A candidate who keeps their portfolio in a repository of their own, for a whole career
(issue 12), works with the institution's settings and frameworks, and must be able to
tell them from a copy a web host altered. `institution sign` lists those files with
their SHA-256 digests in a credential signed by the institution's did:web key (the list
as one JSON literal, as the registry does, so what is signed is exactly what is read);
`build` publishes the manifest at the site root and the files under `institution/`,
while it matches them. Candidate repositories are made from it by repository.py.

It also names the wheel of the portfolio-gen that signed it, with its SHA-256 (issue 30):
kept in the workspace's `tool/` and published beside the files, it is what the CI of the
institution's workspace and of its candidates' repositories install, checked against
that digest (core/toolwheel.py); no release on a public index is needed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core import toolwheel
from ..core.files import sha256_file, write_atomic
from ..core.publishing import MANIFEST_FILE, MANIFEST_FILES_DIR
from ..core.settings import Settings
from ..credentials import proofs
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import signer
from ..credentials.loader import DocumentLoader
from ..credentials.openbadges import datetime_stamp
from . import trustfiles
from .registry_credential import inline_context, last_version
from .trustfiles import check_signing_key

CREDENTIAL_TYPE = "InstitutionManifestCredential"
CONTEXT = inline_context(CREDENTIAL_TYPE, "InstitutionManifest", {"files": "files", "tool": "tool"},
                         {"version": "manifestVersion"})


def manifest_paths(root: Path) -> list[str]:
    """The workspace files a candidate repository needs: settings, frameworks, the logo."""
    return list(trustfiles.institution_files(root))


def sign_manifest(root: Path, settings: Settings, private_key: Ed25519PrivateKey, *,
                  now: dt.datetime | None = None, loader: DocumentLoader | None = None) -> Path:
    """List the settings and framework files with their digests, and the running tool's
    wheel (written to `tool/`, and pinned in the workspace's requirements.txt), sign as the
    institution, write `institution.json` atomically; each signing is one version above the last."""
    check_signing_key(root, settings.institution.id, private_key)
    wheel = toolwheel.write_wheel(root)
    toolwheel.pin(root, toolwheel.requirement(f"./{wheel.path}", wheel))
    issuer, method = signer(private_key, settings.institution.id)
    moment = now or dt.datetime.now(dt.UTC)
    path = root / MANIFEST_FILE
    credential = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": f"Fichiers publiés — {settings.institution.name}",
        "issuer": issuer,
        "validFrom": datetime_stamp(moment),
        "credentialSubject": {"id": issuer, "type": "InstitutionManifest", "version": last_version(path) + 1,
                              "files": current_digests(root), "tool": {"path": wheel.path, "sha256": wheel.sha256}},
    }
    signed = proofs.sign(credential, private_key, method, suite=EDDSA_RDFC_2022,
                         loader=loader or DocumentLoader(), created=datetime_stamp(moment))
    write_atomic(path, json.dumps(signed, ensure_ascii=False, indent=2) + "\n")
    return path


def current_digests(root: Path) -> list[dict]:
    return [{"path": relative, "sha256": sha256_file(root / relative)} for relative in manifest_paths(root)]


def stale_manifest_files(root: Path) -> list[str]:
    """The files changed, added or removed since `institution.json` was signed, and the
    tool's wheel it names if missing or changed (none: up to date)."""
    signed = trustfiles.manifest(root)
    stale = trustfiles.unsigned_files(root, signed)
    tool = trustfiles.listed_tool(signed)
    if tool is not None and (not (root / tool["path"]).is_file() or sha256_file(root / tool["path"]) != tool["sha256"]):
        stale.append(tool["path"])
    return stale


def published_files(root: Path) -> dict[str, Path]:
    """Output path -> workspace file, for `build`: the manifest and what it lists."""
    files = {MANIFEST_FILE: root / MANIFEST_FILE}
    for relative in manifest_paths(root):
        files[f"{MANIFEST_FILES_DIR}/{relative}"] = root / relative
    tool = trustfiles.listed_tool(trustfiles.manifest(root))
    if tool is not None:
        files[f"{MANIFEST_FILES_DIR}/{tool['path']}"] = root / tool["path"]
    return files
