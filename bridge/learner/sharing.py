"""Downloads and sharing of a learner's issued credentials: which are theirs, file names, the LinkedIn link,
the QR code of the public page and the words of the printable certificate.

An issued credential belongs to a learner through its award: issuance records ``source="award:<id>"``
(the wallet deliveries do so), and the award names the learner.  Nothing here writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Award, IssuedCredential, TemplateVersion
from bridge.services import awards
from bridge.services.credential_templates import load
from credentials import certificate_words
from credentials.microcredential import MicroCredentialTemplate
from credentials.vocabularies import COUNTRIES, LANGUAGES, term

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
JSON_FORMATS = ("ob3-rdfc", "ob3-jcs")  # Data Integrity: the credential is a JSON document


@dataclass(frozen=True, slots=True)
class Held:
    """One issued credential of the learner, with the award and template version it was issued for."""

    issued: IssuedCredential
    award: Award
    version: TemplateVersion
    record: MicroCredentialTemplate

    @property
    def suffix(self) -> str:
        return "json" if self.issued.format in JSON_FORMATS else "jwt"

    @property
    def filename(self) -> str:
        return f"credential-{self.issued.public_id}.{self.suffix}"

    @property
    def format_label(self) -> str:
        return {"ob3-rdfc": "Open Badge 3.0, Data Integrity (eddsa-rdfc-2022)",
                "ob3-jcs": "Open Badge 3.0, Data Integrity (eddsa-jcs-2022)",
                "ob3-jwt": "Open Badge 3.0, VC-JWT", "vc-jose": "VC-JOSE (vc+jwt)"}.get(self.issued.format,
                                                                                          self.issued.format)


def _award_id(source: str) -> int | None:
    prefix, _, rest = source.partition(":")
    return int(rest) if prefix == "award" and rest.isdigit() else None


def held_credentials(session: Session, user_pk: int) -> list[Held]:
    """Every credential issued for one of the learner's awards (any status), newest first."""
    by_source = {f"award:{a.id}": a for a in awards.awards_of(session, user_pk)}
    if not by_source:
        return []
    rows = session.scalars(select(IssuedCredential).where(IssuedCredential.source.in_(list(by_source)))
                           .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc()))
    versions: dict[int, tuple[TemplateVersion, MicroCredentialTemplate]] = {}
    out = []
    for issued in rows:
        award = by_source[issued.source]
        if award.template_version_id not in versions:
            version = session.get_one(TemplateVersion, award.template_version_id)
            versions[version.id] = (version, load(version))
        out.append(Held(issued, award, *versions[award.template_version_id]))
    return out


def held_credential(session: Session, user_pk: int, public_id: str) -> Held | None:
    """The learner's issued credential with this public id, or None when it is not theirs (or does not exist)."""
    issued = session.scalars(select(IssuedCredential).where(IssuedCredential.public_id == public_id)).first()
    award_id = _award_id(issued.source) if issued is not None else None
    award = session.get(Award, award_id) if award_id is not None else None
    if issued is None or award is None or award.user_id != user_pk:
        return None
    version = session.get_one(TemplateVersion, award.template_version_id)
    return Held(issued, award, version, load(version))


def qr_svg_data_uri(link: str) -> str:
    """An SVG data URI of the QR code for ``link`` (sharp in print; the CSP allows ``img-src data:``)."""
    return str(segno.make(link, error="m").svg_data_uri(scale=4, border=4))


def linkedin_url(held: Held, public_url: str, lang: str) -> str:
    """LinkedIn's "Add to profile" (certification) link, pre-filled with the credential's facts."""
    record, issued_at = held.record, held.issued.issued_at
    body = record.awarding_bodies[0].name.text(lang, record.default_language) if record.awarding_bodies else ""
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME", "name": record.title.text(lang, record.default_language),
        "organizationName": body, "issueYear": issued_at.year, "issueMonth": issued_at.month}
    valid_until: datetime | None = held.award.valid_until
    if valid_until is not None:
        params.update(expirationYear=valid_until.year, expirationMonth=valid_until.month)
    params.update(certUrl=public_url, certId=held.issued.public_id)
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def language_name(code: str) -> str:
    """The language's name in itself where we know it (en, de, fr, nl), else in English."""
    found = LANGUAGES.get(code)
    return found.label(code) if found else code


def country_name(code: str, lang: str) -> str:
    found = COUNTRIES.get(code.upper())
    return found.label(lang) if found else code


def vocabulary(value: StrEnum | None, lang: str) -> str:
    return term(value).label(lang) if value is not None else ""


def words(lang: str) -> dict[str, str]:
    return certificate_words.words(lang)


def certificate_languages(record: MicroCredentialTemplate) -> list[str]:
    """The template's languages, its default language first."""
    langs = [record.default_language, *(code for code in record.languages if code != record.default_language)]
    return list(dict.fromkeys(langs))
