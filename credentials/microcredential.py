"""The EU micro-credential record: every standard element of Council Recommendation 2022/C 243/02, Annex I.

Part I (mandatory): learner identification, title, country/region of the issuer, awarding body(ies), date of
issuing, learning outcomes, notional workload (ECTS), level (EQF/NQF, if applicable), type of assessment,
form of participation, type of quality assurance.  Part II (optional): prerequisites, supervision and
identity verification, grade achieved, integration/stackability options, further information.

A :class:`MicroCredentialTemplate` holds the course-level elements an instructor configures; a
:class:`MicroCredentialRecord` adds the learner, the issuing date and the grade.  :func:`validate` lists
every problem; :func:`to_json` / :func:`from_json` move templates between instances.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from credentials import esco
from credentials.record_errors import Problem, TemplateImportError
from credentials.vocabularies import (
    COUNTRIES,
    LANGUAGES,
    AssessmentType,
    LearningSetting,
    NQFLevel,
    Participation,
    QualityAssurance,
    Stackability,
    Supervision,
)

MAX_ECTS = Decimal(999)
_SCRIPT = re.compile(r"<\s*/?\s*script|\bon[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text/html", re.I)
_MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>", re.I)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class LangText(dict[str, str]):
    """A language map (ISO 639-1 code -> text), as JSON-LD ``@language`` containers and ELM use."""

    def text(self, lang: str, default_lang: str = "en") -> str:
        return self.get(lang) or self.get(default_lang) or next(iter(self.values()), "")


@dataclass(frozen=True, slots=True)
class Organisation:
    """An awarding body / issuer profile (ELM Organisation, OB3 Profile)."""

    name: LangText
    country: str
    region: str | None = None
    url: str | None = None
    email: str | None = None
    logo_url: str | None = None
    eidas_id: str | None = None
    vat_id: str | None = None
    erasmus_code: str | None = None
    legal_id: str | None = None


@dataclass(frozen=True, slots=True)
class LearningOutcome:
    """A learning outcome statement with the ESCO skills/competences it relates to."""

    text: LangText
    esco_uris: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Level:
    """EQF level (1-8) and/or an NQF level; both None means "not applicable"."""

    eqf: int | None = None
    nqf: NQFLevel | None = None


@dataclass(frozen=True, slots=True)
class MicroCredentialTemplate:
    """The course-level Annex I elements, in the instructor's template languages."""

    title: LangText
    awarding_bodies: tuple[Organisation, ...]
    learning_outcomes: tuple[LearningOutcome, ...]
    ects: Decimal
    level: Level
    assessment: AssessmentType
    participation: Participation
    quality_assurance: QualityAssurance
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    description: LangText = field(default_factory=LangText)
    learning_setting: LearningSetting = LearningSetting.NON_FORMAL
    prerequisites: LangText | None = None
    supervision: Supervision | None = None
    stackability: Stackability | None = None
    stackable_towards: str | None = None
    further_information: LangText | None = None
    further_information_url: str | None = None
    grading: LangText | None = None
    volume_hours: int | None = None
    field_of_study: str | None = None


@dataclass(frozen=True, slots=True)
class Learner:
    """Identification of the learner: at least one of these must be present."""

    name: str | None = None
    email: str | None = None
    did: str | None = None
    student_id: str | None = None


@dataclass(frozen=True, slots=True)
class MicroCredentialRecord:
    """One awarded micro-credential: the template plus learner, date of issuing and grade achieved."""

    template: MicroCredentialTemplate
    learner: Learner
    issued: datetime
    grade: str | None = None


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)


def unsafe_text(value: str) -> str | None:
    """"script" or "markup" when the text is not plain text, else None."""
    if _SCRIPT.search(value):
        return "script"
    return "markup" if _MARKUP.search(value) else None


class _Checker:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self.problems: list[Problem] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def plain(self, path: str, value: str | None) -> None:
        kind = unsafe_text(value) if value else None
        if kind == "script":
            self.add(path, "script", "Remove the script, event handler or javascript: link; use plain text.")
        elif kind == "markup":
            self.add(path, "markup", "Remove the HTML tags; only plain text is allowed.")

    def text(self, path: str, value: LangText | None, *, required: bool, what: str) -> None:
        if not value or not any(v.strip() for v in value.values()):
            if required:
                self.add(path, "missing", f"Enter the {what}.")
            return
        for lang in self.languages:
            if not value.get(lang, "").strip():
                self.add(f"{path}.{lang}", "missing_translation", f"Translate the {what} into '{lang}'.")
        for lang, text in value.items():
            self.plain(f"{path}.{lang}", text)

    def url(self, path: str, value: str | None, what: str) -> None:
        if value is not None and not is_http_url(value):
            self.add(path, "invalid_url", f"The {what} must be a full http(s) address, e.g. https://example.org.")

    def email(self, path: str, value: str | None) -> None:
        if value is not None and not _EMAIL.match(value):
            self.add(path, "invalid_email", "Enter a valid e-mail address such as name@example.org.")

    def country(self, path: str, value: str) -> None:
        if value.upper() not in COUNTRIES:
            self.add(path, "invalid_country", f"'{value}' is not a supported country code (e.g. DE, FR).")


