"""Badge images: one per framework, item, award and level, and the institution's own.

Drawn from the framework's data (its id, the item's code, the level's title) and the
institution's name, in a colour derived from the framework's id, so that every badge of a
framework shares one colour and nothing needs configuring. Every word is real SVG
`<text>` (searchable, read aloud, never an outline) with a `<title>`, white on a colour
darkened until the pair reaches WCAG AA's 4.5:1 for normal text (issue 32).

The institution's site publishes the SVGs where the achievements resolve (`Settings.*_image`);
a candidate's site bakes its credentials into the same design (`credentials.baking`), as
SVG and as PNG (drawn with Pillow: no SVG rasteriser is needed).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from ..core import i18n
from ..core.model import Framework, Item, Level
from ..core.settings import AA_NORMAL_TEXT, WHITE, contrast_ratio
from ..credentials import baking

SIZE = 256
FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif"
PNG_SCALE = 2  # the PNG is drawn at twice the SVG's size, sharp on high-density screens


@dataclass(frozen=True)
class Badge:
    """What a badge shows: a title (for assistive technology and the Image's caption),
    a small line at the top, the main text, up to two lines at the bottom, its colour."""

    title: str
    top: str
    main: str
    bottom: tuple[str, ...]
    colour: str


def framework_colour(framework_id: str) -> str:
    """A colour of the framework's own (a hue from its id), dark enough for white text."""
    hue = int.from_bytes(hashlib.sha256(framework_id.encode("utf-8")).digest()[:2], "big") / 65536
    lightness = 0.42
    while True:
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.65)
        colour = "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))
        if contrast_ratio(WHITE, colour) >= AA_NORMAL_TEXT + 0.5 or lightness <= 0.1:
            return colour
        lightness -= 0.02


# --- what each badge says ------------------------------------------------------------------

def _lines(text: str, width: int = 24, count: int = 2) -> tuple[str, ...]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][:width - 1].rstrip() + "…"
    return tuple(lines)


def framework_badge(framework: Framework, institution: str) -> Badge:
    return Badge(f"{framework.title} · {institution}", institution, framework.id, _lines(framework.title),
                 framework_colour(framework.id))


def item_badge(framework: Framework, item: Item, institution: str) -> Badge:
    return Badge(f"{framework.title} — {item.code} {item.title} · {institution}", framework.id, item.code,
                 _lines(institution), framework_colour(framework.id))


def award_badge(framework: Framework, award: str, institution: str, language: str) -> Badge:
    """The commission's certificate or attestation (`award`: an AWARD_CODES code)."""
    kind = i18n.text("site.credential.kind." + ("certificate" if award == "certification" else "attestation"),
                     language)
    return Badge(f"{framework.title} — {kind} · {institution}", kind, framework.id, _lines(institution),
                 framework_colour(framework.id))


def level_badge(framework: Framework, level: Level, institution: str) -> Badge:
    return Badge(f"{framework.title} — {level.code} {level.title} · {institution}", framework.id, level.code,
                 _lines(level.title), framework_colour(framework.id))


def institution_badge(name: str) -> Badge:
    words = name.replace("-", " ").split() or ["?"]
    # Its acronym when it starts with one (INSPÉ, IUFM), else its initials.
    main = words[0] if len(words[0]) <= 8 and words[0].isupper() else "".join(w[0] for w in words if w[:1].isupper())[:4]
    return Badge(name, "", main or words[0][:4], _lines(name, 24, 2), "#1f3a5f")


def credential_badge(frameworks: dict[str, Framework], code: str, kind: str, institution: str,
                     language: str) -> Badge | None:
    """The badge of what a credential awards (`code`: its humanCode), None when unknown."""
    framework_id, _, item_code = code.partition(":")
    framework = frameworks.get(framework_id)
    if framework is None:
        return None
    if kind in ("certificate", "attestation"):
        return award_badge(framework, "certification" if kind == "certificate" else "attestation", institution,
                           language)
    item = framework.item_by_code.get(item_code)
    return item_badge(framework, item, institution) if item is not None else None


# --- drawing ---------------------------------------------------------------------------------

def _main_size(text: str) -> int:
    return max(18, min(64, int(300 / max(len(text), 1))))


def badge_svg(badge: Badge) -> str:
    """A standalone SVG: a disc in the badge's colour, a white ring, white text."""
    centre = SIZE // 2
    bottom = "".join(f'<text x="{centre}" y="{176 + 20 * i}" font-size="16">{escape(line)}</text>'
                     for i, line in enumerate(badge.bottom))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-labelledby="badge-title">'
        f'<title id="badge-title">{escape(badge.title)}</title>'
        f'<circle cx="{centre}" cy="{centre}" r="126" fill="{badge.colour}"/>'
        f'<circle cx="{centre}" cy="{centre}" r="114" fill="none" stroke="{WHITE}" stroke-width="3"/>'
        f'<g fill="{WHITE}" font-family="{escape(FONT_FAMILY)}" font-weight="bold" text-anchor="middle">'
        f'<text x="{centre}" y="78" font-size="16">{escape(badge.top)}</text>'
        f'<text x="{centre}" y="{centre + _main_size(badge.main) // 3}" font-size="{_main_size(badge.main)}">'
        f'{escape(badge.main)}</text>'
        f'{bottom}</g></svg>\n'
    )


# Drawn once per badge in a worker process: every credential of the same item or award
# bakes the same image (about 30 ms each with Pillow), across all the candidates it builds.
@lru_cache(maxsize=512)
def badge_png(badge: Badge) -> bytes:
    """The same design as a PNG (the default font Pillow ships), for sites and wallets that
    take no SVG."""
    from PIL import Image, ImageDraw, ImageFont

    scale, centre = PNG_SCALE, SIZE * PNG_SCALE // 2
    image = Image.new("RGBA", (SIZE * scale, SIZE * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([centre - 126 * scale, centre - 126 * scale, centre + 126 * scale, centre + 126 * scale],
                 fill=badge.colour)
    draw.ellipse([centre - 114 * scale, centre - 114 * scale, centre + 114 * scale, centre + 114 * scale],
                 outline=WHITE, width=3 * scale)

    def text(y: int, value: str, size: int) -> None:
        font = ImageFont.load_default(size=size * scale)
        draw.text((centre, y * scale), value, fill=WHITE, font=font, anchor="ms")

    text(78, badge.top, 16)
    text(SIZE // 2 + _main_size(badge.main) // 3, badge.main, _main_size(badge.main))
    for index, line in enumerate(badge.bottom):
        text(176 + 20 * index, line, 16)
    buffer = io.BytesIO()
    # zlib's default level: optimize=True made each badge 10% smaller (17.8 KB against
    # 19.6 KB) for 52 ms against 9 ms of saving, a third of a demo build's drawing.
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def baked_badge(uri: str, badge: Badge, credential: bytes) -> bytes | str:
    """The credential (its published bytes) baked into `badge`, as a PNG or an SVG by `uri`."""
    text = credential.decode("utf-8")
    if uri.endswith(".png"):
        return baking.bake_png(badge_png(badge), text)
    return baking.bake_svg(badge_svg(badge), text)
