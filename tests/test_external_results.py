"""External results counted as results, and CRCNÉ's levels told right (issue 29, part B).

Pix+Édu is certified by Pix's automated session: the institution records the level it
gives, signed by the staff member who imports it, and counts it on its own; CRCNÉ's joint
level reads the same result. The demo signs no human badge that looks like it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.institution.results import CREDENTIAL_TYPE

SLUG = "sofia-benali"
PIX_STAFF = "lea-garnier"  # the demo's staff member the registry authorises for pix-edu only


@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


def key(root: Path, name: str) -> str:
    return str(root / "keys" / f"{name}.key.pem")


def drop_pix_result(root: Path) -> None:
    for path in (root / "candidates" / SLUG / "results").glob("*.json"):
        path.unlink()


def status_row(root: Path, framework: str) -> dict:
    result = run_cli("--root", str(root), "status", SLUG, "--json")
    assert result.returncode == 0, result.stderr
    return next(row for row in json.loads(result.stdout) if row["framework"] == framework)


# --- finding 3: Pix+Édu is a result of its own --------------------------------------------

def test_a_pix_edu_result_is_recorded_for_pix_edu_itself(demo: Path):
    drop_pix_result(demo)
    recorded = run_cli("--root", str(demo), "result", SLUG, "--framework", "pix-edu", "--level", "3",
                       "--date", "2026-05-20", "--source", "Certification Pix+Édu n° P-123",
                       "--key", key(demo, PIX_STAFF))
    assert recorded.returncode == 0, recorded.stderr
    [path] = (demo / "candidates" / SLUG / "results").glob("*.json")
    result = json.loads(path.read_text("utf-8"))["credentialSubject"]["result"]
    assert (result["framework"], result["input"], result["level"]) == ("pix-edu", "pix-edu", "3")
    # Counted on its own, and as CRCNÉ's Pix+Édu input (level 3 is CRCNÉ's third, Avancé).
    assert status_row(demo, "pix-edu")["level"] == "3"
    assert status_row(demo, "crcne")["levels"]["pix-edu"] == "avance"


def test_the_commission_signs_nothing_for_a_certification_made_outside(demo: Path):
    before = set((demo / "candidates" / SLUG / "credentials").glob("*.json"))
    result = run_cli("--root", str(demo), "certify", SLUG, "--framework", "pix-edu",
                     "--key", key(demo, "institution"))
    assert result.returncode == 2 and "certified outside this tool" in result.stderr, result.stderr
    assert set((demo / "candidates" / SLUG / "credentials").glob("*.json")) == before


def test_the_demo_signs_no_badge_that_looks_like_the_automated_certification(built_demo: Path):
    """The INSPÉ trainer signed « Certification Pix+Édu – D1 … » level 2 from a
    self-positioning entry; now the Pix+Édu level is a signed external result, imported
    from Pix's export by the staff member the registry authorises."""
    signed = [json.loads(p.read_text("utf-8")) for p in (built_demo / "candidates").glob("*/credentials/*.json")]
    named = [c["credentialSubject"]["achievement"].get("name", "") for c in signed]
    about = [c["credentialSubject"]["achievement"].get("id", "") for c in signed]
    assert not [n for n in named if "Pix" in n]
    assert not [a for a in about if "pix-edu" in a]
    [path] = (built_demo / "candidates" / SLUG / "results").glob("*.json")
    result = json.loads(path.read_text("utf-8"))
    assert CREDENTIAL_TYPE in result["type"] and result["credentialSubject"]["result"]["framework"] == "pix-edu"
    registry = json.loads((built_demo / "registry.json").read_text("utf-8"))
    staff = [e for e in json.dumps(registry).split('"id": "')[1:] if e.startswith(PIX_STAFF)]
    assert staff, "the Pix+Édu results are signed by a staff member of their own"
    assert (built_demo / "imports" / "pix-edu-certifications.csv").is_file()



def certified_in_pix_edu(root: Path, tmp_path: Path) -> tuple[tuple, dict, tuple, dict]:
    """What report, status and the dashboard say of Sofia in pix-edu."""
    report = run_cli("--root", str(root), "report", "--html", str(tmp_path / "dashboard"))
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    row = next(r for r in data["rows"] if (r["candidate"], r["framework"]) == (SLUG, "pix-edu"))
    figures = json.loads((tmp_path / "dashboard" / "figures.json").read_text("utf-8"))["frameworks"]["pix-edu"]
    shutil.rmtree(tmp_path / "dashboard")
    return ((data["frameworks"]["pix-edu"]["certified"], data["frameworks"]["pix-edu"]["certified_by_level"]),
            row, (figures["certified"], figures["certified_by_level"]), status_row(root, "pix-edu"))


