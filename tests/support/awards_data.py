"""Test data for credential templates and awards: a tenant with a course and learners, a valid template."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from bridge.models import Course, Deployment, LmsUser, Membership, Registration
from credentials.microcredential import LangText, LearningOutcome, Level, MicroCredentialTemplate, Organisation
from credentials.vocabularies import AssessmentType, Participation, QualityAssurance

SKILL = "http://data.europa.eu/esco/skill/7dd94ad3-13d6-43fe-8b94-51fcbf67ced9"


def sample_template(**changes: object) -> MicroCredentialTemplate:
    body = Organisation(name=LangText(en="University of Zed"), country="IE", region="Dublin",
                        url="https://uniz.example", email="info@uniz.example", eidas_id="IE/EIDAS/1")
    template = MicroCredentialTemplate(
        title=LangText(en="Critical thinking online"), description=LangText(en="A short course."),
        awarding_bodies=(body,), learning_outcomes=(LearningOutcome(LangText(en="Evaluate sources"), (SKILL,)),),
        ects=Decimal("2.5"), level=Level(eqf=6), assessment=AssessmentType.TESTING,
        participation=Participation.ONLINE, quality_assurance=QualityAssurance.INTERNAL)
    return dataclasses.replace(template, **changes)  # type: ignore[arg-type]


@dataclass
class Tenant:
    registration: Registration
    course: Course
    learners: list[LmsUser]


def make_tenant(session: Session, name: str = "t1", learners: int = 2) -> Tenant:
    reg = Registration(issuer=f"https://{name}.example", client_id=f"client-{name}", auth_login_url="https://x/l",
                       auth_token_url="https://x/t", key_set_url="https://x/k")
    dep = Deployment(deployment_id="d1")
    reg.deployments.append(dep)
    session.add(reg)
    session.flush()
    course = Course(registration_id=reg.id, deployment_pk=dep.id, context_id=f"ctx-{name}", title=f"Course {name}")
    users = [LmsUser(registration_id=reg.id, sub=f"{name}-learner-{i}", name=f"Learner {i}")
             for i in range(learners)]
    session.add_all([course, *users])
    session.flush()
    session.add_all([Membership(course_id=course.id, user_id=u.id, roles=["Learner"]) for u in users])
    session.flush()
    return Tenant(reg, course, users)
