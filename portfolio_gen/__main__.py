"""`python -m portfolio_gen` runs the command line."""

from .app import main

main()
