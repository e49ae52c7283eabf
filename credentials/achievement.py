"""Template -> Open Badges 3.0 ``Achievement`` and -> ELM 3 ``LearningAchievementSpecification``.

OB 3.0 (1EdTech, §B.1 Achievement, Alignment, Profile, ResultDescription): ``achievementType``
"MicroCredential", ``creditsAvailable`` = ECTS, ESCO skills and the EQF level as ``Alignment``s
(``targetType`` "ext:ESCOSkill" / "ext:EQFLevel": OB3's closed list has no skill or level type), the
Annex I elements OB3 lacks in our extension context (``data/contexts/bridge_mc_v1.jsonld``).
ELM 3 (edc-ap context; shapes EDC-generic-no-cv): property names follow the EDC sample ``Sample-MC-Annex1``.
"""

from __future__ import annotations

from typing import Any

from credentials import esco
from credentials.microcredential import LangText, MicroCredentialTemplate, Organisation
from credentials.vocabularies import ECTS, EQFLevel, Term, country, language, term

MC_CONTEXT_URL = "https://w3id.org/credential-bridge/mc/v1"
_IDENTIFIER_TYPES = {"eidas_id": "ext:eIDAS", "vat_id": "ext:VATIN", "erasmus_code": "ext:ErasmusCode",
                     "legal_id": "ext:LegalIdentifier"}
_QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"
Json = dict[str, Any]


def issuer_profile(org: Organisation, profile_id: str, lang: str) -> Json:
    """An OB3 ``Profile`` for an awarding body (country and region in ``address``, identifiers as entries)."""
    profile: Json = {"id": profile_id, "type": ["Profile"], "name": org.name.text(lang)}
    if org.url:
        profile["url"] = org.url
    if org.email:
        profile["email"] = org.email
    if org.logo_url:
        profile["image"] = {"id": org.logo_url, "type": "Image"}
    address: Json = {"type": ["Address"], "addressCountryCode": org.country.upper()}
    if org.region:
        address["addressRegion"] = org.region
    profile["address"] = address
    ids = [{"type": "IdentifierEntry", "identifier": getattr(org, name), "identifierType": kind}
           for name, kind in _IDENTIFIER_TYPES.items() if getattr(org, name)]
    if ids:
        profile["otherIdentifier"] = ids
    return profile


def _alignments(t: MicroCredentialTemplate) -> list[Json]:
    out: list[Json] = []
    for uri in dict.fromkeys(u for lo in t.learning_outcomes for u in lo.esco_uris):
        skill = esco.get(uri)
        out.append({"type": ["Alignment"], "targetName": skill.label(t.default_language) if skill else uri,
                    "targetUrl": uri, "targetFramework": "ESCO", "targetType": "ext:ESCOSkill"})
    if t.level.eqf is not None:
        eqf = EQFLevel(t.level.eqf).term
        out.append({"type": ["Alignment"], "targetName": f"EQF {eqf.label(t.default_language)}",
                    "targetUrl": eqf.uri, "targetCode": eqf.code, "targetType": "ext:EQFLevel",
                    "targetFramework": "European Qualifications Framework"})
    return out


def _narrative(t: MicroCredentialTemplate) -> str:
    lang = t.default_language
    lines = ["Learning outcomes:", *(f"- {lo.text.text(lang)}" for lo in t.learning_outcomes)]
    lines.append(f"Assessment: {term(t.assessment).label(lang)}.")
    if t.prerequisites:
        lines.append(f"Prerequisites: {t.prerequisites.text(lang)}")
    return "\n".join(lines)


def _multilingual(t: MicroCredentialTemplate, achievement: Json) -> None:
    if len(t.languages) > 1:
        achievement["nameLanguageMap"] = dict(t.title)
        if t.description:
            achievement["descriptionLanguageMap"] = dict(t.description)


def _annex_extensions(t: MicroCredentialTemplate, achievement: Json) -> None:
    achievement["ectsCredits"] = str(t.ects)
    achievement["assessmentType"] = term(t.assessment).uri
    achievement["participationForm"] = term(t.participation).uri
    achievement["qualityAssuranceType"] = term(t.quality_assurance).uri
    achievement["learningSetting"] = term(t.learning_setting).uri
    optional = {"supervisionType": term(t.supervision).uri if t.supervision else None,
                "stackability": term(t.stackability).uri if t.stackability else None,
                "stackableTowards": t.stackable_towards,
                "prerequisites": dict(t.prerequisites) if t.prerequisites else None,
                "furtherInformation": dict(t.further_information) if t.further_information else None,
                "furtherInformationUrl": t.further_information_url,
                "gradingScheme": dict(t.grading) if t.grading else None,
                "volumeOfLearning": f"PT{t.volume_hours}H" if t.volume_hours else None,
                "nqfLevel": t.level.nqf.level if t.level.nqf else None,
                "nqfCountry": t.level.nqf.country.upper() if t.level.nqf else None}
    achievement.update({k: v for k, v in optional.items() if v is not None})


