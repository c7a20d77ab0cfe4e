"""The institution's identity in portfolio-gen.yml (issue 32): institution.logo and
institution.colours are read, and bad values are refused by `check` with the file, the line,
what is wrong and how to fix it (exit 2), never a traceback: a logo outside the workspace
(path traversal), not an image or too large, a colour too light for white text; a missing
logo is a warning (the sites go without it)."""

from __future__ import annotations

import pytest

from conftest import run_cli
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.settings import LOCK_FILE, contrast_with_white, load_settings

SETTINGS = """\
institution:
  name: INSPÉ de test
  id: did:web:example.org
  logo: {logo}
  colours: {{primary: "{primary}", accent: "#7a1f5c"}}
site_base_url: https://example.org/
"""


def write(workspace, logo="assets/logo.svg", primary="#1f4e79"):
    (workspace / "portfolio-gen.yml").write_text(SETTINGS.format(logo=logo, primary=primary), "utf-8")


@pytest.fixture
def branded(workspace):
    (workspace / "assets").mkdir()
    (workspace / "assets" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    write(workspace)
    return workspace


def test_logo_and_colours_are_read(branded):
    institution = load_settings(branded).institution
    assert institution.logo == (branded / "assets" / "logo.svg").resolve()
    assert (institution.primary, institution.accent) == ("#1f4e79", "#7a1f5c")


@pytest.mark.parametrize("logo, primary, line, words", [
    ("../../etc/passwd.svg", "#1f4e79", 4, "mène hors de l'espace de travail"),
    ("/etc/logo.png", "#1f4e79", 4, "mène hors de l'espace de travail"),
    ("portfolio-gen.yml", "#1f4e79", 4, "n'est pas une image"),
    ("assets/logo.svg", "#ffcc00", 5, "institution.colours.primary #ffcc00 est trop claire"),
], ids=["traversal", "absolute", "not-an-image", "too-light"])
def test_check_refuses_a_bad_identity_located_and_in_french(branded, logo, primary, line, words):
    write(branded, logo, primary)
    done = run_cli("check", cwd=branded, lang="fr")
    said = done.stdout + done.stderr
    assert done.returncode == 2 and "Traceback" not in said
    assert f"portfolio-gen.yml:{line}: erreur" in said and words in said
    assert "conseil" in said  # how to fix it


def test_a_large_logo_is_refused(branded):
    (branded / "assets" / "logo.svg").write_bytes(b"<svg>" + b" " * (600 * 1024) + b"</svg>")
    with pytest.raises(InputError) as refused:
        load_settings(branded)
    assert [p.key for p in refused.value.problems] == ["settings.logo_size"]


def test_a_missing_logo_is_a_warning_and_the_sites_go_without(branded):
    """A copy of the settings alone (a candidate's repository carries them, not the logo
    file) still works: `check` warns in a cohort workspace, says nothing in a repository."""
    (branded / "assets" / "logo.svg").unlink()
    assert load_settings(branded).institution.logo is None
    done = run_cli("check", cwd=branded, lang="fr")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "avertissement" in said
    assert "institution.logo nomme « assets/logo.svg », qui n'est pas un fichier" in said
    (branded / LOCK_FILE).write_text("{}", "utf-8")
    assert "institution.logo" not in run_cli("check", cwd=branded, lang="fr").stdout


def test_contrast_with_white_is_wcags():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#1f4e79") > 4.5 > contrast_with_white("#ffcc00")
