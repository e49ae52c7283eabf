"""Recording a validated launch: course, user, membership, resource link, service endpoints, session.

Names and e-mails are stored only when the platform sent them (LTI 1.3 Core §5.3.6: they are optional).
The course's AGS and NRPS endpoints are remembered so scheduled jobs can call them with no one present.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bridge.lti.context import LaunchContext
from bridge.models import Course, Deployment, LaunchSession, LmsUser, Membership, Registration, ResourceLink
from bridge.models.base import utcnow

C = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
KEPT_CLAIMS = ("custom", "launch_presentation", "tool_platform", "target_link_uri")


def _get_or_add(session: Session, model: Any, lookup: Mapping[str, Any], found: Any = None) -> Any:
    if found is not None:
        return found
    row = session.scalars(select(model).filter_by(**lookup)).first()
    if row is None:
        row = model(**lookup)
        session.add(row)
        session.flush()
    return row


def _assign(row: Any, **values: Any) -> None:
    # Only real changes: no UPDATE (and no new updated_at) when a returning launch says the same thing.
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _known_rows(session: Session, registration: Registration, deployment: Deployment, sub: str,
                context_id: str | None, resource_link_id: str | None) -> tuple[Any, Any, Any, Any]:
    """User, course, membership and resource link of a returning launch in ONE query (None where new)."""
    course_on = and_(Course.registration_id == registration.id, Course.deployment_pk == deployment.id,
                     Course.context_id == (context_id or ""))
    query = (
        select(LmsUser, Course, Membership, ResourceLink)
        .select_from(LmsUser)
        .outerjoin(Course, course_on)
        .outerjoin(Membership, and_(Membership.course_id == Course.id, Membership.user_id == LmsUser.id))
        .outerjoin(ResourceLink, and_(ResourceLink.course_id == Course.id,
                                      ResourceLink.resource_link_id == (resource_link_id or "")))
        .where(LmsUser.registration_id == registration.id, LmsUser.sub == sub)
    )
    row = session.execute(query).first()
    return tuple(row) if row is not None else (None, None, None, None)  # type: ignore[return-value]


def _upsert_user(session: Session, registration: Registration, body: Mapping[str, Any], found: Any) -> LmsUser:
    user: LmsUser = _get_or_add(session, LmsUser, {"registration_id": registration.id, "sub": str(body["sub"])},
                                found)
    _assign(user, **{f: str(body[f])[:320] for f in ("name", "given_name", "family_name", "email") if body.get(f)})
    return user


def _upsert_course(session: Session, registration: Registration, deployment: Deployment,
                   body: Mapping[str, Any], found: Any) -> Course | None:
    context = body.get(C + "context") or {}
    if not context.get("id"):
        return None
    course: Course = _get_or_add(session, Course, {"registration_id": registration.id,
                                                   "deployment_pk": deployment.id, "context_id": str(context["id"])},
                                 found)
    values: dict[str, Any] = {"title": str(context.get("title") or course.title or "")[:512],
                              "label": str(context.get("label") or course.label or "")[:255]}
    ags = body.get(AGS) or {}
    if ags.get("lineitems"):
        values.update(lineitems_url=ags["lineitems"], ags_scopes=sorted(set(ags.get("scope") or [])))
    nrps = body.get(NRPS) or {}
    if nrps.get("context_memberships_url"):
        values["memberships_url"] = nrps["context_memberships_url"]
    _assign(course, **values)
    return course


def record_launch(session: Session, *, registration: Registration, deployment: Deployment,
                  body: Mapping[str, Any], state: str, verified: bool, ttl: int) -> LaunchContext:
    """Persist what the launch told us and open a launch session; one transaction."""
    context_id = (body.get(C + "context") or {}).get("id")
    resource_link_id = (body.get(C + "resource_link") or {}).get("id")
    rlid = str(resource_link_id) if resource_link_id else None
    known = _known_rows(session, registration, deployment, str(body["sub"]),
                        str(context_id) if context_id else None, rlid)
    user = _upsert_user(session, registration, body, known[0])
    course = _upsert_course(session, registration, deployment, body, known[1])
    roles = [str(r) for r in body.get(C + "roles") or []]
    if course is not None:
        membership = _get_or_add(session, Membership, {"course_id": course.id, "user_id": user.id}, known[2])
        _assign(membership, roles=roles, status="Active")
        if rlid:
            link = _get_or_add(session, ResourceLink, {"course_id": course.id, "resource_link_id": rlid}, known[3])
            values = {"title": str((body.get(C + "resource_link") or {}).get("title") or link.title or "")[:512]}
            lineitem = (body.get(AGS) or {}).get("lineitem")
            if lineitem:
                values["lineitem_url"] = lineitem
            _assign(link, **values)
    claims = {k: body.get(C + k) for k in KEPT_CLAIMS if body.get(C + k) is not None}
    if body.get(DL):
        claims["deep_linking_settings"] = body[DL]
    launch = LaunchSession(
        id=secrets.token_urlsafe(32), registration_id=registration.id, deployment_pk=deployment.id,
        course_pk=course.id if course else None, user_pk=user.id, message_type=str(body.get(C + "message_type")),
        roles=roles, resource_link_id=rlid, claims=claims,
        browser_verified=verified, state=state, expires_at=utcnow() + timedelta(seconds=ttl),
    )
    session.add(launch)
    session.commit()
    return to_context(launch, registration, deployment, course, user)


def to_context(launch: LaunchSession, registration: Registration, deployment: Deployment,
               course: Course | None, user: LmsUser) -> LaunchContext:
    presentation = launch.claims.get("launch_presentation") or {}
    return LaunchContext(
        launch_id=launch.id, registration_pk=registration.id, issuer=registration.issuer,
        client_id=registration.client_id, deployment_id=deployment.deployment_id, user_pk=user.id,
        user_id=user.sub, roles=frozenset(launch.roles), message_type=launch.message_type,
        course_pk=course.id if course else None, context_id=course.context_id if course else None,
        course_title=course.title if course else "", resource_link_id=launch.resource_link_id,
        locale=str(presentation.get("locale") or "en"), verified=launch.browser_verified,
    )


class SessionError(LookupError):
    """No valid launch session: expired, unknown, or not yet verified by the browser."""


def load_context(session: Session, launch_id: str, *, require_verified: bool = True) -> LaunchContext:
    # Every tool page calls this: one query for the launch session and the rows it points to.
    found = session.execute(
        select(LaunchSession, Registration, Deployment, LmsUser, Course)
        .outerjoin(Registration, Registration.id == LaunchSession.registration_id)
        .outerjoin(Deployment, Deployment.id == LaunchSession.deployment_pk)
        .outerjoin(LmsUser, LmsUser.id == LaunchSession.user_pk)
        .outerjoin(Course, Course.id == LaunchSession.course_pk)
        .where(LaunchSession.id == launch_id)
    ).first() if launch_id else None
    launch = found[0] if found is not None else None
    if found is None or launch is None or launch.expires_at <= utcnow():
        raise SessionError("Your session in the tool has expired. Launch the tool again from the course.")
    if require_verified and not launch.browser_verified:
        raise SessionError("This launch was not completed in your browser. Launch the tool again from the course.")
    registration, deployment, user, course = found[1], found[2], found[3], found[4]
    if registration is None or deployment is None or user is None:
        raise SessionError("This launch's platform registration was removed.")
    return to_context(launch, registration, deployment, course, user)


def verify_browser(session: Session, launch_id: str, state_value: str) -> LaunchContext:
    """Platform-storage check: the browser returned the state it stored at login → the launch is its own."""
    launch = session.get(LaunchSession, launch_id)
    if launch is None or launch.expires_at <= utcnow():
        raise SessionError("This launch is unknown or expired. Launch the tool again from the course.")
    if launch.browser_verified:
        raise SessionError("This launch was already completed. Launch the tool again from the course.")
    if not state_value or not secrets.compare_digest(state_value, launch.state):
        raise SessionError("The platform storage did not return this launch's state: the launch was not started "
                           "in this browser.")
    launch.browser_verified = True
    session.commit()
    return load_context(session, launch_id)
