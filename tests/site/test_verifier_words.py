"""The browser verifiers say every verdict and reason in the command line's words
(issue 28, part P): words.js reads verdicts.yml as scripts/build-verifier dumps it, and
every reason code the bundle's sources can give has its `reason.` entry there, so no page
falls back to a check's name and an English detail."""

from __future__ import annotations

import re

from conftest import REPO
from portfolio_gen.core import i18n
from test_verifier_bundle import SHIPPED, SHIPPED_PORTFOLIO

SOURCES = REPO / "verifier" / "src"
CHECKS = ("schema", "proof", "dates", "status", "evidence", "trust", "error")
# A quoted code: "proof.mismatch", 'trust.other_subject', `status.unknown`.
CODE = re.compile(r"""["'`]((?:%s)\.[a-z_]+)["'`]""" % "|".join(CHECKS))
# A failed check without a code of its own is said as `<check>.invalid`, as verify.py does.
FAILED = re.compile(r"""new Failed\(\s*["'](\w+)["']""")


def codes_in_sources() -> set[str]:
    codes = {"error.unexpected"}  # core.js's unexpected error (check "error"), said by words.js
    for source in sorted(SOURCES.glob("*.js")):
        text = source.read_text("utf-8")
        codes |= set(CODE.findall(text))
        codes |= {f"{check}.invalid" for check in FAILED.findall(text)}
    return codes


def test_every_code_the_browser_gives_has_words_in_the_catalogue():
    codes = codes_in_sources()
    # The scan sees the codes core.js gives (a failed check, a registry rule, the subject).
    assert {"proof.mismatch", "proof.invalid", "status.unknown", "trust.unregistered", "trust.other_phase",
            "trust.other_subject", "evidence.invalid", "schema.not_json"} <= codes
    missing = sorted(code for code in codes if not i18n.known("reason." + code))
    assert not missing, f"codes the browser verifiers give with no reason.<code> in verdicts.yml: {missing}"


def test_words_js_has_no_words_of_its_own():
    """The French table words.js used to hold is gone: a reason is written once, in verdicts.yml."""
    words = (SOURCES / "words.js").read_text("utf-8")
    assert 'from "../build/verdict-words.json"' in words
    assert not re.search(r"[àâçéèêëîïôûù]", words), "French words in words.js"


def test_the_shipped_bundles_carry_the_catalogues_words():
    """scripts/build-verifier dumps the verdicts' catalogue into both bundles
    (test_verifier_bundle checks they are what it builds): every verdict's word and reason,
    in every language of the catalogues."""
    words = [i18n.part(key, language) for key in i18n.catalog() if key.startswith(("verdict.", "reason."))
             for language in i18n.LANGUAGES]
    assert any("\u0600" <= char <= "\u06ff" for word in words for char in word), "no Arabic words"
    for bundle in (SHIPPED / "verifier.js", SHIPPED_PORTFOLIO / "verify-core.js"):
        text = bundle.read_text("utf-8")
        missing = [w for w in words if w not in text]
        assert not missing, f"{bundle.name}: rebuild it (bash scripts/build-verifier); missing {missing[:3]}"
