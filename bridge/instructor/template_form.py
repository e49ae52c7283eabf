"""The credential-template form: raw form fields <-> ``MicroCredentialTemplate`` (raw fields stay here).

Texts are entered per template language (``title.de``, ``lo.0.de``); the languages are chosen by the
instructor, the launch locale being the default. Nothing here validates Annex I rules: ``parse`` only reads
types (numbers, choices) and ``credentials.microcredential.validate`` lists every remaining problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from werkzeug.datastructures import MultiDict

from bridge.models import AwardingBody
from credentials import microcredential as mc
from credentials.record_errors import Problem
from credentials.vocabularies import (
    LANGUAGES,
    AssessmentType,
    LearningSetting,
    NQFLevel,
    Participation,
    QualityAssurance,
    Stackability,
    Supervision,
)

CHOICES: dict[str, type[StrEnum]] = {
    "assessment": AssessmentType, "participation": Participation, "quality_assurance": QualityAssurance,
    "learning_setting": LearningSetting, "supervision": Supervision, "stackability": Stackability,
}
BODY_FIELDS = ("name", "country", "region", "url", "email", "logo_url", "eidas_id", "vat_id", "erasmus_code")


@dataclass
class FormState:
    """What the form shows: chosen languages, field values, and problems per field."""

    languages: list[str]
    default_language: str
    values: dict[str, str] = field(default_factory=dict)
    outcomes: int = 1
    body_ids: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def default_languages(locale: str) -> list[str]:
    lang = locale.replace("_", "-").split("-")[0].lower()
    return [lang if lang in LANGUAGES else "en"]


def state_from_form(form: MultiDict[str, str], locale: str) -> FormState:
    langs = [lang for lang in form.getlist("languages") if lang in LANGUAGES] or default_languages(locale)
    default = form.get("default_language", "")
    values = {k: v.strip() for k, v in form.items() if k not in ("languages", "csrf_token", "launch", "action")}
    outcomes = max(1, sum(1 for k in form if k.startswith("lo.") and k.endswith(".esco")))
    if form.get("action") == "add_outcome":
        outcomes += 1
    bodies = [int(b) for b in form.getlist("body_ids") if b.isdigit()]
    return FormState(langs, default if default in langs else langs[0], values, outcomes, bodies)


def state_from_template(t: mc.MicroCredentialTemplate, body_ids: list[int]) -> FormState:
    values: dict[str, str] = {}
    for lang in t.languages:
        values[f"title.{lang}"] = t.title.get(lang, "")
        values[f"description.{lang}"] = t.description.get(lang, "")
        values[f"prerequisites.{lang}"] = t.prerequisites.get(lang, "") if t.prerequisites else ""
        for i, lo in enumerate(t.learning_outcomes):
            values[f"lo.{i}.{lang}"] = lo.text.get(lang, "")
    for i, lo in enumerate(t.learning_outcomes):
        values[f"lo.{i}.esco"] = " ".join(lo.esco_uris)
    values.update({"ects": str(t.ects), "eqf": str(t.level.eqf or ""), "volume_hours": str(t.volume_hours or ""),
                   "further_information_url": t.further_information_url or "",
                   "nqf_country": t.level.nqf.country if t.level.nqf else "",
                   "nqf_level": t.level.nqf.level if t.level.nqf else ""})
    values.update({name: getattr(t, name).value if getattr(t, name) else "" for name in CHOICES})
    return FormState(list(t.languages), t.default_language, values, len(t.learning_outcomes), body_ids)


def _texts(state: FormState, prefix: str) -> mc.LangText:
    return mc.LangText({lang: state.values.get(f"{prefix}.{lang}", "") for lang in state.languages
                        if state.values.get(f"{prefix}.{lang}", "")})


def _number(state: FormState, name: str, problems: list[Problem], kind: Any) -> Any:
    raw = state.values.get(name, "")
    if not raw:
        return None
    try:
        return kind(raw.replace(",", ".") if kind is Decimal else raw)
    except (ValueError, InvalidOperation):
        problems.append(Problem(name, "not_a_number", f"'{raw}' is not a number."))
        return None


def _choice(state: FormState, name: str, problems: list[Problem]) -> Any:
    raw = state.values.get(name, "")
    if not raw:
        return None
    try:
        return CHOICES[name](raw)
    except ValueError:
        problems.append(Problem(name, "invalid_choice", "Choose one of the listed options."))
        return None


def _outcomes(state: FormState) -> tuple[mc.LearningOutcome, ...]:
    out = []
    for i in range(state.outcomes):
        text = _texts(state, f"lo.{i}")
        uris = tuple(state.values.get(f"lo.{i}.esco", "").split())
        if text or uris:
            out.append(mc.LearningOutcome(text, uris))
    return tuple(out)


def body_for_languages(org: mc.Organisation, languages: list[str]) -> mc.Organisation:
    """The organisation's name in every template language (a proper name is kept as it is)."""
    fallback = next(iter(org.name.values()), "")
    names = mc.LangText({lang: org.name.get(lang) or fallback for lang in languages})
    return mc.Organisation(names, org.country, org.region, org.url, org.email, org.logo_url, org.eidas_id,
                           org.vat_id, org.erasmus_code, org.legal_id)


