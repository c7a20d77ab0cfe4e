"""The portfolio itself: the domain model and what reads files into it.

`model` holds plain frozen values (frameworks, candidates, entries, evidence,
validations) and knows nothing of files, MkDocs or cryptography. Around it, the readers:
`yamlfile` (YAML with the line of every key), `schemas` (JSON Schema validation),
`frameworks`, `portfolios`, `records`, `registry`, `settings` and `workspace` (files ->
model), `scaffold` (the files `init` and `new` write), and the helpers every layer uses:
`problems` (errors as located values), `i18n` (French and English messages), `files`
(atomic writes) and `publishing` (where entries and evidence live in a published site).
"""
