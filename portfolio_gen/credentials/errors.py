"""The credential layer's one error base: a message key and parameters, like `core.problems.Problem`.

Every error the standards stack raises (key files, DIDs, documents, status lists, proofs)
is a `CredentialsError`, so a caller can tell the cases apart by `key` and put them into
words in the user's language (the catalogue's `key`, filled with `params`) without ever
reading the English message, which stays for logs and older callers.
"""

from __future__ import annotations


class CredentialsError(Exception):
    """`key`: a catalogue key naming the case (the class's own unless given); `params`:
    its parameters, the English `detail` among them."""

    key = "credential.error"

    def __init__(self, detail: str = "", *, key: str | None = None, **params: object):
        super().__init__(detail or key or self.key)
        if key is not None:
            self.key = key
        self.params = {"detail": detail, **params}
