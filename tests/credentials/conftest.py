"""Shared fixtures: the W3C vc-di-eddsa vectors (copied here so a fresh clone has
them), their key, an OB 3.0 credential, and a document loader."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from portfolio_gen.credentials import keys
from portfolio_gen.credentials.cryptosuites import EDDSA_JCS_2022, EDDSA_RDFC_2022
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.loader import DocumentLoader

HERE = Path(__file__).parent
VECTORS = HERE / "vectors"
FIXTURES = HERE / "fixtures"

# Per suite: folder and the file-name suffix the W3C vectors use.
VECTOR_SUITES = {
    "eddsa-rdfc-2022": (EDDSA_RDFC_2022, "DataInt"),
    "eddsa-jcs-2022": (EDDSA_JCS_2022, "JCS"),
}


def read_json(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


class Vector:
    """The intermediate values of one cryptosuite's test vector."""

    def __init__(self, name: str):
        self.suite, self.suffix = VECTOR_SUITES[name]
        self.folder = VECTORS / name

    def text(self, stem: str) -> str:
        return (self.folder / f"{stem}{self.suffix}.txt").read_text("utf-8")

    def json(self, stem: str) -> dict:
        return read_json(self.folder / f"{stem}{self.suffix}.json")


@pytest.fixture(params=sorted(VECTOR_SUITES))
def vector(request) -> Vector:
    return Vector(request.param)


@pytest.fixture(scope="session")
def vector_key_pair() -> dict:
    return read_json(VECTORS / "keyPair.json")


@pytest.fixture(scope="session")
def vector_private_key(vector_key_pair):
    return keys.private_key_from_multibase(vector_key_pair["privateKeyMultibase"])


@pytest.fixture
def unsigned() -> dict:
    return read_json(VECTORS / "unsigned.json")


@pytest.fixture
def openbadge() -> dict:
    # The issuer is the did:key of the vectors' key pair.
    return read_json(FIXTURES / "openbadge.json")


@pytest.fixture(scope="session")
def loader() -> DocumentLoader:
    return DocumentLoader()


@pytest.fixture
def resolver() -> DidResolver:
    return DidResolver()


@pytest.fixture(params=[EDDSA_RDFC_2022, EDDSA_JCS_2022], ids=lambda suite: suite.name)
def suite(request):
    return request.param


def clone(document: dict) -> dict:
    return copy.deepcopy(document)
