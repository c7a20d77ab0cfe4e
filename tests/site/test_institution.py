"""The institution's site at the root of the build output: pages at exactly the URLs the
credentials use, frameworks as JSON, the opt-in portfolio index, no inline script."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from conftest import REPO, run_cli
from htmltree import Node, parse

BASE = "https://portfolios.example.org/"


def page(site: Path, url: str) -> Node:
    """The page a static host serves for `url` (a folder's index.html)."""
    assert url.startswith(BASE)
    path = site / unquote(url[len(BASE):]).rstrip("/") / "index.html"
    assert path.is_file(), url
    return parse(path)


def having(html: Node, attribute: str) -> list[Node]:
    return [node for node in html.iter() if attribute in node.attrs]


def test_every_achievement_id_and_alignment_target_is_a_page(built_demo: Path):
    site = built_demo / "site"
    seen = set()
    for path in built_demo.glob("candidates/*/credentials/*.json"):
        achievement = json.loads(path.read_text("utf-8"))["credentialSubject"]["achievement"]
        for url in {achievement["id"]} | {a["targetUrl"] for a in achievement.get("alignment", [])}:
            if url in seen:
                continue
            seen.add(url)
            html = page(site, url)
            if achievement.get("achievementType") == "Competency":
                assert having(html, "data-achievement-id")[0].text == url
                assert having(html, "data-item-criteria")[0].text
                assert html.find("h1").text.split()[0] == url.rsplit("/", 1)[1]
    assert len(seen) > 30


def test_framework_pages_link_every_item_and_carry_their_json(built_demo: Path):
    site = built_demo / "site"
    data = json.loads((site / "referentiels" / "c2i2e.json").read_text("utf-8"))
    items = [item for domain in data["domains"] for item in domain["items"]]
    assert len(items) == 27 and all(item["id"].startswith(f"{BASE}referentiels/c2i2e/") for item in items)
    html = page(site, f"{BASE}referentiels/c2i2e/")
    links = {a.attrs["href"] for a in html.find("main").find_all("a")}
    assert {f"{item['code']}/" for item in items} <= links
    assert "../c2i2e.json" in links
    for item in items:  # the description and criteria of the framework file, on its page
        text = page(site, item["id"]).text
        assert all(criterion in text for criterion in item["criteria"])


def test_the_home_page_lists_only_portfolios_that_opted_in(built_demo: Path):
    site = built_demo / "site"
    html = parse(site / "index.html")
    listed = {a.attrs["href"] for a in having(html, "data-pf-portfolios")[0].find_all("a")}
    opted = {p.parent.name + "/" for p in (REPO / "candidates").glob("*/candidate.yml")
             if re.search(r"^publish_in_index: true$", p.read_text("utf-8"), re.M)}
    assert listed == opted and 0 < len(opted) < 5
    assert html.find("html").attrs["lang"] == "fr" and "INSPÉ de démonstration" in html.find("h1").text
    hrefs = {a.attrs["href"] for a in html.find_all("a")}
    assert {"verify/", "referentiels/c2i2e/", ".well-known/did.json", "registry.json"} <= hrefs
    for href in {h for h in hrefs if not h.startswith("#")}:  # each link reaches a file of the output
        target = site / href
        assert target.is_file() or (target / "index.html").is_file(), href


def test_no_page_of_the_institution_runs_inline_script(built_demo: Path):
    site = built_demo / "site"
    pages = [site / "index.html", site / "verify" / "index.html", *site.glob("referentiels/**/index.html")]
    for path in pages:
        html = parse(path)
        assert all(script.attrs.get("src") and not script.text for script in html.find_all("script")), path
        assert not [a for tag in html.iter() for a in tag.attrs if a.startswith("on")], path
    config = json.loads((site / "verify" / "config.json").read_text("utf-8"))
    assert config["institution"] == "did:web:portfolios.example.org"
    assert (site / config["didDocument"]).is_file() and (site / config["registry"]).is_file()


def test_english_institution_pages(demo_workspace: Path):
    settings = (REPO / "portfolio-gen.yml").read_text("utf-8")
    (demo_workspace / "portfolio-gen.yml").write_text(settings + "language: en\n", "utf-8")
    result = run_cli("--root", str(demo_workspace), "build", "thomas-lefevre")
    assert result.returncode == 0, result.stderr
    html = parse(demo_workspace / "site" / "verify" / "index.html")
    assert html.find("html").attrs["lang"] == "en" and html.find("h1").text == "Verify a credential"


def test_candidate_sites_and_their_qr_codes_lead_to_the_institution_verifier(built_demo: Path):
    from portfolio_gen.site.credentials import qr_svg

    site = built_demo / "site" / "camille-martin"
    portfolio = f"{BASE}camille-martin/"
    link = f"{BASE}verify/?url={portfolio}"
    verify_page = parse(site / "verify" / "index.html")
    assert having(verify_page, "data-pf-institution-verifier")[0].attrs["href"] == link
    assert (site / "verify-qr.svg").read_text("utf-8") == qr_svg(link)
    credential = sorted((site / "credentials").glob("*.json"))[0]
    own = f"{BASE}verify/?url={portfolio}credentials/{credential.name}"
    page_ = parse(site / "credentials" / credential.stem / "index.html")
    assert having(page_, "data-pf-institution-verifier")[0].attrs["href"] == own
    assert (site / "credentials" / f"{credential.stem}.svg").read_text("utf-8") == qr_svg(own)


def test_the_reserved_slugs_are_every_name_the_institution_takes_at_the_root(built_demo: Path):
    """What the institution's site writes beside the candidates' sites is exactly what a
    candidate folder may not be called: a new root file must be added to the list."""
    from portfolio_gen.core.settings import load_settings, reserved_slugs

    site = built_demo / "site"
    candidates = {p.name for p in (built_demo / "candidates").iterdir() if p.is_dir()}
    taken = {p.name for p in site.iterdir()} - candidates
    assert taken and taken <= reserved_slugs(load_settings(built_demo))


def test_check_and_build_refuse_a_candidate_named_as_an_institution_folder(demo_workspace: Path):
    import shutil

    shutil.copyfile(REPO / "portfolio-gen.yml", demo_workspace / "portfolio-gen.yml")
    shutil.copytree(demo_workspace / "candidates" / "camille-martin", demo_workspace / "candidates" / "verify")
    checked = run_cli("--root", str(demo_workspace), "check")
    assert checked.returncode == 2
    assert "candidates/verify" in checked.stderr and "rename the folder" in checked.stderr
    french = run_cli("--root", str(demo_workspace), "check", lang="fr")
    assert "renommez le dossier" in french.stderr
    built = run_cli("--root", str(demo_workspace), "build")
    assert built.returncode == 2 and "candidates/verify" in built.stderr
    assert not (demo_workspace / "site").exists()  # refused before anything is written


def test_the_home_page_follows_a_candidate_opting_in_or_out(built_demo: Path, tmp_path: Path):
    """The listing is remembered per candidate.yml between builds: a change to one is seen."""
    import os
    import shutil

    root = Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))

    def listed() -> set[str]:
        result = run_cli("--root", str(root), "build")
        assert result.returncode == 0, result.stderr
        html = parse(root / "site" / "index.html")
        return {a.attrs["href"] for a in having(html, "data-pf-portfolios")[0].find_all("a")}

    before = listed()
    assert listed() == before  # the second build lists from the cache
    chosen = sorted(p for p in (root / "candidates").iterdir() if f"{p.name}/" not in before)[0]
    path = chosen / "candidate.yml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^publish_in_index: .*\n", "", text, flags=re.M) + "publish_in_index: true\n", "utf-8")
    hour_ago = path.stat().st_mtime - 3600  # as a checked-out commit: old enough to be cached
    os.utime(path, (hour_ago, hour_ago))
    assert listed() == before | {f"{chosen.name}/"}
    path.write_text(text, "utf-8")
    os.utime(path, (hour_ago - 60, hour_ago - 60))
    assert listed() == before
