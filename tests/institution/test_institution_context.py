"""Commands that sign for the institution believe only what the institution signed (issue 26).

Each finding of issue 26 is played as the attacker did, in a cohort workspace and in a
candidate repository made with `init --candidate`; in a candidate repository both with
the lock left alone and with the lock rewritten to match the edit, since the lock is the
candidate's file too. A signing command must refuse, name the file, and write nothing.
A control case shows the same command going through when nothing was touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_gen.cli import main
from test_candidate_repository import ENTRY
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import dids, keys
from portfolio_gen.core.registry import Authorization, Evaluator
from portfolio_gen.institution.context import workspace_registry
from portfolio_gen.institution.registry_credential import sign_registry

INSTITUTION = "did:web:portfolios.example.org"
EMAIL = "elise.durand@example.fr"
SLUG = "elise-durand"


def invoke(root: Path, *args: str):
    """The real command, in process: exit code and output as a user sees them."""
    result = CliRunner().invoke(main, ["--root", str(root), "--lang", "en", *args], catch_exceptions=False)
    return result


@pytest.fixture
def institution(built_demo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "institution"
    shutil.copytree(built_demo, root, symlinks=True)
    return root


@pytest.fixture
def repository(institution: Path, tmp_path: Path) -> Path:
    """Élise's own repository, made from the institution's built site, with one item
    validated by Marie Dupont (signed in the repository, as an evaluator does)."""
    target = tmp_path / "elise"
    made = invoke(tmp_path, "init", str(target), "--candidate", "Élise Durand", "--institution",
                  str(institution / "site"), "--framework", "c2i2e", "--email", EMAIL,
                  "--site-base-url", "https://elise.gitlab.io/portfolio/")
    assert made.exit_code == 0, made.output
    entries = target / f"candidates/{SLUG}/entries"
    for path in entries.glob("*.md"):
        path.unlink()
    (entries / "2026-11-15-sequence-sig.md").write_text(ENTRY, "utf-8")
    signed = invoke(target, "sign", SLUG, "2026-11-15-sequence-sig", "c2i2e:B2.3",
                    "--key", str(institution / "keys/marie-dupont.key.pem"), "--evaluator-name", "Marie Dupont")
    assert signed.exit_code == 0, signed.output
    return target


def awards(root: Path, slug: str) -> list[Path]:
    return [p for p in (root / f"candidates/{slug}/credentials").glob("*.json")
            if "Certificate" in p.read_text("utf-8") or "Attestation" in p.read_text("utf-8")]


def rewrite_lock(root: Path, *paths: str) -> None:
    """What the attacker does next: the lock's digests made to match the edited files."""
    lock_path = root / "institution.lock"
    lock = json.loads(lock_path.read_text("utf-8"))
    for relative in paths:
        lock["files"][relative] = hashlib.sha256((root / relative).read_bytes()).hexdigest()
    if "registry.json" in paths:
        lock["registry_version"] = json.loads((root / "registry.json").read_text("utf-8"))[
            "credentialSubject"]["version"]
    lock_path.write_text(json.dumps(lock), "utf-8")


def lower_the_rule(root: Path) -> None:
    framework = root / "referentiels/c2i2e.yml"
    framework.write_text(framework.read_text("utf-8").replace("min: 23", "min: 1"), "utf-8")


def forge_an_evaluator(root: Path, tmp_path: Path) -> Path:
    """The attacker's key added to the did.json under the institution's DID, and the
    registry re-signed with it, naming "Marie Dupont" with the attacker's own did:key."""
    private_key = keys.generate_key()
    key_file = tmp_path / "mine.key.pem"
    key_file.write_bytes(keys.private_key_pem(private_key, None))
    key_file.chmod(0o600)
    did_path = root / "did.json"
    document = json.loads(did_path.read_text("utf-8"))
    forged = dids.did_web_document(INSTITUTION, [keys.public_key_from_multibase(m["publicKeyMultibase"])
                                                 for m in document["verificationMethod"]] + [private_key.public_key()])
    did_path.write_text(json.dumps(forged, indent=2), "utf-8")
    workspace = load_workspace(root)
    registry = workspace_registry(root, workspace.frameworks)
    fake = Evaluator("marie-dupont-2", "Marie Dupont", (dids.did_key(private_key.public_key()),),
                     (Authorization("c2i2e", dt.date(2020, 1, 1)),))
    registry = type(registry)(registry.evaluators + (fake,))
    sign_registry(root, load_settings(root), registry, private_key)
    return key_file