def _check_org(c: _Checker, path: str, org: Organisation) -> None:
    c.text(f"{path}.name", org.name, required=True, what="awarding body's name")
    c.country(f"{path}.country", org.country)
    c.plain(f"{path}.region", org.region)
    c.url(f"{path}.url", org.url, "awarding body's web address")
    c.url(f"{path}.logo_url", org.logo_url, "logo address")
    c.email(f"{path}.email", org.email)
    for name in ("eidas_id", "vat_id", "erasmus_code", "legal_id"):
        c.plain(f"{path}.{name}", getattr(org, name))


def _check_workload_and_level(c: _Checker, t: MicroCredentialTemplate) -> None:
    ects = t.ects
    if not isinstance(ects, Decimal) or not ects.is_finite() or not Decimal(0) < ects <= MAX_ECTS:
        c.add("ects", "ects_out_of_range", f"The workload must be above 0 and at most {MAX_ECTS} ECTS.")
    elif ects != ects.quantize(Decimal("0.1")):
        c.add("ects", "ects_precision", "Give ECTS credits with at most one decimal place (e.g. 2.5).")
    if t.level.eqf is not None and not (isinstance(t.level.eqf, int) and 1 <= t.level.eqf <= 8):
        c.add("level.eqf", "eqf_out_of_range", "The EQF level must be a whole number from 1 to 8.")
    nqf = t.level.nqf
    if nqf is not None:
        c.country("level.nqf.country", nqf.country)
        if not nqf.level.strip():
            c.add("level.nqf.level", "missing", "Enter the level as the national framework names it.")
        c.plain("level.nqf.level", nqf.level)
        if nqf.uri is not None and not nqf.uri.startswith("http://data.europa.eu/snb/qdr/"):
            c.add("level.nqf.uri", "invalid_uri", "The NQF level URI must come from http://data.europa.eu/snb/qdr/.")
    if t.volume_hours is not None and not 0 < t.volume_hours <= 30000:
        c.add("volume_hours", "out_of_range", "The volume of learning must be a positive number of hours.")


def _check_template(c: _Checker, t: MicroCredentialTemplate) -> None:
    if not t.languages or any(lang not in LANGUAGES for lang in t.languages):
        c.add("languages", "invalid_language", "Choose template languages among the EU ones (e.g. en, de).")
    if t.default_language not in t.languages:
        c.add("default_language", "invalid_language", "Pick the default among the template languages.")
    c.text("title", t.title, required=True, what="title")
    c.text("description", t.description, required=False, what="description")
    if not t.awarding_bodies:
        c.add("awarding_bodies", "missing", "Add at least one awarding body.")
    for i, org in enumerate(t.awarding_bodies):
        _check_org(c, f"awarding_bodies[{i}]", org)
    if not t.learning_outcomes:
        c.add("learning_outcomes", "missing", "Add at least one learning outcome.")
    for i, lo in enumerate(t.learning_outcomes):
        c.text(f"learning_outcomes[{i}].text", lo.text, required=True, what="learning outcome")
        for j, uri in enumerate(lo.esco_uris):
            if not esco.is_esco_uri(uri):
                c.add(f"learning_outcomes[{i}].esco_uris[{j}]", "invalid_esco_uri",
                      f"'{uri}' is not an ESCO skill URI (http://data.europa.eu/esco/skill/...).")
    _check_workload_and_level(c, t)
    for name, enum in (("assessment", AssessmentType), ("participation", Participation),
                       ("quality_assurance", QualityAssurance), ("learning_setting", LearningSetting)):
        if not isinstance(getattr(t, name), enum):
            c.add(name, "missing", f"Choose the {name.replace('_', ' ')}.")
    c.text("prerequisites", t.prerequisites, required=False, what="prerequisites")
    c.text("further_information", t.further_information, required=False, what="further information")
    c.text("grading", t.grading, required=False, what="grading scheme")
    c.url("stackable_towards", t.stackable_towards, "address of the credential it stacks towards")
    c.url("further_information_url", t.further_information_url, "further-information address")
    c.plain("field_of_study", t.field_of_study)


