"""The command line, one module per concern, assembled here into the `portfolio-gen` command.

`core` defines the group and the commands on the portfolio itself (new, check,
status, ...) with the helpers every other module uses; `site`, `credentials`, `workflow`,
`sessions` and `workspaces` (init, candidate repositories) add their commands to it when imported. Only this module imports them
all; command modules import `core`, and `credentials` for key loading and passphrases.
"""

# Each module registers its commands on `main` when imported.
from . import credentials, sessions, site, workflow, workspaces  # noqa: F401
from .core import main

__all__ = ["main"]