# --- finding 1: a lowered rule --------------------------------------------------------------

def test_control_an_untouched_repository_certifies(repository: Path, institution: Path):
    done = invoke(repository, "certify", SLUG, "--framework", "c2i2e", "--key", str(institution / "keys/institution.key.pem"))
    assert done.exit_code == 0, done.output
    assert "attestation" in done.output and len(awards(repository, SLUG)) == 1


@pytest.mark.parametrize("lock", ["lock left alone", "lock rewritten"])
def test_a_lowered_rule_in_a_candidate_repository_gets_no_certificate(repository: Path, institution: Path, lock):
    lower_the_rule(repository)
    if lock == "lock rewritten":
        rewrite_lock(repository, "referentiels/c2i2e.yml")
    refused = invoke(repository, "certify", SLUG, "--framework", "c2i2e",
                     "--key", str(institution / "keys/institution.key.pem"))
    assert refused.exit_code == 2, refused.output
    assert "referentiels/c2i2e.yml" in refused.output and "not the file the institution signed" in refused.output
    assert awards(repository, SLUG) == []
    checked = invoke(repository, "check")  # the candidate's own check says so too
    assert checked.exit_code == 2 and "referentiels/c2i2e.yml" in checked.output


def test_a_lowered_rule_in_a_workspace_gets_no_certificate_until_the_institution_signs_it(institution: Path):
    lower_the_rule(institution)
    key = str(institution / "keys/institution.key.pem")
    refused = invoke(institution, "certify", "camille-martin", "--framework", "c2i2e", "--key", key)
    assert refused.exit_code == 2, refused.output
    assert "referentiels/c2i2e.yml" in refused.output and "institution sign" in refused.output
    warned = invoke(institution, "check")  # the institution's own change: a warning, until it signs
    assert warned.exit_code == 0 and "referentiels/c2i2e.yml" in warned.output and "institution sign" in warned.output
    before = len(awards(institution, "camille-martin"))
    assert invoke(institution, "institution", "sign", "--key", key).exit_code == 0  # the institution's own decision
    # camille-martin holds the demo's certificate already: the institution re-issues it (issue 29).
    done = invoke(institution, "certify", "camille-martin", "--framework", "c2i2e", "--key", key, "--reissue")
    assert done.exit_code == 0, done.output
    assert len(awards(institution, "camille-martin")) == before + 1


# --- finding 2: a forged evaluator through the did.json -------------------------------------

@pytest.mark.parametrize("lock", ["lock left alone", "lock rewritten"])
def test_a_key_added_to_a_candidate_repositorys_did_json_is_refused(repository: Path, institution: Path,
                                                                     tmp_path: Path, lock):
    mine = forge_an_evaluator(repository, tmp_path)
    if lock == "lock rewritten":
        rewrite_lock(repository, "did.json", "registry.json")
    refused = invoke(repository, "certify", SLUG, "--framework", "c2i2e",
                     "--key", str(institution / "keys/institution.key.pem"))
    assert refused.exit_code == 2, refused.output
    assert "did.json" in refused.output and "registry.json" in refused.output
    assert awards(repository, SLUG) == []
    # Nor can the forged evaluator sign: the grant is checked against the published registry.
    (repository / f"candidates/{SLUG}/entries/2026-11-15-sequence-sig.md").write_text(
        ENTRY.replace("c2i2e:B2.3", "c2i2e:B3.1"), "utf-8")
    forged = invoke(repository, "sign", SLUG, "2026-11-15-sequence-sig", "c2i2e:B3.1", "--key", str(mine),
                    "--evaluator-name", "Marie Dupont")
    assert forged.exit_code == 2 and "registry.json" in forged.output
    audited = invoke(repository, "audit")
    assert "B3.1" not in audited.output