def _check_award(c: _Checker, r: MicroCredentialRecord) -> None:
    who = r.learner
    if not any((who.name, who.email, who.did, who.student_id)):
        c.add("learner", "missing", "Identify the learner by name, e-mail, DID or student number.")
    c.email("learner.email", who.email)
    c.plain("learner.name", who.name)
    if who.did is not None and not re.match(r"^did:[a-z0-9]+:\S+$", who.did):
        c.add("learner.did", "invalid_did", "A learner DID looks like did:method:identifier.")
    if r.issued.tzinfo is None:
        c.add("issued", "missing_timezone", "The date of issuing needs a time zone.")
    c.plain("grade", r.grade)


def validate(record: MicroCredentialRecord | MicroCredentialTemplate) -> list[Problem]:
    """Every missing or invalid Annex I element of a record or template (empty list = valid)."""
    template = record.template if isinstance(record, MicroCredentialRecord) else record
    checker = _Checker(tuple(template.languages))
    _check_template(checker, template)
    if isinstance(record, MicroCredentialRecord):
        _check_award(checker, record)
    return checker.problems


FORMAT = "credential-bridge/microcredential-template@1"


def _dump(value: object) -> object:
    if isinstance(value, LangText | dict):
        return dict(value)
    if hasattr(value, "__dataclass_fields__"):
        items = ((f, getattr(value, f)) for f in value.__dataclass_fields__)
        return {f: _dump(v) for f, v in items if v is not None}
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value.value if isinstance(value, StrEnum) else value


def to_json(template: MicroCredentialTemplate) -> str:
    """Export a template as versioned JSON (``"format": "credential-bridge/microcredential-template@1"``)."""
    body = _dump(template)
    return json.dumps({"format": FORMAT, "template": body}, ensure_ascii=False, indent=2, sort_keys=True)


def _fail(path: str, message: str) -> TemplateImportError:
    return TemplateImportError([Problem(path, "invalid_import", message)])


def _load(tp: Any, raw: object, path: str) -> Any:
    if get_origin(tp) in (Union, UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return None if raw is None else _load(inner[0], raw, path)
    if get_origin(tp) is tuple:
        if not isinstance(raw, list):
            raise _fail(path, "expected a list")
        return tuple(_load(get_args(tp)[0], v, f"{path}[{i}]") for i, v in enumerate(raw))
    if tp is LangText:
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise _fail(path, "expected a map of language code to text")
        return LangText(raw)
    if isinstance(tp, type) and issubclass(tp, StrEnum | IntEnum):
        enum_type: Any = tp
        try:
            return enum_type(raw)
        except ValueError:
            raise _fail(path, f"'{raw}' is not one of {[m.value for m in tp]}") from None
    if tp is Decimal:
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise _fail(path, "expected a decimal number written as a string, e.g. \"2.5\"")
        try:
            return Decimal(raw)
        except ArithmeticError:
            raise _fail(path, f"'{raw}' is not a number") from None
    if hasattr(tp, "__dataclass_fields__"):
        return _load_dataclass(tp, raw, path)
    if tp in (str, int) and type(raw) is tp:
        return raw
    raise _fail(path, f"expected {getattr(tp, '__name__', tp)}")


def _load_dataclass(tp: Any, raw: object, path: str) -> Any:
    if not isinstance(raw, dict):
        raise _fail(path, "expected an object")
    hints = get_type_hints(tp)
    unknown = set(raw) - set(hints)
    if unknown:
        raise _fail(path, f"unknown field(s): {', '.join(sorted(unknown))}")
    sub = f"{path}." if path else ""
    kwargs = {name: _load(hints[name], value, f"{sub}{name}") for name, value in raw.items()}
    try:
        return tp(**kwargs)
    except TypeError:
        missing = [f.name for f in fields(tp) if f.name not in raw and f.default is MISSING
                   and f.default_factory is MISSING]
        raise _fail(path or "template", f"missing field(s): {', '.join(missing)}") from None


def from_json(text: str) -> MicroCredentialTemplate:
    """Import a template exported by :func:`to_json`; :class:`TemplateImportError` lists the problems."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise _fail("", f"not JSON: {err.msg} at line {err.lineno}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail("format", f"expected \"format\": \"{FORMAT}\"")
    if set(doc) != {"format", "template"}:
        raise _fail("", "expected exactly the keys 'format' and 'template'")
    template: MicroCredentialTemplate = _load_dataclass(MicroCredentialTemplate, doc["template"], "")
    problems = validate(template)
    if problems:
        raise TemplateImportError(problems)
    return template