def test_a_signed_pix_edu_result_certifies_in_report_status_and_the_dashboard(demo: Path, tmp_path: Path):
    """Pix+Édu is certified by its signed result, never by a certificate of the commission
    (certify signs nothing for it): report, status and the dashboard count Sofia certified
    at the level of her signed result, as they count a current certificate elsewhere."""
    report, row, dashboard, status = certified_in_pix_edu(demo, tmp_path)
    assert report == (1, {"2": 1}) and (row["certified"], row["level"]) == (True, "2")
    assert dashboard == (1, [["1", 0], ["2", 1], ["3", 0], ["4", 0]])
    assert (status["award"]["kind"], status["award"]["level"]) == ("result", "2")
    assert status["award"]["file"].startswith(f"candidates/{SLUG}/results/")
    assert "certified at level 2 by a signed result" in run_cli("--root", str(demo), "status", SLUG).stdout
    # Without a signed result nothing certifies her: not an unsigned file, whatever it says.
    drop_pix_result(demo)
    (demo / "candidates" / SLUG / "results" / "pix.yml").write_text(
        "framework: pix-edu\ninput: pix-edu\nlevel: 4\ndate: 2026-05-20\nsource: typed in\n", "utf-8")
    report, row, dashboard, status = certified_in_pix_edu(demo, tmp_path)
    assert report == (0, {}) and (row["certified"], row["level"]) == (False, "")
    assert dashboard[0] == 0 and status["award"] is None

# --- finding 4: CRCNÉ's levels told right -------------------------------------------------

