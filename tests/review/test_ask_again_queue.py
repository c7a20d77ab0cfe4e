"""The review app's queue after "improve and ask again" (issue 31): the item refused is back
for the evaluator who refused it, once, with that refusal and its comment beside it."""

from __future__ import annotations

import json

from conftest import run_cli
from portfolio_gen.credentials.keys import load_private_key
from portfolio_gen.review.app import ReviewApp
from portfolio_gen.review.queue import Filters, build_queue
from portfolio_gen.review.session import open_session

from .conftest import ENTRY, EVALUATOR, REFUSED_ITEM, SLUG, VALIDATED_ITEM


def test_the_queue_shows_an_item_asked_again_with_the_refusal_beside_it(review_workspace):
    root = review_workspace
    key = load_private_key(root / "keys" / f"{EVALUATOR}.key.pem", None)
    session = open_session(root, EVALUATOR, key, "fr")
    refused = run_cli("--root", str(root), "refuse", SLUG, ENTRY, REFUSED_ITEM, "--evaluator", EVALUATOR,
                      "--comment", "Il manque la grille remplie")
    assert refused.returncode == 0, refused.stderr
    waiting = [ref for group in build_queue(session, Filters()).groups for row in group.rows for ref in row.items]
    assert REFUSED_ITEM not in waiting  # refused: decided, until the candidate asks again

    for _ in range(2):  # asked again twice: one line
        again = run_cli("--root", str(root), "request", SLUG, ENTRY, "--evaluator", EVALUATOR, "--item", REFUSED_ITEM)
        assert again.returncode == 0, again.stderr
    queue = build_queue(session, Filters())
    rows = [row for group in queue.groups for row in group.rows if REFUSED_ITEM in row.items]
    assert len(rows) == 1 and [ref for ref, _ in rows[0].refused_before] == [REFUSED_ITEM]
    assert rows[0].refused_before[0][1].comment == "Il manque la grille remplie"
    html = ReviewApp(session).page("queue.html", queue=queue).body.decode("utf-8")
    assert f'data-refused-before="{REFUSED_ITEM}"' in html
    assert "Redemandé après votre refus du" in html and "Il manque la grille remplie" in html

    # Her next decision counts without --reconsider, and status stops calling the item refused.
    signed = run_cli("--root", str(root), "sign", SLUG, ENTRY, REFUSED_ITEM, "--key",
                     str(root / "keys" / f"{EVALUATOR}.key.pem"), "--evaluator-name", "Marie Dupont",
                     "--level", "Confirmé")
    assert signed.returncode == 0, signed.stderr
    status = json.loads(run_cli("--root", str(root), "status", SLUG, "--json").stdout)
    assert [row["refused"] for row in status] == [[]]
    # A refusal reconsidered without a new request stays on record, but once a counted
    # credential validates the item, status no longer lists it as refused.
    other = run_cli("--root", str(root), "refuse", SLUG, ENTRY, VALIDATED_ITEM, "--evaluator", EVALUATOR,
                    "--comment", "Pas encore")
    assert other.returncode == 0, other.stderr
    status = json.loads(run_cli("--root", str(root), "status", SLUG, "--json").stdout)
    assert [[r["item"] for r in row["refused"]] for row in status] == [[VALIDATED_ITEM]]
    reconsidered = run_cli("--root", str(root), "sign", SLUG, ENTRY, VALIDATED_ITEM, "--key",
                           str(root / "keys" / f"{EVALUATOR}.key.pem"), "--evaluator-name", "Marie Dupont",
                           "--level", "avance", "--reconsider")
    assert reconsidered.returncode == 0, reconsidered.stderr
    status = json.loads(run_cli("--root", str(root), "status", SLUG, "--json").stdout)
    assert [row["refused"] for row in status] == [[]]
    assert REFUSED_ITEM not in [ref for group in build_queue(session, Filters()).groups
                                for row in group.rows for ref in row.items]
