"""The rendered display page of a European Digital Credential: one A4 JPEG certificate page per language.

The EDC ``displayParameter`` carries, per language, an ``individualDisplay`` whose ``displayDetail.image`` is
a ``MediaObject`` with the page as base64 JPEG (``contentEncoding`` base64, ``contentType`` JPEG), as in the
EDC sample ``Sample-MC-Annex1-unsigned.jsonld``.  :func:`render_page` draws that page from the record's texts
in one language: title, learner, awarding body(ies), date of issuing, ECTS / EQF level and the learning
outcomes.  DejaVu fonts are used when installed (they cover every EU script), else Pillow's default font.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from credentials.certificate_words import words
from credentials.microcredential import LangText, MicroCredentialRecord

PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_MARGIN = 110
_INK, _MUTED, _ACCENT, _PAPER = (28, 32, 40), (90, 98, 112), (0, 51, 153), (255, 255, 255)
_EQF = {"de": "EQR", "fr": "CEC", "es": "MEC", "it": "QEQ"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int, *, bold: bool = False) -> Font:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1: a fixed-size bitmap font
        return ImageFont.load_default()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels (long words are split)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if draw.textlength(candidate, font=font) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while draw.textlength(word, font=font) > width:  # a word wider than the page
                cut = max(1, next((n for n in range(len(word), 0, -1)
                                   if draw.textlength(word[:n], font=font) <= width), 1))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Page:
    def __init__(self) -> None:
        self.image = Image.new("RGB", PAGE_SIZE, _PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.y = _MARGIN
        self.width = PAGE_SIZE[0] - 2 * _MARGIN

    def text(self, text: str, size: int, *, bold: bool = False, fill: tuple[int, int, int] = _INK,
             center: bool = False, gap: int = 10, indent: int = 0) -> None:
        font = _font(size, bold=bold)
        bottom = PAGE_SIZE[1] - _MARGIN
        for line in _wrap(self.draw, text, font, self.width - indent):
            if self.y + size > bottom:
                return
            x = _MARGIN + indent
            if center:
                x = int((PAGE_SIZE[0] - self.draw.textlength(line, font=font)) / 2)
            self.draw.text((x, self.y), line, font=font, fill=fill)
            self.y += int(size * 1.3)
        self.y += gap

    def field(self, label: str, value: str) -> None:
        self.text(label, 22, fill=_MUTED, gap=2)
        self.text(value, 30, gap=26)

    def rule(self, gap: int = 30) -> None:
        self.draw.rectangle((_MARGIN, self.y, PAGE_SIZE[0] - _MARGIN, self.y + 3), fill=_ACCENT)
        self.y += gap


def _in(text: LangText | None, lang: str, default_lang: str) -> str:
    return LangText(text or {}).text(lang, default_lang)


def render_page(record: MicroCredentialRecord, lang: str) -> bytes:
    """The certificate page of ``record`` in ``lang`` (texts fall back to the default language) as JPEG."""
    t = record.template
    labels = words(lang)  # the same words as the learner's certificate
    page = _Page()
    border = (40, 40, PAGE_SIZE[0] - 40, PAGE_SIZE[1] - 40)
    page.draw.rectangle(border, outline=_ACCENT, width=6)
    page.text(labels["kind"].upper(), 30, bold=True, fill=_ACCENT, center=True, gap=30)
    page.text(_in(t.title, lang, t.default_language), 56, bold=True, center=True, gap=30)
    page.rule(40)
    if record.learner.name:
        page.text(labels["learner"], 24, fill=_MUTED, center=True, gap=4)
        page.text(record.learner.name, 44, bold=True, center=True, gap=40)
    bodies = "; ".join(_in(o.name, lang, t.default_language) for o in t.awarding_bodies)
    page.field(labels["awarded_by"], bodies)
    page.field(labels["issued"], record.issued.date().isoformat())
    page.field(labels["workload"], f"{t.ects} ECTS")
    if t.level.eqf is not None:
        page.field(labels["level"], f"{_EQF.get(lang, 'EQF')} {t.level.eqf}")
    elif t.level.nqf is not None:
        page.field(labels["level"], f"NQF ({t.level.nqf.country}) {t.level.nqf.level}")
    page.rule()
    page.text(labels["outcomes"], 30, bold=True, gap=16)
    for outcome in t.learning_outcomes:
        bullet_y = page.y + 12
        page.draw.ellipse((_MARGIN + 4, bullet_y, _MARGIN + 14, bullet_y + 10), fill=_ACCENT)
        page.text(_in(outcome.text, lang, t.default_language), 26, gap=12, indent=34)
    out = io.BytesIO()
    page.image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def page_base64(record: MicroCredentialRecord, lang: str) -> str:
    """:func:`render_page` as the EDC ``MediaObject.content``: plain base64 (no line breaks, no data: URL)."""
    return base64.b64encode(render_page(record, lang)).decode("ascii")
