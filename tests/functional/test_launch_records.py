"""Recording launches: first launches create rows, returning launches update only what changed, routing facts.

``record_launch`` reads a returning launch with one joined statement and writes with Core statements; these
tests pin what it stores on both database backends (LTI 1.3 Core §5.3.6: names and e-mails are optional).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.models import (
    Course,
    Deployment,
    LaunchSession,
    LmsUser,
    Membership,
    Registration,
    ResourceLink,
    ScormActivity,
    ScormPackage,
)
from bridge.services.launches import AGS, NRPS, C, load_context, record_launch

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _registry(session: Session) -> tuple[Registration, Deployment]:
    registration = Registration(issuer="https://lms.example", client_id="c-1", auth_login_url="https://lms.example/a",
                                auth_token_url="https://lms.example/t", key_set_url="https://lms.example/k")
    session.add(registration)
    session.flush()
    deployment = Deployment(registration_id=registration.id, deployment_id="d-1")
    session.add(deployment)
    session.commit()
    return registration, deployment


def _body(sub: str, *, roles: list[str], link: str | None = "rl-1", context: str | None = "course-1",
          claims: dict[str, Any] | None = None, **person: str) -> dict[str, Any]:
    body: dict[str, Any] = {"sub": sub, C + "roles": roles, C + "message_type": "LtiResourceLinkRequest",
                            C + "launch_presentation": {"locale": "de"}, **person, **(claims or {})}
    if context:
        body[C + "context"] = {"id": context, "title": "Statistics 101", "label": "STAT101"}
    if link:
        body[C + "resource_link"] = {"id": link, "title": "Week 1"}
    return body


def _record(session: Session, registration: Registration, deployment: Deployment, body: dict[str, Any]) -> Any:
    return record_launch(session, registration=registration, deployment=deployment, body=body, state="s",
                         verified=True, ttl=600)


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_first_and_returning_launches(app: Flask) -> None:
    with app.extensions["bridge"].db.session() as session:
        registration, deployment = _registry(session)
        ags = {"lineitems": "https://lms.example/li", "lineitem": "https://lms.example/li/1",
               "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]}
        first = _record(session, registration, deployment,
                        _body("u-1", roles=[LEARNER], name="Ada Lovelace", email="ada@example.org", claims={AGS: ags}))
        context = first.context
        assert (context.user_id, context.context_id, context.course_title, context.resource_link_id,
                context.locale, context.deployment_id) == ("u-1", "course-1", "Statistics 101", "rl-1", "de", "d-1")
        assert first.scorm_activity_pk is None
        user = session.get(LmsUser, context.user_pk)
        assert user is not None and (user.name, user.email) == ("Ada Lovelace", "ada@example.org")
        course = session.get(Course, context.course_pk)
        assert course is not None and course.lineitems_url == "https://lms.example/li"
        assert course.ags_scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
        link = session.scalars(select(ResourceLink)).one()
        assert (link.title, link.lineitem_url) == ("Week 1", "https://lms.example/li/1")
        stamp = user.updated_at

        # Returning, same claims: nothing new, nothing updated; a second launch session.
        again = _record(session, registration, deployment, _body("u-1", roles=[LEARNER], name="Ada Lovelace"))
        session.expire_all()
        assert again.context.user_pk == context.user_pk and again.context.course_pk == context.course_pk
        assert [_count(session, m) for m in (LmsUser, Course, Membership, ResourceLink, LaunchSession)] == \
            [1, 1, 1, 1, 2]
        user = session.get(LmsUser, context.user_pk)
        assert user is not None and user.updated_at == stamp and user.email == "ada@example.org"

        # Returning with changes: the new name, roles and NRPS endpoint are stored.
        _record(session, registration, deployment,
                _body("u-1", roles=[INSTRUCTOR], name="Ada King",
                      claims={NRPS: {"context_memberships_url": "https://lms.example/m"}}))
        session.expire_all()
        user = session.get(LmsUser, context.user_pk)
        course = session.get(Course, context.course_pk)
        membership = session.scalars(select(Membership)).one()
        assert user is not None and user.name == "Ada King"
        assert course is not None and course.memberships_url == "https://lms.example/m"
        assert course.lineitems_url == "https://lms.example/li"  # kept when a launch does not repeat it
        assert membership.roles == [INSTRUCTOR]


def test_new_user_in_a_known_course_finds_the_scorm_activity(app: Flask) -> None:
    with app.extensions["bridge"].db.session() as session:
        registration, deployment = _registry(session)
        first = _record(session, registration, deployment, _body("teacher", roles=[INSTRUCTOR]))
        link = session.scalars(select(ResourceLink)).one()
        package = ScormPackage(registration_id=registration.id, course_id=first.context.course_pk, title="Golf",
                               version="1.2", storage_path="golf-test")
        session.add(package)
        session.flush()
        activity = ScormActivity(resource_link_pk=link.id, package_id=package.id)
        session.add(activity)
        session.commit()

        # A learner's first launch: the returning-launch query misses (new user), the link exists.
        learner = _record(session, registration, deployment, _body("learner", roles=[LEARNER]))
        assert learner.scorm_activity_pk == activity.id
        assert learner.context.course_pk == first.context.course_pk
        # And the learner's next launch gets it from the joined query.
        assert _record(session, registration, deployment, _body("learner", roles=[LEARNER])).scorm_activity_pk \
            == activity.id
        # Another link in the same course plays nothing.
        assert _record(session, registration, deployment,
                       _body("learner", roles=[LEARNER], link="rl-2")).scorm_activity_pk is None
        assert _count(session, ResourceLink) == 2 and _count(session, Membership) == 2


def test_launch_without_context_or_personal_data(app: Flask) -> None:
    with app.extensions["bridge"].db.session() as session:
        registration, deployment = _registry(session)
        recorded = _record(session, registration, deployment, _body("anon", roles=[], link=None, context=None))
        assert recorded.context.course_pk is None and recorded.context.resource_link_id is None
        user = session.get(LmsUser, recorded.context.user_pk)
        assert user is not None and (user.name, user.email, user.given_name) == (None, None, None)
        assert _count(session, Course) == 0
        loaded = load_context(session, recorded.context.launch_id)
        assert loaded == recorded.context
