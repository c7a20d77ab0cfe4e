"""The assembled command line: the core commands, then those defined in their own modules.

Kept apart from cli.py so that command modules can import cli's helpers without a
circular import, whatever order sections are added in.
"""

# Each module registers its commands on `main` when imported.
from . import cli_credentials, cli_site, cli_workflow  # noqa: F401
from .cli import main

__all__ = ["main"]
