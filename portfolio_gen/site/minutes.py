"""The minutes (procès-verbal) of a jury session as a printable, self-contained HTML page.

The page is a reading of the signed minutes credential, never a replacement: it says who
signed, when, with which key, and how to check the signature (`session verify`).
"""

from __future__ import annotations

from functools import partial

from ..core import i18n
from ..core.model import Framework
from ..core.sessions import Session
from .render import environment, themes_dir

TEMPLATE = "minutes.html.j2"


def render_minutes(session: Session, framework: Framework, *, institution: str, credential_id: str,
                   issuer: str, created: str, method: str, language: str) -> str:
    template = environment(themes_dir() / "reports").get_template(TEMPLATE)
    decided = {d.candidate for d in session.decisions}
    return template.render(
        session=session, framework=framework, institution=institution, credential_id=credential_id,
        issuer=issuer, created=created, method=method, language=language,
        names={s.candidate: s for s in session.candidates},
        undecided=[s for s in session.candidates if s.candidate not in decided],
        t=partial(_translate, language))


def _translate(language: str, key: str, **params: object) -> str:
    return i18n.text(key, language, **params)