def ob3_achievement(t: MicroCredentialTemplate, achievement_id: str, creator: Json) -> Json:
    """The OB 3.0 ``Achievement`` for a template; ``creator`` is the issuer ``Profile``."""
    lang = t.default_language
    description = t.description.text(lang) if t.description else _narrative(t).splitlines()[1][2:]
    achievement: Json = {
        "id": achievement_id, "type": ["Achievement"], "achievementType": "MicroCredential",
        "name": t.title.text(lang), "description": description, "inLanguage": lang,
        "criteria": {"narrative": _narrative(t)}, "creditsAvailable": float(t.ects), "creator": creator,
        "resultDescription": [{"id": f"{achievement_id}#grade", "type": ["ResultDescription"],
                               "name": "Grade achieved", "resultType": "Status"}],
    }
    alignments = _alignments(t)
    if alignments:
        achievement["alignment"] = alignments
    if t.field_of_study:
        achievement["fieldOfStudy"] = t.field_of_study
    _multilingual(t, achievement)
    _annex_extensions(t, achievement)
    return achievement


def concept(item: Term, lang: str = "en", *, notation: str | None = None) -> Json:
    """An ELM ``Concept`` node (id, inScheme, prefLabel) as in the EDC sample."""
    node: Json = {"id": item.uri, "type": "Concept",
                  "inScheme": {"id": item.scheme, "type": "ConceptScheme"}}
    if notation:
        node["notation"] = notation
    node["prefLabel"] = {lang: item.label(lang)}
    return node


def _note(note_id: str, text: LangText) -> Json:
    return {"id": note_id, "type": "Note", "noteLiteral": dict(text)}


def _outcome(index: int, text: LangText, uris: tuple[str, ...]) -> Json:
    node: Json = {"id": f"urn:epass:learningOutcome:{index}", "type": "LearningOutcome", "title": dict(text)}
    skills = [{"id": u, "type": "Concept", "inScheme": {"id": esco.SKILL_SCHEME, "type": "ConceptScheme"},
               "notation": "Skill", "prefLabel": {"en": s.label() if (s := esco.get(u)) else u}}
              for u in uris]
    if skills:
        node["relatedESCOSkill"] = skills
    return node


def elm_specification(t: MicroCredentialTemplate, spec_id: str = "urn:epass:learningAchievementSpec:1",
                      ) -> Json:
    """The ELM 3 ``LearningAchievementSpecification`` (edc-ap JSON-LD terms) for a template."""
    spec: Json = {"id": spec_id, "type": "LearningAchievementSpecification", "title": dict(t.title)}
    if t.description:
        spec["description"] = dict(t.description)
    outcomes = enumerate(t.learning_outcomes, 1)
    spec["learningOutcome"] = [_outcome(i, lo.text, lo.esco_uris) for i, lo in outcomes]
    spec["creditPoint"] = {"id": "urn:epass:creditPoint:1", "type": "CreditPoint",
                           "framework": concept(ECTS), "point": str(t.ects)}
    if t.level.eqf is not None:
        spec["eqfLevel"] = concept(EQFLevel(t.level.eqf).term)
    nqf = t.level.nqf
    if nqf and nqf.uri:
        spec["nqfLevel"] = {"id": nqf.uri, "type": "Concept", "prefLabel": {"en": nqf.level},
                            "inScheme": {"id": _QDR_SCHEME, "type": "ConceptScheme"}}
    spec["mode"] = concept(term(t.participation))
    spec["learningSetting"] = concept(term(t.learning_setting))
    spec["language"] = [concept(language(lang), notation="language") for lang in t.languages]
    if t.volume_hours:
        spec["volumeOfLearning"] = f"PT{t.volume_hours}H"
    if t.prerequisites:
        spec["entryRequirement"] = _note("urn:epass:note:entryRequirement", t.prerequisites)
    if t.further_information:
        spec["additionalNote"] = [_note("urn:epass:note:furtherInformation", t.further_information)]
    if t.further_information_url:
        spec["homepage"] = [{"id": "urn:epass:webResource:spec", "type": "WebResource",
                             "contentURL": t.further_information_url}]
    return spec


def elm_country(code: str) -> Json:
    """An EU country authority ``Concept`` node as ELM addresses use it."""
    return concept(country(code), notation="country")
