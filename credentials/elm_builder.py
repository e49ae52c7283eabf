"""Award -> unsigned European Digital Credential (ELM 3 JSON-LD on the VC 1.1 + edc-ap contexts).

The structure mirrors the EDC sample ``Sample-MC-Annex1-unsigned.jsonld`` (european-commission-empl/
European-Learning-Model): ``credentialProfiles`` Generic, ``displayParameter`` with one ``individualDisplay``
per language, ``credentialSubject`` Person with ``hasClaim`` LearningAchievement (``awardedBy``
AwardingProcess, ``provenBy`` LearningAssessment, ``specifiedBy`` the LearningAchievementSpecification)
and an Organisation
issuer.  Constraints: EDC-generic-no-cv SHACL shapes (validated with pyshacl by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass

from credentials.achievement import Json, concept, elm_country, elm_specification
from credentials.edc_display import page_base64
from credentials.microcredential import MicroCredentialRecord, Organisation, validate
from credentials.record_errors import InvalidRecord
from credentials.vocabularies import language, term

CONTEXTS = ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap"]
GENERIC_PROFILE = {"id": "http://data.europa.eu/snb/credential/e34929035b", "type": "Concept",
                   "inScheme": {"id": "http://data.europa.eu/snb/credential/25831c2",
                                "type": "ConceptScheme"},
                   "prefLabel": {"en": "Generic"}}
SCHEMA = {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}


@dataclass(frozen=True, slots=True)
class ElmOptions:
    """Identifiers and pre-rendered display pages (language, base64 JPEG); missing ones are rendered here."""

    credential_id: str
    rendered_pages: tuple[tuple[str, str], ...] = ()


def organisation(org: Organisation, org_id: str, lang: str) -> Json:
    """An ELM ``Organisation`` (legalName, location/address country, identifiers, homepage, contact)."""
    node: Json = {"id": org_id, "type": "Organisation", "legalName": dict(org.name),
                  "location": {"id": f"{org_id}:location", "type": "Location",
                               "address": {"id": f"{org_id}:address", "type": "Address",
                                           "countryCode": elm_country(org.country)}}}
    if org.region:
        node["location"]["address"]["fullAddress"] = {"id": f"{org_id}:note:address", "type": "Note",
                                                      "noteLiteral": {lang: org.region}}
    # The EDC shapes require exactly one eIDAS legal identifier on the issuer: without an eIDAS one, the
    # national registration number (else the VAT number) is the organisation's legal identifier.
    eidas = org.eidas_id or org.legal_id or org.vat_id
    for key, value, elm_name in (("registration", org.legal_id, "registration"),
                                 ("vat", org.vat_id, "vatIdentifier"),
                                 ("eidas", eidas, "eIDASIdentifier")):
        if value:
            node[elm_name] = {"id": f"{org_id}:legalIdentifier:{key}", "type": "LegalIdentifier",
                              "spatial": elm_country(org.country), "notation": value}
    if org.erasmus_code:
        node["identifier"] = {"id": f"{org_id}:identifier:erasmus", "type": "Identifier",
                              "schemeName": "Erasmus code", "notation": org.erasmus_code}
    if org.url:
        node["homepage"] = {"id": f"{org_id}:webResource", "type": "WebResource", "contentURL": org.url}
    if org.email:
        node["contactPoint"] = {"id": f"{org_id}:contactPoint", "type": "ContactPoint",
                                "emailAddress": {"id": f"mailto:{org.email}", "type": "Mailbox"}}
    return node


def _concept(uri: str, scheme: str, label: str, notation: str | None = None) -> Json:
    node: Json = {"id": uri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    if notation:
        node["notation"] = notation
    node["prefLabel"] = {"en": label}
    return node


_JPEG = _concept("http://publications.europa.eu/resource/authority/file-type/JPEG",
                 "http://publications.europa.eu/resource/authority/file-type", "JPEG", "file-type")
_BASE64 = _concept("http://data.europa.eu/snb/encoding/6146cde7dd", "http://data.europa.eu/snb/encoding/25831c2",
                   "base64")


def _individual(i: int, lang: str, page: str) -> Json:
    image = {"id": f"urn:epass:mediaObject:{i}", "type": "MediaObject", "content": page,
             "contentEncoding": _BASE64, "contentType": _JPEG}
    return {"id": f"urn:epass:individualDisplay:{i}", "type": "IndividualDisplay",
            "displayDetail": {"id": f"urn:epass:displayDetail:{i}", "type": "DisplayDetail", "image": image,
                              "page": 1},
            "language": concept(language(lang), notation="language")}


def _display(record: MicroCredentialRecord, opts: ElmOptions) -> Json:
    t = record.template
    pages = dict(opts.rendered_pages)
    # The shapes require a rendered page per language: the certificate page drawn from the record's texts.
    displays = [_individual(i, lang, pages.get(lang) or page_base64(record, lang))
                for i, lang in enumerate(t.languages, 1)]
    return {"id": "urn:epass:displayParameter:1", "type": "DisplayParameter",
            "individualDisplay": displays if len(displays) > 1 else displays[0],
            "primaryLanguage": concept(language(t.default_language), notation="language"),
            "language": [concept(language(lang), notation="language") for lang in t.languages],
            "title": dict(t.title)}


def _subject(record: MicroCredentialRecord, issuer: Json) -> Json:
    t, who = record.template, record.learner
    subject: Json = {"id": "urn:epass:person:1", "type": "Person"}
    if who.email:
        subject["contactPoint"] = {"id": "urn:epass:contactPoint:learner", "type": "ContactPoint",
                                   "emailAddress": {"id": f"mailto:{who.email}", "type": "Mailbox"}}
    if who.name:
        subject["fullName"] = {t.default_language: who.name}
    identifiers = [{"id": f"urn:epass:identifier:learner:{i}", "type": "Identifier", "schemeName": scheme,
                    "notation": value}
                   for i, (scheme, value) in enumerate((("Student number", who.student_id), ("DID", who.did)), 1)
                   if value]
    if identifiers:
        subject["identifier"] = identifiers if len(identifiers) > 1 else identifiers[0]
    awarding: Json = {"id": "urn:epass:awardingProcess:1", "type": "AwardingProcess", "awardingBody": issuer,
                "awardingDate": record.issued.isoformat().replace("+00:00", "Z")}
    if len(t.awarding_bodies) > 1:
        awarding["awardingBody"] = [issuer, *(organisation(o, f"urn:epass:org:{i}", t.default_language)
                                              for i, o in enumerate(t.awarding_bodies[1:], 2))]
    assessment: Json = {"id": "urn:epass:learningAssessment:1", "type": "LearningAssessment",
                        "title": dict(t.title), "awardedBy": awarding}
    if record.grade:
        assessment["grade"] = {"id": "urn:epass:note:grade", "type": "Note",
                               "noteLiteral": {t.default_language: record.grade}}
    if t.supervision:
        assessment["idVerification"] = concept(term(t.supervision))
    subject["hasClaim"] = {"id": "urn:epass:learningAchievement:1", "type": "LearningAchievement",
                           "title": dict(t.title), "awardedBy": awarding, "provenBy": assessment,
                           "specifiedBy": elm_specification(t)}
    return subject


def build_elm(record: MicroCredentialRecord, opts: ElmOptions) -> Json:
    """The unsigned ELM 3 ``EuropeanDigitalCredential``; :class:`InvalidRecord` on any Annex I fault."""
    problems = validate(record)
    if problems:
        raise InvalidRecord(problems)
    t = record.template
    issuer = organisation(t.awarding_bodies[0], "urn:epass:org:1", t.default_language)
    issued = record.issued.isoformat().replace("+00:00", "Z")
    return {"id": opts.credential_id, "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
            "credentialProfiles": GENERIC_PROFILE, "displayParameter": _display(record, opts),
            "credentialSchema": SCHEMA, "credentialSubject": _subject(record, issuer), "issuer": issuer,
            "issued": issued, "validFrom": issued, "@context": list(CONTEXTS)}
