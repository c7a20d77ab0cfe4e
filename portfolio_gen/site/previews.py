"""Pages only the candidate's own preview (`portfolio-gen serve`) shows, never a built site.

The requests page tells a candidate what waits for whom and what was refused, with the
evaluator's comment, so they know what to improve: every refusal, asked for or not. It is work in progress, not a part
of the published portfolio, so `build` never plans it.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ..core import i18n
from ..core.model import Framework, Validation, title_in
from ..decisions.workflow import request_states
from .structure import Page, SiteStructure

REQUESTS_URI = "requests.md"


def add_requests_page(site: SiteStructure, frameworks: Mapping[str, Framework],
                      validations: Iterable[Validation]) -> None:
    candidate = site.candidate
    states = request_states(candidate, list(validations))
    entries = {entry.slug: entry.title for entry in candidate.entries}
    titles = {f"{framework.id}:{item.code}": title_in(item, site.language)
              for framework in frameworks.values() for item in framework.items}
    refusals = sorted(candidate.refusals, key=lambda r: r.date, reverse=True)
    site.previews.append(Page(REQUESTS_URI, i18n.text("site.requests.title", site.language), "requests.md.j2",
                              {"states": states, "entries": entries, "titles": titles, "refusals": refusals},
                              candidate.folder))
