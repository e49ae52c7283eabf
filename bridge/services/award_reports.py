"""What instructors and learners see of awards: progress per credential, the course dashboard, CSV rows.

Read-only; evaluation uses the same pure engine as the award engine, so "what is missing" is exactly what the
engine would need to award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bridge.models import Award, AwardRule, CredentialTemplate, LmsUser, TemplateVersion
from bridge.services import award_rules as rules
from bridge.services import awards
from bridge.services.credential_templates import current_version, list_templates, load
from credentials.microcredential import MicroCredentialTemplate


@dataclass(frozen=True, slots=True)
class CredentialProgress:
    template_id: int
    title: str
    version: int
    rule: rules.Rule | None
    evaluation: rules.Evaluation | None
    award: Award | None

    @property
    def status(self) -> str:
        """awarded | revoked | suspended | pending | no_rule."""
        if self.award is not None:
            return "awarded" if self.award.status == "active" else self.award.status
        return "pending" if self.rule is not None else "no_rule"

    @property
    def missing(self) -> list[str]:
        return [c.describe() for c in self.evaluation.missing] if self.evaluation else []

    def as_json(self) -> dict[str, object]:
        ev = self.evaluation
        return {"template_id": self.template_id, "title": self.title, "version": self.version,
                "status": self.status, "met": ev.met if ev else 0, "needed": ev.needed if ev else 0,
                "missing": self.missing, "award_id": self.award.id if self.award else None}


def _progress(session: Session, template: CredentialTemplate, rule: AwardRule | None, facts: list[rules.Fact],
              held: set[str], award: Award | None) -> CredentialProgress:
    version = current_version(template)
    if award is not None:
        version = session.get_one(TemplateVersion, award.template_version_id)
    pure = awards.rule_of(rule) if rule is not None else None
    evaluation = rules.evaluate(pure, facts, held) if pure is not None else None
    return CredentialProgress(template.id, version.title, version.version, pure, evaluation, award)


def learner_progress(session: Session, registration_pk: int, course_pk: int, user_pk: int, *,
                     now: datetime) -> list[CredentialProgress]:
    """Each credential of the course that has a rule here or that the learner holds, with what is missing."""
    facts = awards.learner_facts(session, course_pk, user_pk)
    held = awards.held_templates(session, user_pk, now)
    by_template = {a.template_id: a for a in awards.awards_of(session, user_pk)}
    out = []
    for template in list_templates(session, registration_pk, course_pk):
        rule = awards.get_rule(session, template.id, course_pk)
        if rule is not None or template.id in by_template:
            out.append(_progress(session, template, rule, facts, held, by_template.get(template.id)))
    return out


@dataclass(frozen=True, slots=True)
class DashboardRow:
    user_id: int
    name: str
    cells: list[CredentialProgress]

    def cell(self, template_id: int) -> CredentialProgress | None:
        return next((c for c in self.cells if c.template_id == template_id), None)


def dashboard(session: Session, registration_pk: int, course_pk: int, *, now: datetime,
              ) -> tuple[list[CredentialTemplate], list[DashboardRow]]:
    """Learners of the course × its credentials (with a rule here, or awarded here)."""
    rows = []
    for user_pk in awards.course_learners(session, course_pk):
        user = session.get_one(LmsUser, user_pk)
        cells = learner_progress(session, registration_pk, course_pk, user_pk, now=now)
        rows.append(DashboardRow(user_pk, user.name or user.sub, cells))
    shown = {c.template_id for r in rows for c in r.cells}
    templates = [t for t in list_templates(session, registration_pk, course_pk)
                 if t.id in shown or awards.get_rule(session, t.id, course_pk) is not None]
    return templates, rows


@dataclass(frozen=True, slots=True)
class Earned:
    award: Award
    version: TemplateVersion
    record: MicroCredentialTemplate


def earned(session: Session, user_pk: int) -> list[Earned]:
    """The learner's active awards (in any course of the tenant) with the version they were given for."""
    out = []
    for award in awards.awards_of(session, user_pk):
        if award.status == "active":
            version = session.get_one(TemplateVersion, award.template_version_id)
            out.append(Earned(award, version, load(version)))
    return out


def csv_rows(templates: list[CredentialTemplate], rows: list[DashboardRow]) -> list[list[str]]:
    """Header + one row per learner × credential (status, criteria met/needed, award date)."""
    titles = {t.id: current_version(t).title for t in templates}
    out = [["learner_id", "learner", "template_id", "credential", "version", "status", "met", "needed",
            "awarded_at", "missing"]]
    for row in rows:
        for cell in row.cells:
            ev, award = cell.evaluation, cell.award
            out.append([str(row.user_id), row.name, str(cell.template_id), titles.get(cell.template_id, cell.title),
                        str(cell.version), cell.status, str(ev.met if ev else ""), str(ev.needed if ev else ""),
                        award.awarded_at.isoformat() if award else "", "; ".join(cell.missing)])
    return out