def progress_card(root: Path, framework: str) -> str:
    page = (root / "site" / SLUG / "index.html").read_text("utf-8")
    card = re.search(rf'<section class="pf-progress__card" data-framework="{framework}">(.*?)</section>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card.group(1)))


def test_sofias_page_shows_the_jury_pix_and_joint_levels(built_demo: Path):
    card = progress_card(built_demo, "crcne")
    assert "en attente" not in card  # her Pix+Édu result is signed and counts
    assert re.search(r"Évaluation par les enseignants .*? Initié", card)
    assert "Session de certification Pix+Édu Confirmé" in card
    assert "Niveau actuel Initié" in card
    assert "Niveau actuel Niveau 2" in progress_card(built_demo, "pix-edu")


def test_status_says_each_level_and_what_is_missing(demo: Path):
    row = status_row(demo, "crcne")
    assert row["levels"] == {"jury": "initie", "pix-edu": "confirme"} and row["level"] == "initie"
    drop_pix_result(demo)
    row = status_row(demo, "crcne")
    assert row["levels"]["pix-edu"] is None and row["missing_inputs"] == ["pix-edu"] and row["level"] is None
    said = run_cli("--root", str(demo), "status", SLUG, lang="fr").stdout
    assert "pas encore certifié, il manque : Session de certification Pix+Édu" in said


def test_certify_without_an_input_issues_nothing_unless_asked(demo: Path):
    drop_pix_result(demo)
    folder = demo / "candidates" / SLUG / "credentials"
    for path in folder.glob("*.json"):  # her certificate: the commission has not sat yet
        if "Certificate" in path.read_text("utf-8"):
            path.unlink()
    before = set(folder.glob("*.json"))
    args = ("--root", str(demo), "certify", SLUG, "--framework", "crcne", "--key", key(demo, "institution"))
    refused = run_cli(*args)
    assert refused.returncode == 2 and "missing Session de certification Pix+Édu" in refused.stderr, refused.stderr
    assert set(folder.glob("*.json")) == before
    asked = run_cli(*args, "--attestation")
    assert asked.returncode == 0 and asked.stdout.startswith("attestation"), asked.stdout + asked.stderr


# --- import-results reads Pix's certification export ---------------------------------------

def add_candidates(root: Path, count: int) -> list[tuple[str, str, str]]:
    """`count` candidates pursuing Pix+Édu: (first name, last name, e-mail); every third
    one has no e-mail Pix knows but a birth date, to be matched by name."""
    people = []
    for n in range(count):
        first, last = ("Zoé", f"Lefèvre-Dupré{n}") if n % 3 == 0 else (f"Ana{n}", f"Martin{n}")
        folder = root / "candidates" / f"pix-{n:03d}"
        folder.mkdir()
        (folder / "candidate.yml").write_text(
            f"name: {first} {last}\nrole: enseignant\ninstitution: INSPÉ\nlanguage: fr\n"
            f"frameworks:\n- id: pix-edu\nprivate:\n  email: person{n}@example.org\n  birth_date: '1990-01-{1 + n % 28:02d}'\n",
            "utf-8")
        people.append((first, last, f"person{n}@example.org"))
    return people


def test_a_pix_export_is_matched_and_every_unmatched_row_is_reported(demo: Path):
    people = add_candidates(demo, 40)
    lines = ["Numéro de certification;Prénom;Nom;Adresse e-mail;Date de naissance;Niveau;"
             "Date de passage de la certification"]
    for n, (first, last, email) in enumerate(people):
        if n % 3 == 0:  # another address: matched by name (accents and case aside) and birth date
            lines.append(f"P-{n};{first.upper()};{last.lower().replace('è', 'e')};autre{n}@example.net;"
                         f"{1 + n % 28:02d}/01/1990;2;02/04/2026")
        else:
            lines.append(f"P-{n};{first};{last};{email.upper()};;3;02/04/2026")
    unmatched = [f"P-X{n};Inconnu;Personne{n};nobody{n}@example.org;01/02/1985;1;02/04/2026" for n in range(10)]
    lines[5:5] = unmatched  # among the others, lines 6 to 15 of the file
    export = demo / "pix.csv"
    export.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli("--root", str(demo), "import-results", str(export), "--framework", "pix-edu",
                     "--key", key(demo, PIX_STAFF), lang="fr")
    assert result.returncode == 1, result.stderr
    reported = re.findall(r"pix\.csv:(\d+): erreur: aucun candidat ne correspond à Inconnu Personne\d+", result.stderr)
    assert sorted(map(int, reported)) == list(range(6, 16))
    assert "résultats enregistrés : 40 ; lignes sans candidat unique (listées ci-dessus) : 10" in result.stderr
    signed = [json.loads(p.read_text("utf-8"))["credentialSubject"]["result"]
              for p in (demo / "candidates").glob("pix-*/results/*.json")]
    assert len(signed) == 40 and {r["source"] for r in signed} == {f"Pix+Édu n° P-{n}" for n in range(40)}
    assert {r["date"] for r in signed} == {"2026-04-02"}


def test_the_slug_keyed_file_still_imports(demo: Path):
    add_candidates(demo, 2)
    export = demo / "results.csv"
    export.write_text("candidate,level,date,source\npix-000,4,2026-04-02,Session 1\npix-001,1,2026-04-02,\n", "utf-8")
    result = run_cli("--root", str(demo), "import-results", str(export), "--framework", "pix-edu",
                     "--key", key(demo, PIX_STAFF))
    assert result.returncode == 0, result.stderr
    assert status_row_of(demo, "pix-000")["level"] == "4" and status_row_of(demo, "pix-001")["level"] == "1"


def status_row_of(root: Path, slug: str) -> dict:
    result = run_cli("--root", str(root), "status", slug, "--json")
    return json.loads(result.stdout)[0]


def test_importing_the_same_export_again_signs_nothing_twice_and_a_changed_row_supersedes(demo: Path):
    """Same certification number, level and date: already recorded, nothing signed. A row
    whose level changed is signed again and supersedes the recorded result, which stops
    counting, and the command says so (the lower level is read, though both share a date)."""
    people = add_candidates(demo, 3)
    export = demo / "pix.csv"

    def write_and_import(levels: list[int]):
        export.write_text("Numéro de certification;Prénom;Nom;Adresse e-mail;Niveau;Date de passage\n" + "".join(
            f"P-{n};{first};{last};{email};{level};02/04/2026\n"
            for n, ((first, last, email), level) in enumerate(zip(people, levels))), "utf-8")
        return run_cli("--root", str(demo), "import-results", str(export), "--framework", "pix-edu",
                       "--key", key(demo, PIX_STAFF), lang="en")

    def signed(slug: str) -> list[dict]:
        return [json.loads(p.read_text("utf-8"))
                for p in sorted((demo / "candidates" / slug / "results").glob("*.json"))]

    assert write_and_import([3, 3, 3]).returncode == 0
    first = {f"pix-{n:03d}": signed(f"pix-{n:03d}") for n in range(3)}
    assert all(len(documents) == 1 for documents in first.values())

    again = write_and_import([3, 3, 3])
    assert again.returncode == 0, again.stderr
    assert "3 results already recorded as they are" in again.stderr
    assert {slug: signed(slug) for slug in first} == first  # nothing signed, nothing rewritten

    changed = write_and_import([3, 1, 3])
    assert changed.returncode == 0, changed.stderr
    assert "pix-001: Pix+Édu n° P-1 was recorded at level 3 on 2026-04-02; the export now gives level 1" \
        in changed.stderr
    assert "2 results already recorded" in changed.stderr
    old, new = sorted(signed("pix-001"), key=lambda d: d["id"] != first["pix-001"][0]["id"])
    assert new["credentialSubject"]["result"]["supersedes"] == old["id"]
    assert status_row_of(demo, "pix-001")["level"] == "1"
    assert len(signed("pix-000")) == len(signed("pix-002")) == 1
