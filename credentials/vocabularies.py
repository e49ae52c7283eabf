"""Controlled vocabularies for the EU micro-credential elements.

Council Recommendation 2022/C 243/02, Annex I lists the elements; ELM 3 / EDC expresses them with EU
controlled vocabularies (http://data.europa.eu/snb/..., http://publications.europa.eu/resource/authority/...)
as used in the EDC sample ``Sample-MC-Annex1`` and the EDC-generic SHACL shapes.  Where the EU publishes no
concept for an Annex I option (assessment types, most supervision options, quality assurance), the concept
lives in our extension namespace :data:`EXT` and ``Term.eu`` is False: we never invent EU URIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

EXT = "https://w3id.org/credential-bridge/mc#"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
MODE_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
SETTING_SCHEME = "http://data.europa.eu/snb/learning-setting/25831c2"
SUPERVISION_SCHEME = "http://data.europa.eu/snb/supervision-verification/25831c2"
CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
ECTS_URI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
LABEL_LANGUAGES = ("en", "de", "fr", "nl")


@dataclass(frozen=True, slots=True)
class Term:
    """One concept: its URI, the scheme it belongs to and labels per language."""

    code: str
    uri: str
    scheme: str
    labels: Mapping[str, str]
    eu: bool = True

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels["en"]


def _t(code: str, uri: str, scheme: str, en: str, de: str, fr: str, nl: str, *, eu: bool = True) -> Term:
    return Term(code, uri, scheme, {"en": en, "de": de, "fr": fr, "nl": nl}, eu)


class EQFLevel(IntEnum):
    """European Qualifications Framework levels 1-8 (http://data.europa.eu/snb/eqf/N)."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4
    L5 = 5
    L6 = 6
    L7 = 7
    L8 = 8

    @property
    def term(self) -> Term:
        n = int(self)
        return _t(str(n), f"http://data.europa.eu/snb/eqf/{n}", EQF_SCHEME,
                  f"Level {n}", f"Niveau {n}", f"Niveau {n}", f"Niveau {n}")


@dataclass(frozen=True, slots=True)
class NQFLevel:
    """A national qualifications framework level: ISO 3166 alpha-2 country and the level as the NQF names it.

    ``uri`` is the QDR concept (http://data.europa.eu/snb/qdr/...) when the instructor knows it.
    """

    country: str
    level: str
    uri: str | None = None


class AssessmentType(StrEnum):
    """Annex I "type of assessment": testing, application of a skill, portfolio, prior learning."""

    TESTING = "testing"
    APPLICATION_OF_SKILL = "application-of-skill"
    PORTFOLIO = "portfolio"
    RECOGNITION_OF_PRIOR_LEARNING = "recognition-of-prior-learning"


class Participation(StrEnum):
    """Annex I "form of participation"; online/onsite/blended map to the ELM mode of learning vocabulary."""

    ONLINE = "online"
    ONSITE = "onsite"
    BLENDED = "blended"


class QualityAssurance(StrEnum):
    """Annex I "type of quality assurance used to underpin the micro-credential"."""

    INTERNAL = "internal"
    EXTERNAL = "external"
    ACCREDITED = "accredited"


class Supervision(StrEnum):
    """Annex I optional "supervision and identity verification during assessment"."""

    UNSUPERVISED_NO_ID = "unsupervised-no-id"
    SUPERVISED_NO_ID = "supervised-no-id"
    SUPERVISED_ONLINE_ID = "supervised-online-id"
    ONSITE_ID = "onsite-id"


class LearningSetting(StrEnum):
    """ELM learning setting (formal / non-formal)."""

    FORMAL = "formal"
    NON_FORMAL = "non-formal"


class Stackability(StrEnum):
    """Annex I optional "integration/stackability options"."""

    STANDALONE = "standalone"
    STACKABLE = "stackable"


_SNB = "http://data.europa.eu/snb/"
# enum value | concept URI ("#x" = our extension EXT + "x") | scheme ("#x" likewise) | en | de | fr | nl
_ANNEX_TERMS = """\
testing|#assessment-testing|#assessment|Testing|Prüfung|Examen|Toetsing
application-of-skill|#assessment-application-of-skill|#assessment|Application of a skill|\
Anwendung einer Fertigkeit|Mise en pratique d'une compétence|Toepassing van een vaardigheid
portfolio|#assessment-portfolio|#assessment|Portfolio|Portfolio|Portfolio|Portfolio
recognition-of-prior-learning|#assessment-rpl|#assessment|Recognition of prior learning|\
Anerkennung früher erworbener Kompetenzen|Validation des acquis de l'expérience|\
Erkenning van eerder verworven competenties
online|learning-assessment/920fbb3cbe|learning-assessment/25831c2|Online|Online|En ligne|Online
onsite|learning-assessment/9191af2ed9|learning-assessment/25831c2|Presential|Präsenz|Présentiel|Fysiek
blended|learning-assessment/e92d221e4d|learning-assessment/25831c2|Blended|Gemischt|Hybride|Gemengd
internal|#qa-internal|#quality-assurance|Internal quality assurance|Interne Qualitätssicherung|\
Assurance qualité interne|Interne kwaliteitszorg
external|#qa-external|#quality-assurance|External quality assurance|Externe Qualitätssicherung|\
Assurance qualité externe|Externe kwaliteitszorg
accredited|#qa-accredited|#quality-assurance|Accredited by a recognised body|\
Von einer anerkannten Stelle akkreditiert|Accrédité par un organisme reconnu|\
Geaccrediteerd door een erkende instantie
unsupervised-no-id|supervision-verification/c598449d64|supervision-verification/25831c2|\
Unsupervised without ID verification|Unbeaufsichtigt ohne Identitätsprüfung|\
Non surveillé sans vérification d'identité|Zonder toezicht en zonder identiteitscontrole
supervised-no-id|#supervised-no-id|supervision-verification/25831c2|Supervised without ID verification|\
Beaufsichtigt ohne Identitätsprüfung|Surveillé sans vérification d'identité|\
Met toezicht zonder identiteitscontrole
supervised-online-id|#supervised-online-id|supervision-verification/25831c2|\
Supervised online with ID verification|Online beaufsichtigt mit Identitätsprüfung|\
Surveillé en ligne avec vérification d'identité|Online toezicht met identiteitscontrole
onsite-id|#onsite-id|supervision-verification/25831c2|Supervised onsite with ID verification|\
Vor Ort beaufsichtigt mit Identitätsprüfung|Surveillé sur place avec vérification d'identité|\
Ter plaatse toezicht met identiteitscontrole
formal|learning-setting/6fd4685715|learning-setting/25831c2|formal learning|formales Lernen|\
apprentissage formel|formeel leren
non-formal|learning-setting/e207a81fc7|learning-setting/25831c2|non-formal learning|nicht-formales Lernen|\
apprentissage non formel|non-formeel leren
standalone|#standalone|#stackability|Stand-alone, independent micro-credential|Eigenständiger Mikronachweis|\
Micro-certification autonome|Zelfstandige microcredential
stackable|#stackable|#stackability|Integrated, stackable towards another credential|\
Integriert, auf einen weiteren Nachweis anrechenbar|Intégrée, cumulable vers une autre certification|\
Stapelbaar naar een andere kwalificatie"""


def _iri(ref: str) -> str:
    return EXT + ref[1:] if ref.startswith("#") else _SNB + ref


def _annex_terms() -> dict[StrEnum, Term]:
    members: dict[str, StrEnum] = {
        m.value: m
        for enum in (AssessmentType, Participation, QualityAssurance, Supervision, LearningSetting,
                     Stackability)
        for m in enum
    }
    out: dict[StrEnum, Term] = {}
    for line in _ANNEX_TERMS.splitlines():
        code, uri, scheme, en, de, fr, nl = line.split("|")
        out[members[code]] = _t(code, _iri(uri), _iri(scheme), en, de, fr, nl, eu=not uri.startswith("#"))
    return out


TERMS: Mapping[StrEnum, Term] = _annex_terms()
ECTS = _t("ects", ECTS_URI, CREDIT_SCHEME, "European Credit Transfer System", "ECTS-Leistungspunkte",
          "Système européen de transfert et d'accumulation de crédits", "Europees studiepuntensysteem")


def term(value: StrEnum) -> Term:
    """The concept behind an enum member of this module."""
    return TERMS[value]


# ISO 639-1 | EU language authority code | en | de | fr | nl  (the 24 official EU languages)
_LANGUAGES = """\
bg|BUL|Bulgarian|Bulgarisch|bulgare|Bulgaars
cs|CES|Czech|Tschechisch|tchèque|Tsjechisch
da|DAN|Danish|Dänisch|danois|Deens
de|DEU|German|Deutsch|allemand|Duits
el|ELL|Greek|Griechisch|grec|Grieks
en|ENG|English|Englisch|anglais|Engels
es|SPA|Spanish|Spanisch|espagnol|Spaans
et|EST|Estonian|Estnisch|estonien|Estisch
fi|FIN|Finnish|Finnisch|finnois|Fins
fr|FRA|French|Französisch|français|Frans
ga|GLE|Irish|Irisch|irlandais|Iers
hr|HRV|Croatian|Kroatisch|croate|Kroatisch
hu|HUN|Hungarian|Ungarisch|hongrois|Hongaars
it|ITA|Italian|Italienisch|italien|Italiaans
lt|LIT|Lithuanian|Litauisch|lituanien|Litouws
lv|LAV|Latvian|Lettisch|letton|Lets
mt|MLT|Maltese|Maltesisch|maltais|Maltees
nl|NLD|Dutch|Niederländisch|néerlandais|Nederlands
pl|POL|Polish|Polnisch|polonais|Pools
pt|POR|Portuguese|Portugiesisch|portugais|Portugees
ro|RON|Romanian|Rumänisch|roumain|Roemeens
sk|SLK|Slovak|Slowakisch|slovaque|Slowaaks
sl|SLV|Slovenian|Slowenisch|slovène|Sloveens
sv|SWE|Swedish|Schwedisch|suédois|Zweeds"""

# ISO 3166-1 alpha-2 | EU country authority code | en | de | fr | nl  (EU, EEA, CH, UK)
_COUNTRIES = """\
AT|AUT|Austria|Österreich|Autriche|Oostenrijk
BE|BEL|Belgium|Belgien|Belgique|België
BG|BGR|Bulgaria|Bulgarien|Bulgarie|Bulgarije
CH|CHE|Switzerland|Schweiz|Suisse|Zwitserland
CY|CYP|Cyprus|Zypern|Chypre|Cyprus
CZ|CZE|Czechia|Tschechien|Tchéquie|Tsjechië
DE|DEU|Germany|Deutschland|Allemagne|Duitsland
DK|DNK|Denmark|Dänemark|Danemark|Denemarken
EE|EST|Estonia|Estland|Estonie|Estland
ES|ESP|Spain|Spanien|Espagne|Spanje
FI|FIN|Finland|Finnland|Finlande|Finland
FR|FRA|France|Frankreich|France|Frankrijk
GB|GBR|United Kingdom|Vereinigtes Königreich|Royaume-Uni|Verenigd Koninkrijk
GR|GRC|Greece|Griechenland|Grèce|Griekenland
HR|HRV|Croatia|Kroatien|Croatie|Kroatië
HU|HUN|Hungary|Ungarn|Hongrie|Hongarije
IE|IRL|Ireland|Irland|Irlande|Ierland
IS|ISL|Iceland|Island|Islande|IJsland
IT|ITA|Italy|Italien|Italie|Italië
LI|LIE|Liechtenstein|Liechtenstein|Liechtenstein|Liechtenstein
LT|LTU|Lithuania|Litauen|Lituanie|Litouwen
LU|LUX|Luxembourg|Luxemburg|Luxembourg|Luxemburg
LV|LVA|Latvia|Lettland|Lettonie|Letland
MT|MLT|Malta|Malta|Malte|Malta
NL|NLD|Netherlands|Niederlande|Pays-Bas|Nederland
NO|NOR|Norway|Norwegen|Norvège|Noorwegen
PL|POL|Poland|Polen|Pologne|Polen
PT|PRT|Portugal|Portugal|Portugal|Portugal
RO|ROU|Romania|Rumänien|Roumanie|Roemenië
SE|SWE|Sweden|Schweden|Suède|Zweden
SI|SVN|Slovenia|Slowenien|Slovénie|Slovenië
SK|SVK|Slovakia|Slowakei|Slovaquie|Slowakije"""


def _table(text: str, scheme: str) -> Mapping[str, Term]:
    rows = (line.split("|") for line in text.splitlines())
    return {code: _t(code, f"{scheme}/{eu}", scheme, en, de, fr, nl) for code, eu, en, de, fr, nl in rows}


LANGUAGES: Mapping[str, Term] = _table(_LANGUAGES, LANGUAGE_SCHEME)
"""ISO 639-1 code -> EU language authority concept (http://publications.europa.eu/resource/authority/language/XXX)."""
COUNTRIES: Mapping[str, Term] = _table(_COUNTRIES, COUNTRY_SCHEME)
"""ISO 3166-1 alpha-2 code -> EU country authority concept (http://publications.europa.eu/resource/authority/country/XXX)."""
_BY_URI = {t.uri: t for t in (*LANGUAGES.values(), *COUNTRIES.values(), *TERMS.values())}


def language(code: str) -> Term:
    """The EU language concept for an ISO 639-1 code (``KeyError`` if it is not an EU language)."""
    return LANGUAGES[code.lower()]


def country(code: str) -> Term:
    """The EU country concept for an ISO 3166-1 alpha-2 code (``KeyError`` if unknown)."""
    return COUNTRIES[code.upper()]


def by_uri(uri: str) -> Term | None:
    """Reverse lookup of a language, country or Annex I concept by its URI."""
    return _BY_URI.get(uri)
