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


# The certificate's own words, per language; others fall back to English.
_WORDS = {
    "en": {"heading": "Certificate", "kind": "EU micro-credential", "awarded_to": "This certifies that",
           "achieved": "has been awarded the micro-credential", "awarded_by": "Awarded by", "issued": "Date of issue",
           "valid_until": "Valid until", "outcomes": "Learning outcomes", "workload": "Notional workload",
           "hours": "hours", "level": "Level", "not_applicable": "Not applicable", "assessment": "Type of assessment",
           "participation": "Form of participation", "quality": "Type of quality assurance",
           "setting": "Learning setting", "prerequisites": "Prerequisites", "supervision": "Supervision and "
           "identity verification", "grade": "Grading", "stackability": "Integration and stackability",
           "further": "Further information", "field": "Field of study", "verify": "Verify this credential",
           "scan": "Scan the code or open the address to check that this credential is genuine.",
           "credential_id": "Credential", "status": "Status", "languages": "Languages"},
    "de": {"heading": "Zertifikat", "kind": "EU-Microcredential", "awarded_to": "Hiermit wird bestätigt, dass",
           "achieved": "das Microcredential erworben hat", "awarded_by": "Verliehen von", "issued": "Ausstellungsdatum",
           "valid_until": "Gültig bis", "outcomes": "Lernergebnisse", "workload": "Fiktiver Arbeitsaufwand",
           "hours": "Stunden", "level": "Niveau", "not_applicable": "Nicht zutreffend", "assessment": "Art der Prüfung",
           "participation": "Form der Teilnahme", "quality": "Art der Qualitätssicherung",
           "setting": "Lernumfeld", "prerequisites": "Voraussetzungen", "supervision": "Aufsicht und "
           "Identitätsprüfung", "grade": "Bewertung", "stackability": "Integration und Kombinierbarkeit",
           "further": "Weitere Informationen", "field": "Studienbereich", "verify": "Dieses Zertifikat prüfen",
           "scan": "Scannen Sie den Code oder öffnen Sie die Adresse, um die Echtheit zu prüfen.",
           "credential_id": "Nachweis", "status": "Status", "languages": "Sprachen"},
    "fr": {"heading": "Certificat", "kind": "Microcertification de l'UE", "awarded_to": "Nous certifions que",
           "achieved": "a obtenu la microcertification", "awarded_by": "Délivré par", "issued": "Date de délivrance",
           "valid_until": "Valable jusqu'au", "outcomes": "Acquis d'apprentissage", "workload": "Charge de travail",
           "hours": "heures", "level": "Niveau", "not_applicable": "Sans objet", "assessment": "Type d'évaluation",
           "participation": "Forme de participation", "quality": "Type d'assurance qualité",
           "setting": "Cadre d'apprentissage", "prerequisites": "Conditions préalables", "supervision": "Surveillance "
           "et vérification de l'identité", "grade": "Notation", "stackability": "Intégration et cumul",
           "further": "Informations complémentaires", "field": "Domaine d'études", "verify": "Vérifier ce certificat",
           "scan": "Scannez le code ou ouvrez l'adresse pour vérifier l'authenticité de ce certificat.",
           "credential_id": "Attestation", "status": "Statut", "languages": "Langues"},
    "nl": {"heading": "Certificaat", "kind": "EU-microcredential", "awarded_to": "Hierbij wordt verklaard dat",
           "achieved": "het microcredential heeft behaald", "awarded_by": "Uitgereikt door",
           "issued": "Datum van afgifte", "valid_until": "Geldig tot", "outcomes": "Leerresultaten",
           "workload": "Studielast", "hours": "uur",
           "level": "Niveau", "not_applicable": "Niet van toepassing", "assessment": "Soort beoordeling",
           "participation": "Vorm van deelname", "quality": "Soort kwaliteitsborging", "setting": "Leeromgeving",
           "prerequisites": "Toelatingsvoorwaarden", "supervision": "Toezicht en identiteitscontrole",
           "grade": "Beoordeling", "stackability": "Integratie en stapelbaarheid", "further": "Meer informatie",
           "field": "Studiegebied", "verify": "Dit certificaat controleren",
           "scan": "Scan de code of open het adres om te controleren of dit certificaat echt is.",
           "credential_id": "Credential", "status": "Status", "languages": "Talen"},
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def certificate_languages(record: MicroCredentialTemplate) -> list[str]:
    """The template's languages, its default language first."""
    langs = [record.default_language, *(code for code in record.languages if code != record.default_language)]
    return list(dict.fromkeys(langs))