def test_a_lock_pointing_at_a_site_inside_the_repository_anchors_nothing(repository: Path, institution: Path,
                                                                          tmp_path: Path):
    """The lock is the candidate's: pointed at a forged copy of the institution's site
    kept in the repository itself, it would make the forged did.json the anchor."""
    forge_an_evaluator(repository, tmp_path)
    fake = repository / "mirror/.well-known"
    fake.mkdir(parents=True)
    shutil.copyfile(repository / "did.json", fake / "did.json")
    lock = json.loads((repository / "institution.lock").read_text("utf-8"))
    lock["source"] = str(repository / "mirror")
    (repository / "institution.lock").write_text(json.dumps(lock), "utf-8")
    rewrite_lock(repository, "did.json", "registry.json")
    refused = invoke(repository, "certify", SLUG, "--framework", "c2i2e",
                     "--key", str(institution / "keys/institution.key.pem"))
    assert refused.exit_code == 2 and "inside this repository" in refused.output
    assert awards(repository, SLUG) == []
    honest = invoke(repository, "certify", SLUG, "--framework", "c2i2e", "--key",
                    str(institution / "keys/institution.key.pem"), "--institution-site", str(institution / "site"))
    assert honest.exit_code == 2 and "did.json" in honest.output  # the published one still refuses the forgery


def test_a_key_added_to_a_workspaces_did_json_signs_nothing_that_counts(institution: Path, tmp_path: Path):
    forge_an_evaluator(institution, tmp_path)
    refused = invoke(institution, "certify", "camille-martin", "--framework", "c2i2e",
                     "--key", str(institution / "keys/institution.key.pem"))
    assert refused.exit_code == 2, refused.output
    assert "registry.json" in refused.output and "not with the key this command signs with" in refused.output


# --- finding 3: verification links ----------------------------------------------------------

def test_verification_links_lead_to_the_institutions_verifier(repository: Path):
    built = invoke(repository, "build", "--output", str(repository / "site"))
    assert built.exit_code == 0, built.output
    site = repository / "site"
    pages = "".join(p.read_text("utf-8") for p in (site / SLUG).rglob("*.html"))
    links = set(re.findall(r'href="(https://[^"?]*/verify/)\?url=', pages))
    assert links == {"https://portfolios.example.org/verify/"}, links
    assert "https://elise.gitlab.io/portfolio/elise-durand/" in pages  # where her own pages are
    # No institution verifier is served from her host, reading her copy of the trust files.
    assert not (site / "verify").exists() and not (site / "index.html").exists()


def test_verification_links_in_a_workspace_lead_to_its_verifier(institution: Path):
    pages = "".join(p.read_text("utf-8") for p in (institution / "site/camille-martin").rglob("*.html"))
    links = set(re.findall(r'href="(https://[^"?]*/verify/)\?url=', pages))
    assert links == {load_settings(institution).verifier_url}


def test_the_context_says_where_each_part_came_from(repository: Path, institution: Path):
    from portfolio_gen.institution.context import CANDIDATE_REPOSITORY, WORKSPACE, load_institution

    mine = load_institution(repository)
    assert mine.layout == CANDIDATE_REPOSITORY and mine.problems == ()
    assert mine.origins["did.json"] == str(institution / "site")  # the published site, not the repository's copy
    assert "signed institution.json" in mine.origins["frameworks"]
    assert mine.registry is not None and mine.settings.verifier_url == "https://portfolios.example.org/verify/"
    theirs = load_institution(institution)
    assert theirs.layout == WORKSPACE and theirs.origins["did.json"] == WORKSPACE
    assert set(theirs.status_lists) and all(path.is_file() for path in theirs.status_lists.values())