def new_body(state: FormState) -> mc.Organisation | None:
    """The new awarding body typed into the form, if any."""
    raw = {f: state.values.get(f"body.{f}", "") for f in BODY_FIELDS}
    if not any(raw.values()):
        return None
    name = mc.LangText(dict.fromkeys(state.languages, raw["name"])) if raw["name"] else mc.LangText()
    return mc.Organisation(name, raw["country"].upper(), **{f: raw[f] or None for f in BODY_FIELDS[2:]})


def parse(state: FormState, bodies: list[AwardingBody],
          organisation: Any) -> tuple[mc.MicroCredentialTemplate, list[Problem]]:
    """The template the form describes and every problem: unreadable numbers/choices first, then whatever
    ``validate`` finds in the rest (a field is reported once)."""
    problems: list[Problem] = []
    ects = _number(state, "ects", problems, Decimal)
    eqf = _number(state, "eqf", problems, int)
    hours = _number(state, "volume_hours", problems, int)
    choices = {name: _choice(state, name, problems) for name in CHOICES}
    if ects is None and not any(p.field == "ects" for p in problems):
        problems.append(Problem("ects", "missing", "Enter the workload in ECTS credits (e.g. 2.5)."))
    orgs = [body_for_languages(organisation(b), state.languages) for b in bodies if b.id in state.body_ids]
    nqf = (NQFLevel(state.values.get("nqf_country", "").upper(), state.values.get("nqf_level", ""))
           if state.values.get("nqf_country") or state.values.get("nqf_level") else None)
    extra = new_body(state)
    # Unreadable values stay None here; validate() reports the missing ones without a type error.
    template = mc.MicroCredentialTemplate(
        title=_texts(state, "title"), awarding_bodies=(*orgs, *([extra] if extra else [])),
        learning_outcomes=_outcomes(state), ects=ects, level=mc.Level(eqf, nqf), assessment=choices["assessment"],
        participation=choices["participation"], quality_assurance=choices["quality_assurance"],
        languages=tuple(state.languages), default_language=state.default_language,
        description=_texts(state, "description"),
        learning_setting=choices["learning_setting"] or LearningSetting.NON_FORMAL,
        prerequisites=_texts(state, "prerequisites") or None, supervision=choices["supervision"],
        stackability=choices["stackability"], volume_hours=hours,
        further_information_url=state.values.get("further_information_url") or None)
    seen = {p.field for p in problems}
    problems += [_body_path(p, len(orgs)) for p in mc.validate(template) if p.field not in seen]
    return template, problems


def _body_path(problem: Problem, existing: int) -> Problem:
    """Problems of the awarding body typed into the form point at its fields (``body.country``)."""
    prefix = f"awarding_bodies[{existing}]."
    if problem.field.startswith(prefix):
        field_name = problem.field.removeprefix(prefix).split(".")[0]
        return Problem(f"body.{field_name}", problem.code, problem.message)
    return problem
