"""The command line, one module per concern, assembled here into the `portfolio-gen` command.

`core` defines the group and the commands on the portfolio itself (new, check,
status, ...) with the helpers every other module uses; `site`, `credentials`,
`evaluation` (request, refuse, review), `editing` (edit), `certificates` (certificate-pdf), `results` (result, import-results), `commission`
(registry sign, certify), `steering` (report, audit), `sessions` and `workspaces` (init,
candidate repositories, demo) add their commands to it when imported. Only this module
imports them all; command modules import `core`, and `credentials` for key loading and
passphrases. Each command parses, calls one library function, and prints.
"""

# Each module registers its commands on `main` when imported.
from . import certificates, commission, credentials, editing, evaluation, results, sessions, site, steering, workspaces  # noqa: F401
from .core import main

__all__ = ["main"]
