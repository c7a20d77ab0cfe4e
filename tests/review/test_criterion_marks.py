"""The review app's form marks each criterion where the framework assesses items per
criterion (CRCNÉ, issue 29); the item's level follows, as it does for `sign`."""

from __future__ import annotations

import json

from .conftest import SLUG, VALIDATED_ITEM, written_files
from .test_security import logged_in, request_path


def test_the_form_marks_each_criterion_and_the_credential_carries_the_marks(review_app):
    client, page, fields = logged_in(review_app)
    # CRCNÉ's I1 has two criteria: a select each, labelled in the page's language.
    assert f'name="criterion:{VALIDATED_ITEM}:I1.1"' in page and f'name="criterion:{VALIDATED_ITEM}:I1.2"' in page
    assert "Criterion I1.1:" in page and "follows from the criteria" in page
    before = written_files(review_app.root)
    marks = {f"criterion:{VALIDATED_ITEM}:I1.1": "expert", f"criterion:{VALIDATED_ITEM}:I1.2": "confirme"}
    decided = {**fields, f"action:{VALIDATED_ITEM}": "validate", **marks}

    # A level the marks contradict is refused, the marks kept in the form, nothing written.
    status, refused, _ = client.post(request_path(review_app), {**decided, f"level:{VALIDATED_ITEM}": "expert"})
    assert status == 422 and "contradicts the criteria marks" in refused
    assert '<option value="expert" selected>' in refused
    assert written_files(review_app.root) == before

    status, _, _ = client.post(request_path(review_app), {**decided, f"level:{VALIDATED_ITEM}": ""})
    assert status == 200
    [path] = written_files(review_app.root) - before
    subject = json.loads(path.read_text("utf-8"))["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["confirme", "expert", "confirme"]
    assert path.parent == review_app.root / "candidates" / SLUG / "credentials"
