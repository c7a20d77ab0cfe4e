"""The vendored verifier bundle is what scripts/build-verifier makes from the pinned
sources (verifier/package-lock.json): rebuilt here, byte for byte, with its licences."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import REPO

SHIPPED = REPO / "portfolio_gen" / "data" / "themes" / "institution" / "verify"
SHIPPED_PORTFOLIO = REPO / "portfolio_gen" / "data" / "themes" / "portfolio" / "assets"


def test_the_shipped_bundle_is_reproducible(tmp_path):
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the bundle cannot be rebuilt")
    run = subprocess.run(["bash", str(REPO / "scripts" / "build-verifier"), str(tmp_path / "institution"),
                          str(tmp_path / "portfolio")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    for name in ("verifier.js", "THIRD-PARTY-LICENSES.txt"):
        assert (tmp_path / "institution" / name).read_bytes() == (SHIPPED / name).read_bytes(), name
    # The candidates' sites carry the same core, for their in-page check.
    for name in ("verify-core.js", "verify-core.LICENSES.txt"):
        assert (tmp_path / "portfolio" / name).read_bytes() == (SHIPPED_PORTFOLIO / name).read_bytes(), name
    licences = (SHIPPED / "THIRD-PARTY-LICENSES.txt").read_text("utf-8")
    for package in ("jsonld 9.0.0", "rdf-canonize 5.0.0", "canonicalize 2.1.0", "base58-universal 2.0.0", "ajv 8.20.0"):
        assert package in licences
    # Contexts are bundled from the package's own files: none is fetched at run time.
    bundle = (SHIPPED / "verifier.js").read_text("utf-8")
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in bundle
    assert "is not bundled; nothing is fetched" in bundle
