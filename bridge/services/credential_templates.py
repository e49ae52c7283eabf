"""Credential templates (versioned) and awarding-body profiles of a tenant.

Every lookup is scoped: a template id of another tenant — or of another course, unless it is a library template
of the same tenant — is "not found", so ids from forms and API calls cannot reach across courses or tenants.
Saving validates the whole Annex I record first (``credentials.microcredential.validate``) and stores nothing
when anything is wrong. The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bridge.models import AwardingBody, CredentialTemplate, TemplateVersion
from credentials import achievement
from credentials import microcredential as mc
from credentials.record_errors import Problem, TemplateImportError
from credentials.vocabularies import AssessmentType, Participation, QualityAssurance


class AwardsError(Exception):
    """Root of the errors of templates, rules and awards; ``message`` is meant for a person."""


class NotFound(AwardsError):
    pass


class InvalidInput(AwardsError):
    """Bad input; ``problems`` lists every fault (field, code, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def problem(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput([Problem(field, code, message)])


def get_template(session: Session, registration_pk: int, template_id: int,
                 course_pk: int | None = None) -> CredentialTemplate:
    """The template ``template_id`` if this tenant (and this course, or its library) owns it."""
    row = session.get(CredentialTemplate, template_id)
    if row is None or row.registration_id != registration_pk or (
            course_pk is not None and row.course_id not in (None, course_pk)):
        raise NotFound(f"There is no credential template {template_id} in this course.")
    return row


def list_templates(session: Session, registration_pk: int, course_pk: int | None) -> list[CredentialTemplate]:
    """The course's templates and the tenant's library templates (all of the tenant's when course_pk is None)."""
    query = select(CredentialTemplate).where(CredentialTemplate.registration_id == registration_pk,
                                             CredentialTemplate.archived.is_(False))
    if course_pk is not None:
        query = query.where(or_(CredentialTemplate.course_id.is_(None), CredentialTemplate.course_id == course_pk))
    return list(session.scalars(query.order_by(CredentialTemplate.id)))


def current_version(template: CredentialTemplate) -> TemplateVersion:
    return next(v for v in template.versions if v.version == template.current_version)


def load(version: TemplateVersion) -> mc.MicroCredentialTemplate:
    """The micro-credential template stored in a version."""
    return mc.from_json(version.body)


def _validated(template: mc.MicroCredentialTemplate) -> str:
    problems = mc.validate(template)
    if problems:
        raise InvalidInput(problems)
    return mc.to_json(template)


def save_template(session: Session, *, registration_pk: int, course_pk: int | None,
                  template: mc.MicroCredentialTemplate, user_pk: int | None = None,
                  existing: CredentialTemplate | None = None) -> CredentialTemplate:
    """Create a template, or add a version to ``existing`` when the content changed (unchanged: no version)."""
    body = _validated(template)
    title = mc.LangText(template.title).text(template.default_language)[:512]
    if existing is None:
        existing = CredentialTemplate(registration_id=registration_pk, course_id=course_pk, current_version=1)
        existing.versions.append(TemplateVersion(version=1, title=title, body=body, created_by=user_pk))
        session.add(existing)
    elif current_version(existing).body != body:
        number = max(v.version for v in existing.versions) + 1
        existing.versions.append(TemplateVersion(version=number, title=title, body=body, created_by=user_pk))
        existing.current_version = number
    session.flush()
    return existing


def import_template(session: Session, *, registration_pk: int, course_pk: int | None, text: str,
                    user_pk: int | None = None) -> CredentialTemplate:
    """Import a template exported by ``to_json`` (from any course, tenant or instance) as a new template."""
    try:
        template = mc.from_json(text)
    except TemplateImportError as err:
        raise InvalidInput(err.problems) from None
    return save_template(session, registration_pk=registration_pk, course_pk=course_pk, template=template,
                         user_pk=user_pk)


# Awarding bodies -----------------------------------------------------------------------------------------------

def organisation(body: AwardingBody) -> mc.Organisation:
    return mc.Organisation(name=mc.LangText(body.name), country=body.country, region=body.region, url=body.url,
                           email=body.email, logo_url=body.logo_url, eidas_id=body.eidas_id, vat_id=body.vat_id,
                           erasmus_code=body.erasmus_code)


_PROBE = mc.MicroCredentialTemplate(
    title=mc.LangText(en="probe"), awarding_bodies=(), learning_outcomes=(mc.LearningOutcome(mc.LangText(en="x")),),
    ects=Decimal(1), level=mc.Level(), assessment=AssessmentType.TESTING, participation=Participation.ONLINE,
    quality_assurance=QualityAssurance.INTERNAL)


def check_organisation(org: mc.Organisation) -> list[Problem]:
    """The problems ``validate`` finds in one awarding body (paths relative to the body)."""
    langs = tuple(org.name) or ("en",)
    probe = replace(_PROBE, awarding_bodies=(org,), languages=langs, default_language=langs[0],
                    title=mc.LangText(dict.fromkeys(langs, "probe")),
                    learning_outcomes=(mc.LearningOutcome(mc.LangText(dict.fromkeys(langs, "x"))),))
    prefix = "awarding_bodies[0]."
    return [Problem(p.field.removeprefix(prefix), p.code, p.message)
            for p in mc.validate(probe) if p.field.startswith(prefix)]


def save_awarding_body(session: Session, registration_pk: int, org: mc.Organisation,
                       existing: AwardingBody | None = None) -> AwardingBody:
    problems = check_organisation(org)
    if problems:
        raise InvalidInput(problems)
    body = existing or AwardingBody(registration_id=registration_pk)
    body.name, body.country, body.region = dict(org.name), org.country.upper(), org.region
    body.url, body.email, body.logo_url = org.url, org.email, org.logo_url
    body.eidas_id, body.vat_id, body.erasmus_code = org.eidas_id, org.vat_id, org.erasmus_code
    session.add(body)
    session.flush()
    return body


def list_awarding_bodies(session: Session, registration_pk: int) -> list[AwardingBody]:
    query = select(AwardingBody).where(AwardingBody.registration_id == registration_pk)
    return list(session.scalars(query.order_by(AwardingBody.id)))


def get_awarding_body(session: Session, registration_pk: int, body_id: int) -> AwardingBody:
    row = session.get(AwardingBody, body_id)
    if row is None or row.registration_id != registration_pk:
        raise NotFound(f"There is no awarding body {body_id} for this platform.")
    return row


# Exports ------------------------------------------------------------------------------------------------------

def achievement_id(base_url: str, template: CredentialTemplate, version: TemplateVersion) -> str:
    return f"{base_url.rstrip('/')}/api/v1/templates/{template.id}/versions/{version.version}/achievement"


def ob3_achievement(template: CredentialTemplate, version: TemplateVersion, base_url: str) -> dict[str, object]:
    """The OB 3.0 ``Achievement`` of a version; the first awarding body is its ``creator``."""
    record = load(version)
    org = record.awarding_bodies[0]
    creator = achievement.issuer_profile(org, org.url or f"{base_url.rstrip('/')}/issuers/template-{template.id}",
                                         record.default_language)
    return achievement.ob3_achievement(record, achievement_id(base_url, template, version), creator)


def elm_specification(template: CredentialTemplate, version: TemplateVersion, base_url: str) -> dict[str, object]:
    """The ELM 3 ``LearningAchievementSpecification`` of a version."""
    spec_id = f"{achievement_id(base_url, template, version).removesuffix('/achievement')}/specification"
    return achievement.elm_specification(load(version), spec_id)
