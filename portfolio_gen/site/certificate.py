"""The one-page certificate or attestation of an award (issue 32): an A4 PDF of what the
commission decided, for those who want paper.

It carries the institution's identity, the holder, the items, the decision and its session,
the date in words, a QR code leading to the institution's verifier, and the SHA-256 of the
signed JSON: the sheet is a copy, the signed file is what counts. HTML from a template
(`themes/certificate/`), laid out by WeasyPrint (its own CSS engine: no browser). WeasyPrint
is an optional extra (`pip install portfolio-gen[pdf]`: it needs the system's Pango); without
it, sites offer no PDF and `certificate-pdf` says how to install it (Pelican's way: an
optional library switches a feature off instead of crashing).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from markupsafe import Markup

from ..core import i18n
from .render import environment, themes_dir
from .sharing import Identity

if TYPE_CHECKING:
    from .credentials import CredentialView

AWARD_KINDS = frozenset({"certificate", "attestation"})
TEMPLATE = "certificate.html.j2"


class CertificateUnavailable(RuntimeError):
    """WeasyPrint cannot be imported here (not installed, or the system has no Pango)."""


def available() -> bool:
    try:
        _weasyprint()
    except CertificateUnavailable:
        return False
    return True


def certificate_html(view: CredentialView, identity: Identity, verify_url: str, language: str) -> str:
    """The sheet as HTML (autoescaped template; the QR code as inline SVG)."""
    qr = segno.make(verify_url or view.url or view.uuid, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, title=verify_url or view.url)
    logo = identity.logo.as_uri() if identity.logo is not None and identity.logo.is_file() else ""
    template = environment(themes_dir() / "certificate").get_template(TEMPLATE)
    return template.render(view=view, identity=identity, logo=logo, verify_url=verify_url or view.url,
                           qr=Markup(buffer.getvalue().decode("utf-8")), language=language,
                           stylesheet=Markup((themes_dir() / "certificate" / "certificate.css").read_text("utf-8")),
                           t=lambda key, **params: i18n.text(key, language, **params))


def certificate_pdf(view: CredentialView, identity: Identity, verify_url: str, language: str) -> bytes:
    """The sheet as an A4 PDF. Raises CertificateUnavailable without WeasyPrint."""
    weasyprint = _weasyprint()
    html = certificate_html(view, identity, verify_url, language)
    # No network: the only resources are the inline QR code and the institution's logo file
    # (WeasyPrint's own fetcher, limited to file: and data: URLs).
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)
    return weasyprint.HTML(string=html, base_url=str(themes_dir() / "certificate"), url_fetcher=fetcher).write_pdf()


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango library is missing
        raise CertificateUnavailable(str(error)) from error
    return weasyprint


def award_certificate(root: Path, candidate, frameworks, framework: str = "") -> tuple[CredentialView, bytes]:
    """The one-page PDF of `candidate`'s current award (of `framework` when they hold
    several), judged as the site build judges it: only an award that counts is printed.
    Raises InputError naming what is missing."""
    from ..core.problems import InputError, Problem
    from .credentials import publish_credentials

    folder = candidate.folder
    published = publish_credentials(root, candidate, frameworks)
    awards = [a for a in published.current_awards() if a.kind in AWARD_KINDS]
    chosen = [a for a in awards if not framework or a.code.split(":")[0] == framework]
    if not chosen:
        raise InputError([Problem("certificate.no_award", folder, None,
                                  {"slug": candidate.slug, "framework": framework or "—",
                                   "held": ", ".join(sorted({a.code for a in awards})) or "—"})])
    if len(chosen) > 1:
        raise InputError([Problem("certificate.which_framework", folder, None,
                                  {"slug": candidate.slug, "held": ", ".join(sorted({a.code for a in chosen}))})])
    view = chosen[0]
    if not view.counts:
        raise InputError([Problem("certificate.not_valid", view.source, None,
                                  {"verdict": i18n.text(view.verdict_key, candidate.language), "reason": view.reason})])
    try:
        pdf = certificate_pdf(view, published.identity, published.verify_link(view.url), candidate.language)
    except CertificateUnavailable as error:
        raise InputError([Problem("certificate.unavailable", None, None, {"detail": str(error)})]) from None
    return view, pdf
