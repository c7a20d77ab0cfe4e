"""The assembled command line: the core commands, then those defined in their own modules.

Kept apart from cli.py so that command modules can import cli's helpers without a
circular import, whatever order sections are added in.
"""

from . import cli_workflow  # noqa: F401  (registers its commands on `main`)
from .cli import main

__all__ = ["main"]
