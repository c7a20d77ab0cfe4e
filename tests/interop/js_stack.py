"""Installs digitalbazaar's reference JS stack with npm and runs interop.mjs.

Shared by the interop tests and bench/credentials.py. The packages go to
$PORTFOLIO_GEN_NPM_CACHE (kept between runs) or to a folder the caller gives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

HERE = Path(__file__).parent
SCRIPT = "interop.mjs"
NPM_TIMEOUT_SECONDS = 600


class JsStackError(RuntimeError):
    pass


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def default_folder() -> Path | None:
    cache = os.environ.get("PORTFOLIO_GEN_NPM_CACHE")
    return Path(cache) / "interop" if cache else None


def contexts_folder() -> Path:
    # The very files portfolio-gen serves, so both sides see the same contexts.
    return Path(str(resources.files("portfolio_gen.credentials").joinpath("contexts")))


class JsStack:
    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def install(cls, folder: Path) -> JsStack:
        folder.mkdir(parents=True, exist_ok=True)
        manifest = (HERE / "package.json").read_text()
        installed = folder / "package.json"
        fresh = not installed.exists() or installed.read_text() != manifest
        if fresh or not (folder / "node_modules").is_dir():
            installed.write_text(manifest)
            run = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--no-package-lock"],
                cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS,
            )
            if run.returncode:
                raise JsStackError(f"npm install failed:\n{run.stdout}\n{run.stderr}")
        # ESM resolves packages beside the script, so the script runs from there.
        shutil.copyfile(HERE / SCRIPT, folder / SCRIPT)
        return cls(folder)

    def call(self, request: dict) -> dict:
        run = subprocess.run(
            ["node", SCRIPT, str(contexts_folder())],
            cwd=self.folder, input=json.dumps(request), capture_output=True,
            text=True, timeout=NPM_TIMEOUT_SECONDS,
        )
        if run.returncode:
            raise JsStackError(f"node {SCRIPT} failed:\n{run.stderr}")
        return json.loads(run.stdout)

    def sign(self, credentials, suite, public_key_multibase, secret_key_multibase, created):
        return self.call({
            "op": "sign", "suite": suite, "credentials": credentials,
            "publicKeyMultibase": public_key_multibase,
            "secretKeyMultibase": secret_key_multibase, "created": created,
        })

    def verify(self, credentials, did_documents=None, status_lists=None):
        """Verify each credential; with status_lists ({url: list credential}), their
        revocation entries too (else a credential with one cannot verify)."""
        request = {"op": "verify", "credentials": credentials, "didDocuments": did_documents or {}}
        if status_lists is not None:
            request["statusLists"] = status_lists
        return self.call(request)

    def check_status(self, credentials, status_lists, did_documents=None):
        """Each credential's bit, read by @digitalbazaar/vc-bitstring-status-list after it
        verified the list credential."""
        return self.call({
            "op": "status", "credentials": credentials, "statusLists": status_lists,
            "didDocuments": did_documents or {},
        })

    def decode_list(self, encoded_list, indices):
        return self.call({"op": "decodeList", "encodedList": encoded_list, "indices": list(indices)})
