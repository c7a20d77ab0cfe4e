"""The command line, one module per concern, assembled here into the `portfolio-gen` command.

`core` defines the group and the commands on the portfolio itself (init, new, check,
status, ...) with the helpers every other module uses; `site`, `credentials` and
`workflow` and `sessions` add their commands to it when imported. Only this module imports them all,
so command modules never import each other beyond `core`.
"""

# Each module registers its commands on `main` when imported.
from . import credentials, sessions, site, workflow  # noqa: F401
from .core import main

__all__ = ["main"]
