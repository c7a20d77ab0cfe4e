"""The evaluators' review app: one evaluator's queue, read and decided in a local web page.

Layered like the rest: `session` (who reviews, checked before anything is served) ->
`queue` (what waits, as view values) and `decide` (a batch of decisions, through the
same library calls as `sign` and `refuse`) -> `gitrepo` (what a batch wrote, and its
commit) -> `app` (the Starlette routes, tokens and templates) -> `server` (uvicorn on
loopback only).
"""
