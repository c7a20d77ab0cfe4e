"""Fixtures of the site tests (helpers live in sitefixtures.py, importable by tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitefixtures import make_workspace


@pytest.fixture
def site_workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")
