"""The review app's commits are written in the session's language (issue 30): a French
evaluator's history read « Review by … validated … » before."""

from __future__ import annotations

from types import SimpleNamespace

from portfolio_gen.review.gitrepo import commit_message


def _written():
    decisions = [SimpleNamespace(ref="c2i2e:B2.3", level="", comment=""),
                 SimpleNamespace(ref="crcne:I1.2", level="confirme", comment=""),
                 SimpleNamespace(ref="c2i2e:B3.1", level="", comment=" Ajoutez une trace. ")]
    batch = SimpleNamespace(candidate="elise-durand", entry="2026-01-15-sig", decisions=decisions)
    return SimpleNamespace(batch=batch, validated=[("c2i2e:B2.3", None), ("crcne:I1.2", None)],
                           refused=[("c2i2e:B3.1", None)])


def test_a_french_session_commits_in_french():
    message = commit_message(_written(), "Marie Dupont", "marie-dupont", "fr")
    assert message.splitlines() == ["Évaluation par Marie Dupont (marie-dupont) : elise-durand, 2026-01-15-sig", "",
                                    "- validé : c2i2e:B2.3", "- validé : crcne:I1.2, au niveau confirme",
                                    "- refusé : c2i2e:B3.1 : Ajoutez une trace."]


def test_an_english_session_keeps_its_words():
    assert commit_message(_written(), "Marie Dupont", "marie-dupont", "en").startswith(
        "Review by Marie Dupont (marie-dupont): elise-durand, 2026-01-15-sig\n\n- validated c2i2e:B2.3\n"
        "- validated crcne:I1.2 at level confirme\n")
