"""portfolio-gen: digital-competence portfolios, static sites and verifiable credentials."""

__version__ = "0.1.0"
