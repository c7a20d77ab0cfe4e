"""portfolio-gen: digital-competence portfolios, static sites and verifiable credentials.

The folders are the layers, and imports only go down (tests/test_layers.py checks it):

- `core/`: the domain model and the readers that turn files into it, with located problems;
- `decisions/`: certification rules, self-assessment diagnostics, the review queue, reports;
- `credentials/`: Open Badges 3.0 credentials, layered as the standards are;
- `site/`: the per-candidate MkDocs sites;
- `cli/`: the command line, one module per concern; `demo` plays the whole process.
"""

__version__ = "0.1.0"
