"""The candidates' editor (issue 31): a local web page where a candidate writes their
portfolio (profile, entries, self-assessments), asks for evaluations, reads the decisions,
previews the site and publishes it, without editing a file by hand.

Layered like the review app, whose protections it shares (`review.web`): `documents`
(round-trip YAML: files keep their comments and key order) -> `drafts` (a form turned into
a file, checked as `check` checks it before anything is written) -> `views` (what the
pages show: the framework's tree, decisions, evaluators one may ask) -> `publishing`
(preview build, git commit and push) -> `app` (the Starlette routes and templates).
"""
