from __future__ import annotations

import pytest

from .js_stack import JsStack, default_folder, node_available


@pytest.fixture(scope="session")
def js_stack(tmp_path_factory) -> JsStack:
    if not node_available():
        pytest.skip("node/npm not installed: digitalbazaar's JS stack cannot run")
    folder = default_folder() or tmp_path_factory.mktemp("npm-interop")
    return JsStack.install(folder)
