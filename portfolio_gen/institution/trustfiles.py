"""Reading the institution's trust files from a working tree: the one module that opens them.

The trust files say who the institution is and whom it trusts: its settings, did.json,
signed registry, signed manifest, and a candidate repository's lock. Whoever can write
the working tree can change them, so they are read here and nowhere else below the
command line; the institution context (context.py) assembles what a command may believe
from these readers, and every other module receives it. The status lists are the
revocation module's own (institution/revocation.py), which signs and reads them.
`tests/institution/test_trust_files.py` fails if another module opens one of these files itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.files import sha256_file
from ..core.pinning import Lock, read_lock
from ..core.problems import WARNING, InputError, Problem
from ..core.publishing import MANIFEST_FILE
from ..core.registry import REGISTRY_FILE
from ..core.settings import SETTINGS_FILE, Settings, load_settings
from ..core.toolwheel import WHEEL_DIR
from ..core.workspace import FRAMEWORKS_DIR, framework_files
from ..core.yamlfile import load_mapping

if TYPE_CHECKING:  # the key stack is imported only by the commands that sign
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DID_DOCUMENT_FILE = "did.json"  # the institution's did:web document, at the workspace root
REGISTRY_CREDENTIAL_FILE = "registry.json"  # at the workspace root, published at the site root
_TOOL_PATH = re.compile(rf"{WHEEL_DIR}/portfolio_gen-[A-Za-z0-9.+!_]+-py3-none-any\.whl")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def settings(root: Path) -> Settings:
    """portfolio-gen.yml (InputError when missing or invalid)."""
    return load_settings(root)


def language_setting(root: Path) -> str | None:
    """The `language` the workspace's settings write, if any: what the user is spoken to in
    when no --lang is given. An unreadable or invalid file says nothing here (`check`
    reports it, in the language chosen without it)."""
    path = Path(root) / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        language = load_mapping(path).get("language")
    except (InputError, OSError):
        return None
    return language if isinstance(language, str) else None


def lock(root: Path) -> Lock | None:
    """institution.lock of a candidate repository; None in a cohort workspace."""
    return read_lock(root)


def did_document(root: Path) -> dict | None:
    return json_document(root / DID_DOCUMENT_FILE)


def registry_credential(root: Path) -> dict | None:
    return json_document(root / REGISTRY_CREDENTIAL_FILE)


def manifest(root: Path) -> dict | None:
    return json_document(root / MANIFEST_FILE)


def has_manifest(root: Path) -> bool:
    return (root / MANIFEST_FILE).is_file()


def has_evaluators_file(root: Path) -> bool:
    """Whether the institution's own editable list (evaluators.yml) is in the working tree."""
    return (root / REGISTRY_FILE).exists()


def registered_keys(root: Path) -> list[str]:
    """Every key the registry names, signed (registry.json) or not yet (evaluators.yml), as
    the institution wrote them: for the status lists it signs one for each (revocation.py).
    Unreadable files give none here; `check` and the signing commands report them."""
    subject = (registry_credential(root) or {}).get("credentialSubject")
    evaluators = list(_listed(subject, "evaluators"))
    if has_evaluators_file(root):
        try:
            evaluators += _listed(load_mapping(root / REGISTRY_FILE), "evaluators")
        except InputError:
            pass
    return [key for evaluator in evaluators for key in _listed(evaluator, "keys") if isinstance(key, str)]


def _listed(mapping: object, name: str) -> list:
    value = mapping.get(name) if isinstance(mapping, dict) else None
    return value if isinstance(value, list) else []


def listed_files(manifest: object) -> list[dict]:
    subject = manifest.get("credentialSubject") if isinstance(manifest, dict) else None
    listed = subject.get("files") if isinstance(subject, dict) else None
    if not isinstance(listed, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str) for f in listed):
        return []
    return listed


