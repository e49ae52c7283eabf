"""The printable certificate as a PDF, rendered on the server (fpdf2), with the same content as the HTML page.

Every element of the EU micro-credential (Council Recommendation 2022/C 243/02, Annex I) in one of the
template's languages, and a QR code to the public verification page. Text is set in DejaVu Sans (a TrueType font
covering the Latin, Greek and Cyrillic scripts of the EU's official languages), embedded as a subset; the fonts
are read from ``CERTIFICATE_FONT_DIR`` (Debian: ``fonts-dejavu-core``). The document carries its language and title
in its metadata (PDF 1.7 §14.9.2 ``/Lang``) so screen readers and archives know what they hold.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
INK, MUTED, ACCENT = (33, 37, 41), (90, 98, 107), (0, 51, 153)  # EU blue for headings


class FontsMissing(RuntimeError):
    """The TrueType fonts the PDF needs are not installed; ``str(err)`` tells the admin what to install."""


@dataclass(frozen=True, slots=True)
class CertificateText:
    """What the certificate says, already in its language (built by the view from the same data as the HTML)."""

    lang: str
    words: dict[str, str]
    learner: str
    title: str
    description: str
    status_warning: str
    elements: list[tuple[str, str]]
    outcomes: list[str]
    public_link: str
    credential_id: str


def font_paths(font_dir: str) -> dict[str, Path]:
    paths = {style: Path(font_dir) / name for style, name in FONTS.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FontsMissing(f"The PDF certificate needs the DejaVu Sans fonts, not found at {', '.join(missing)}. "
                           "Install them (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set "
                           "BRIDGE_CERTIFICATE_FONT_DIR; the printable page works meanwhile.")
    return paths


def _qr_png(link: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def render(text: CertificateText, font_dir: str) -> bytes:
    """The certificate as PDF bytes (A4 portrait)."""
    fonts = font_paths(font_dir)
    w = text.words
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    for style, path in fonts.items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(f"{w['heading']} · {text.title}")
    pdf.set_lang(text.lang)
    pdf.set_creator("Credential Bridge")
    pdf.add_page()

    def line(value: str, size: float, *, bold: bool = False, color: tuple[int, int, int] = INK,
             gap: float = 2.0) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, size * 0.5, value, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    line(w["kind"].upper(), 9, color=MUTED)
    line(w["heading"], 26, bold=True, color=ACCENT, gap=6)
    line(w["awarded_to"], 11, color=MUTED)
    line(text.learner, 18, bold=True)
    line(w["achieved"], 11, color=MUTED)
    line(text.title, 16, bold=True, color=ACCENT)
    if text.description:
        line(text.description, 10, color=MUTED)
    if text.status_warning:
        line(text.status_warning, 11, bold=True, color=(176, 0, 32))
    pdf.ln(2)

    pdf.set_draw_color(210, 214, 220)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(*INK)
    with pdf.table(col_widths=(52, 118), first_row_as_headings=False, text_align="LEFT",
                   line_height=5, padding=1.5, borders_layout="HORIZONTAL_LINES") as table:
        for label, value in text.elements:
            row = table.row()
            pdf.set_font("DejaVu", "B", 9.5)
            row.cell(label)
            pdf.set_font("DejaVu", "", 9.5)
            row.cell(value)
    pdf.ln(4)

    if text.outcomes:
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 7, w["outcomes"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.set_text_color(*INK)
        for outcome in text.outcomes:
            pdf.multi_cell(0, 5, f"•  {outcome}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    # The verification block stays together: a new page if the QR code would not fit.
    if pdf.get_y() > pdf.h - 18 - 40:
        pdf.add_page()
    top = pdf.get_y() + 2
    pdf.image(_qr_png(text.public_link), x=20, y=top, w=34, h=34, alt_text=f"QR code: {text.public_link}")
    pdf.set_xy(58, top)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(0, 6, w["verify"], new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.5, w["scan"], new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 4.5, text.public_link, link=text.public_link, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if text.credential_id and text.credential_id != text.public_link:
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4.5, f"{w['credential_id']}: {text.credential_id}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return bytes(pdf.output())


def certificate_text(*, held: Any, learner: Any, lang: str, words: dict[str, str], public_link: str,
                     vocabulary: Callable[[Any, str], str], country_name: Callable[[str, str], str]) -> CertificateText:
    """The words of ``learner/certificate.html``, element by element, for the PDF."""
    record = held.record
    dl = record.default_language

    def t(value: Any) -> str:
        return str(value.text(lang, dl)) if value else ""

    w = words
    bodies = []
    for o in record.awarding_bodies:
        place = country_name(o.country, lang) + (f", {o.region}" if o.region else "")
        extras = [o.url or "", f"eIDAS {o.eidas_id}" if o.eidas_id else "", f"VAT {o.vat_id}" if o.vat_id else "",
                  f"Erasmus {o.erasmus_code}" if o.erasmus_code else "", o.legal_id or ""]
        bodies.append(" · ".join([f"{t(o.name)} ({place})", *(e for e in extras if e)]))
    elements: list[tuple[str, str]] = [(w["awarded_by"], "\n".join(bodies)),
                                       (w["issued"], held.issued.issued_at.strftime("%Y-%m-%d"))]
    if held.award.valid_until:
        elements.append((w["valid_until"], held.award.valid_until.strftime("%Y-%m-%d")))
    workload = f"{record.ects} ECTS" + (f" · {record.volume_hours} {w['hours']}" if record.volume_hours else "")
    level = f"EQF {record.level.eqf}" if record.level.eqf else w["not_applicable"]
    if record.level.nqf:
        level += f" · NQF ({record.level.nqf.country}) {record.level.nqf.level}"
    elements += [(w["workload"], workload), (w["level"], level),
                 (w["assessment"], vocabulary(record.assessment, lang)),
                 (w["participation"], vocabulary(record.participation, lang)),
                 (w["quality"], vocabulary(record.quality_assurance, lang)),
                 (w["setting"], vocabulary(record.learning_setting, lang))]
    if record.field_of_study:
        elements.append((w["field"], str(record.field_of_study)))
    if record.prerequisites:
        elements.append((w["prerequisites"], t(record.prerequisites)))
    if record.supervision:
        elements.append((w["supervision"], vocabulary(record.supervision, lang)))
    if record.grading:
        elements.append((w["grade"], t(record.grading)))
    if record.stackability:
        elements.append((w["stackability"], vocabulary(record.stackability, lang)
                         + (f" · {record.stackable_towards}" if record.stackable_towards else "")))
    if record.further_information or record.further_information_url:
        elements.append((w["further"], " ".join(v for v in (t(record.further_information),
                                                             record.further_information_url or "") if v)))
    status = "" if held.award.status == "active" else f"{w['status']}: {held.award.status}"
    return CertificateText(lang=lang, words=w, learner=learner.name or learner.email or learner.sub,
                           title=t(record.title), description=t(record.description), status_warning=status,
                           elements=[(label, value) for label, value in elements if value],
                           outcomes=[t(lo.text) for lo in record.learning_outcomes],
                           public_link=public_link, credential_id=str(held.issued.credential_id or ""))
