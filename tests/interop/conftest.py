from __future__ import annotations

import pytest

from conftest import made_once_per_run

from .js_stack import JsStack, default_folder, node_available


@pytest.fixture(scope="session")
def js_stack(tmp_path_factory) -> JsStack:
    if not node_available():
        pytest.skip("node/npm not installed: digitalbazaar's JS stack cannot run")
    # $PORTFOLIO_GEN_NPM_CACHE/interop, or one install for the run (each worker ran npm).
    return JsStack.install(default_folder() or made_once_per_run(tmp_path_factory, "npm-interop", JsStack.install))
