"""The command line, one module per concern, assembled here into the `portfolio-gen` command.

`core` defines the group and the commands on the portfolio itself (init, new, check,
status, ...) with the helpers every other module uses; `site`, `credentials`, `workflow`
and `sessions` add their commands to it when imported. Only this module imports them
all; command modules import `core`, and `credentials` for key loading and passphrases.
"""

# Each module registers its commands on `main` when imported.
from . import credentials, sessions, site, workflow  # noqa: F401
from .core import main

__all__ = ["main"]
