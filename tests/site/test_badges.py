"""Badge images (site/badges.py) and the credentials baked into them (issue 32): readable
SVGs published where the achievements' Image URLs point, baked badges linked from each
credential page that unbake to the published credential byte for byte, and `verify`
reading a baked badge as it reads the JSON."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import baking
from portfolio_gen.credentials.openbadges import validate_against_schema
from portfolio_gen.site import badges
from conftest import run_cli

SLUG = "camille-martin"
SVG_NS = "{http://www.w3.org/2000/svg}"


def frameworks(root: Path):
    return load_workspace(root).frameworks


def test_every_badge_has_a_title_real_text_and_aa_contrast(built_demo):
    for framework in frameworks(built_demo).values():
        designs = [badges.framework_badge(framework, "INSPÉ de démonstration (fictif)"),
                   *(badges.item_badge(framework, item, "INSPÉ") for item in framework.items),
                   *(badges.level_badge(framework, level, "INSPÉ") for level in framework.levels),
                   badges.award_badge(framework, "certification", "INSPÉ", "fr")]
        for badge in designs:
            root = ET.fromstring(badges.badge_svg(badge).encode("utf-8"))
            assert root.find(f"{SVG_NS}title").text == badge.title
            texts = [t.text for t in root.iter(f"{SVG_NS}text")]
            assert badge.main in texts and all(texts)
            assert badges.contrast_ratio(badges.WHITE, badge.colour) >= badges.AA_NORMAL_TEXT


def test_contrast_ratio_is_wcag_s():
    assert badges.contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert badges.contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)


def test_every_achievement_and_issuer_image_is_published_on_the_institution_site(built_demo):
    site = built_demo / "site"
    credentials = sorted((built_demo / "candidates").glob("*/credentials/*.json"))
    assert credentials
    base = "https://portfolios.example.org/"
    for path in credentials:
        credential = json.loads(path.read_text("utf-8"))
        assert validate_against_schema(credential) == [], path
        achievement = credential["credentialSubject"]["achievement"]
        issuer = credential["issuer"]
        institution = issuer.get("parentOrg", issuer)
        for image in (achievement["image"], institution["image"]):
            assert image["type"] == "Image" and image["caption"] and image["id"].startswith(base)
            published = site / image["id"][len(base):]
            assert ET.parse(published).getroot().tag == f"{SVG_NS}svg", image["id"]
        assert achievement["image"]["id"] == achievement["id"] + "/badge.svg"


def test_each_credential_page_links_its_baked_badges_which_hold_it_byte_for_byte(built_demo):
    from PIL import Image

    site = built_demo / "site" / SLUG
    sources = sorted((built_demo / "candidates" / SLUG / "credentials").glob("*.json"))
    for source in sources:
        page = (site / "credentials" / source.stem / "index.html").read_text("utf-8")
        for kind in ("png", "svg"):
            assert f'href="../{source.stem}.badge.{kind}"' in page and f'data-pf-baked="{kind}"' in page
            baked = (site / "credentials" / f"{source.stem}.badge.{kind}").read_bytes()
            assert baking.unbake(baked).encode("utf-8") == source.read_bytes()
    # A PNG reader sees a real image, and the credential in its text chunk.
    image = Image.open(site / "credentials" / f"{sources[0].stem}.badge.png")
    image.load()
    assert image.size[0] >= 256 and image.text["openbadgecredential"].encode("utf-8") == sources[0].read_bytes()


@pytest.fixture
def baked_files(built_demo, tmp_path) -> dict[str, Path]:
    """One demo credential as JSON and baked into its badge (PNG and SVG), out of the site."""
    source = sorted((built_demo / "candidates" / SLUG / "credentials").glob("*.json"))[0]
    folder = built_demo / "site" / SLUG / "credentials"
    files = {"json": source}
    for kind in ("png", "svg"):
        files[kind] = Path(shutil.copy(folder / f"{source.stem}.badge.{kind}", tmp_path / f"badge.{kind}"))
    return files


def verify(root: Path, *paths: Path, lang: str = "en"):
    # The institution's did.json too: the first credential by (random) name may be its award,
    # signed by its did:web, which verify reads only from a did.json it is given.
    return run_cli("--root", str(root), "verify", "--json", "--did-document", str(root / "did.json"),
                   *map(str, paths), lang=lang)


def test_verify_reads_a_baked_badge_as_the_json_it_holds(built_demo, baked_files):
    result = verify(built_demo, baked_files["json"], baked_files["png"], baked_files["svg"])
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = json.loads(result.stdout)
    assert [v["ok"] for v in verdicts] == [True, True, True]
    strip = [{k: v for k, v in verdict.items() if k != "file"} for verdict in verdicts]
    assert strip[0] == strip[1] == strip[2]


def test_a_tampered_baked_credential_is_invalid(built_demo, baked_files, tmp_path):
    text = baked_files["json"].read_text("utf-8")
    credential = json.loads(text)
    credential["validFrom"] = "2020-01-01T00:00:00Z"
    tampered = json.dumps(credential, indent=2, ensure_ascii=False)
    png, svg = tmp_path / "tampered.png", tmp_path / "tampered.svg"
    png.write_bytes(baking.bake_png(badges.badge_png(badges.institution_badge("X")), tampered))
    svg.write_text(baking.bake_svg(badges.badge_svg(badges.institution_badge("X")), tampered), "utf-8")
    result = verify(built_demo, png, svg)
    assert result.returncode == 1
    assert [v["ok"] for v in json.loads(result.stdout)] == [False, False]


@pytest.mark.parametrize("lang,words", [("en", "DOCTYPE"), ("fr", "DOCTYPE ou des entités")])
def test_hostile_baked_files_are_refused_cleanly(built_demo, tmp_path, lang, words):
    svg = tmp_path / "laughs.svg"
    svg.write_bytes(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
                    b'<openbadges:credential>&b;</openbadges:credential></svg>')
    result = run_cli("--root", str(built_demo), "verify", str(svg), lang=lang)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    said = result.stdout + result.stderr
    assert words in said and "laughs.svg" in said and "aaaa" not in said


@pytest.mark.parametrize("name,content,key_words", [
    ("plain.png", "plain-png", ("no credential", "aucune attestation")),
    ("broken.png", "broken-png", ("not a readable baked badge", "pas un badge lisible")),
    ("empty.svg", "empty-svg", ("no credential", "aucune attestation")),
])
def test_baked_files_without_a_readable_credential_exit_2_in_both_languages(built_demo, tmp_path, name, content,
                                                                             key_words):
    png = badges.badge_png(badges.institution_badge("X"))
    data = {"plain-png": png, "broken-png": baking.bake_png(png, "{}")[:-20],
            "empty-svg": badges.badge_svg(badges.institution_badge("X")).encode("utf-8")}[content]
    path = tmp_path / name
    path.write_bytes(data)
    for lang, words in zip(("en", "fr"), key_words):
        result = run_cli("--root", str(built_demo), "verify", str(path), lang=lang)
        said = result.stdout + result.stderr
        assert result.returncode == 2 and "Traceback" not in said and words in said and name in said, said


def test_a_huge_baked_file_is_refused(built_demo, tmp_path):
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.write(baking.PNG_SIGNATURE)
        handle.truncate(baking.MAX_FILE_BYTES + 1)
    result = run_cli("--root", str(built_demo), "verify", str(path))
    assert result.returncode == 2 and "too large" in result.stdout + result.stderr


def test_the_png_badge_is_a_real_image():
    from PIL import Image

    image = Image.open(io.BytesIO(badges.badge_png(badges.item_badge(
        *_c2i2e_item(), "INSPÉ de démonstration (fictif)"))))
    assert image.format == "PNG" and image.size == (badges.SIZE * badges.PNG_SCALE,) * 2


def _c2i2e_item():
    from portfolio_gen.core.frameworks import load_framework

    framework = load_framework(Path(__file__).resolve().parents[2] / "referentiels" / "c2i2e.yml")
    return framework, framework.items[0]