def listed_tool(manifest: object) -> dict | None:
    """The wheel of portfolio-gen the manifest names ({"path", "sha256"}), if it names one
    where a workspace keeps it (`tool/<wheel>`, nothing above or beside)."""
    subject = manifest.get("credentialSubject") if isinstance(manifest, dict) else None
    tool = subject.get("tool") if isinstance(subject, dict) else None
    if not isinstance(tool, dict) or not isinstance(tool.get("path"), str) or not isinstance(tool.get("sha256"), str) \
            or not _TOOL_PATH.fullmatch(tool["path"]) or not _SHA256.fullmatch(tool["sha256"]):
        return None
    return tool


def institution_files(root: Path) -> dict[str, Path]:
    """The workspace files a candidate repository takes from the institution, by their
    path in the workspace: the settings, the frameworks, and the logo the settings name
    (issue 32: the institution's identity on every candidate site)."""
    files = {SETTINGS_FILE: root / SETTINGS_FILE}
    files.update({f"{FRAMEWORKS_DIR}/{p.name}": p for p in framework_files(root)})
    logo = logo_path(root)
    if logo:
        files[logo] = root / logo
    return files


def logo_path(root: Path) -> str:
    """The logo's path as the settings write it, when it is a file of the workspace ('' otherwise)."""
    try:
        institution = settings(root).institution
    except (InputError, OSError):
        return ""  # `check` says what is wrong with the settings
    return institution.logo_setting if institution.logo is not None else ""


def unsigned_files(root: Path, manifest: dict | None) -> list[str]:
    """The institution's files (institution_files) changed, added or removed since
    `manifest` listed them with their digests (all of them without a manifest)."""
    listed = {f["path"]: f["sha256"] for f in listed_files(manifest)}
    wanted = institution_files(root).keys() | listed.keys()
    return sorted(relative for relative in wanted if listed.get(relative) is None
                  or not (root / relative).is_file() or sha256_file(root / relative) != listed[relative])


def unpublished_changes(root: Path) -> list[Problem]:
    """In the institution's own workspace, as warnings for `check`: what changed since it
    signed institution.json (nothing before it first signs one). Cheap, with no signature
    to verify on every `check` of a large cohort: the commands that sign verify it."""
    signed = manifest(root)
    if signed is None:
        return []
    return [Problem("institution.unpublished_change", root / relative, None, {"path": relative}, severity=WARNING)
            for relative in unsigned_files(root, signed)]


def paths(root: Path) -> list[Path]:
    """The trust files whose state a remembered verdict depends on."""
    return [root / DID_DOCUMENT_FILE, root / REGISTRY_CREDENTIAL_FILE, root / SETTINGS_FILE]


def check_signing_key(root: Path, institution_id: str, private_key: Ed25519PrivateKey) -> None:
    """Refuse, before anything is signed, a key the institution's did.json does not list:
    whatever it signed as the institution would be invalid from birth."""
    from ..credentials import keys  # the key stack, only for the commands that sign

    path = root / DID_DOCUMENT_FILE
    multikey = keys.public_key_multibase(private_key.public_key())
    params = {"did": institution_id, "multikey": multikey, "path": path.name}
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError([Problem("sign.no_did_document", path, None, params)]) from None
    except (OSError, ValueError) as error:
        raise InputError([Problem("credential.did_document", path, None, {"reason": str(error)})]) from None
    if not isinstance(document, dict) or document.get("id") != institution_id:
        found = document.get("id") if isinstance(document, dict) else None
        raise InputError([Problem("sign.other_did_document", path, None, {**params, "found": found or "-"})])
    listed = {m.get("publicKeyMultibase") for m in document.get("verificationMethod", []) if isinstance(m, dict)}
    if multikey not in listed:
        raise InputError([Problem("sign.key_not_in_did", path, None, params)])


def json_document(path: Path) -> dict | None:
    """A JSON object from `path`; None when missing, unreadable or not an object."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None
