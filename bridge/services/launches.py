"""Recording a validated launch: course, user, membership, resource link, service endpoints, session.

Names and e-mails are stored only when the platform sent them (LTI 1.3 Core §5.3.6: they are optional).
The course's AGS and NRPS endpoints are remembered so scheduled jobs can call them with no one present.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from bridge.lti.context import LaunchContext
from bridge.models import (
    Course,
    Deployment,
    LaunchSession,
    LmsUser,
    Membership,
    Registration,
    ResourceLink,
    ScormActivity,
)
from bridge.models.base import utcnow
from bridge.services import deep_linking

C = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
KEPT_CLAIMS = ("custom", "launch_presentation", "tool_platform", "target_link_uri")


_U, _C, _M, _L, _S, _A = (cast(Table, model.__table__) for model in (LmsUser, Course, Membership, ResourceLink,
                                                                       LaunchSession, ScormActivity))
PERSON_FIELDS = ("name", "given_name", "family_name", "email")

# A returning launch is read with ONE prebuilt statement (user, course, membership, resource link and the
# SCORM activity behind the link, None where new) and written with one INSERT of the launch session, plus an
# UPDATE only where the platform now says something different.
_KNOWN = (
    select(_U.c.id, *(_U.c[f] for f in PERSON_FIELDS),
           _C.c.id.label("course_pk"), _C.c.title, _C.c.label, _C.c.lineitems_url, _C.c.ags_scopes,
           _C.c.memberships_url, _M.c.id.label("membership_pk"), _M.c.roles, _M.c.status,
           _L.c.id.label("link_pk"), _L.c.title.label("link_title"), _L.c.lineitem_url,
           _A.c.id.label("scorm_activity_pk"))
    .select_from(
        _U.outerjoin(_C, and_(_C.c.registration_id == _U.c.registration_id, _C.c.deployment_pk == bindparam("dep"),
                              _C.c.context_id == bindparam("ctx")))
        .outerjoin(_M, and_(_M.c.course_id == _C.c.id, _M.c.user_id == _U.c.id))
        .outerjoin(_L, and_(_L.c.course_id == _C.c.id, _L.c.resource_link_id == bindparam("rlid")))
        .outerjoin(_A, _A.c.resource_link_pk == _L.c.id))
    .where(_U.c.registration_id == bindparam("reg"), _U.c.sub == bindparam("sub"))
)
_INSERT_SESSION = insert(_S)


@dataclass(frozen=True, slots=True)
class RecordedLaunch:
    context: LaunchContext
    # The SCORM activity the launched resource link plays, if any (routing without another query).
    scorm_activity_pk: int | None


def _changed(known: Any, values: Mapping[str, Any], names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Only real changes: no UPDATE (and no new updated_at) when a returning launch says the same thing."""
    if known is None:
        return dict(values)
    return {k: v for k, v in values.items() if known._mapping[(names or {}).get(k, k)] != v}


def _find_or_insert(connection: Connection, table: Table, lookup: Mapping[str, Any], values: Mapping[str, Any],
                    columns: Sequence[str]) -> tuple[int, Any]:
    """(id, existing row or None) for a row not covered by the returning-launch query (first launches)."""
    where = and_(*(table.c[k] == v for k, v in lookup.items()))
    row = connection.execute(select(table.c.id, *(table.c[c] for c in columns)).where(where)).first()
    if row is not None:
        return int(row.id), row
    inserted = connection.execute(insert(table).values(**lookup, **values))
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0]), None


def _update(connection: Connection, table: Table, pk: int, values: Mapping[str, Any]) -> None:
    if values:
        connection.execute(update(table).where(table.c.id == pk).values(**values))


def record_launch(session: Session, *, registration: Any, deployment: Any,
                  body: Mapping[str, Any], state: str, verified: bool, ttl: int) -> RecordedLaunch:
    """Persist what the launch told us and open a launch session; one transaction.

    ``registration`` and ``deployment`` are anything with the registry columns (ORM rows or the
    ``bridge.lti.tool_conf`` records): ``id``, ``issuer``, ``client_id`` / ``id``, ``deployment_id``.
    """
    connection = session.connection()
    context = body.get(C + "context") or {}
    context_id = str(context["id"]) if context.get("id") else None
    link_claim = body.get(C + "resource_link") or {}
    rlid = str(link_claim["id"]) if link_claim.get("id") else None
    sub = str(body["sub"])
    known = connection.execute(_KNOWN, {"reg": registration.id, "sub": sub, "dep": deployment.id,
                                        "ctx": context_id or "", "rlid": rlid or ""}).first()

    person = {f: str(body[f])[:320] for f in PERSON_FIELDS if body.get(f)}
    if known is None:
        user_pk, found = _find_or_insert(connection, _U, {"registration_id": registration.id, "sub": sub}, person,
                                         PERSON_FIELDS)
        _update(connection, _U, user_pk, _changed(found, person) if found is not None else {})
    else:
        user_pk = int(known.id)
        _update(connection, _U, user_pk, _changed(known, person))

    course_pk: int | None = None
    course_title = ""
    scorm_activity_pk: int | None = None
    roles = [str(r) for r in body.get(C + "roles") or []]
    if context_id:
        course_row = known if known is not None and known.course_pk is not None else None
        if course_row is None:
            course_pk, course_row = _find_or_insert(
                connection, _C, {"registration_id": registration.id, "deployment_pk": deployment.id,
                                 "context_id": context_id}, {},
                ("title", "label", "lineitems_url", "ags_scopes", "memberships_url"))
        else:
            course_pk = int(course_row.course_pk)
        values: dict[str, Any] = {
            "title": str(context.get("title") or (course_row.title if course_row is not None else "") or "")[:512],
            "label": str(context.get("label") or (course_row.label if course_row is not None else "") or "")[:255]}
        ags = body.get(AGS) or {}
        if ags.get("lineitems"):
            values.update(lineitems_url=ags["lineitems"], ags_scopes=sorted(set(ags.get("scope") or [])))
        nrps = body.get(NRPS) or {}
        if nrps.get("context_memberships_url"):
            values["memberships_url"] = nrps["context_memberships_url"]
        course_title = values["title"]
        _update(connection, _C, course_pk, _changed(course_row, values))

        membership = {"roles": roles, "status": "Active"}
        if known is not None and known.membership_pk is not None:
            _update(connection, _M, int(known.membership_pk), _changed(known, membership))
        else:
            membership_pk, found = _find_or_insert(connection, _M, {"course_id": course_pk, "user_id": user_pk},
                                                   membership, ("roles", "status"))
            if found is not None:
                _update(connection, _M, membership_pk, _changed(found, membership))

        if rlid:
            link_known = known is not None and known.link_pk is not None
            link_row = known if link_known else None
            if link_row is None:
                link_pk, link_row = _find_or_insert(connection, _L, {"course_id": course_pk, "resource_link_id": rlid},
                                                    {}, ("title", "lineitem_url"))
                if link_row is not None:  # an existing link first launched by this user: look up its activity
                    scorm_activity_pk = connection.execute(
                        select(_A.c.id).where(_A.c.resource_link_pk == link_pk)).scalar()
            else:
                link_pk, scorm_activity_pk = int(link_row.link_pk), link_row.scorm_activity_pk
            old_title = (link_row.link_title if link_known else link_row.title) if link_row is not None else ""
            link_values = {"title": str(link_claim.get("title") or old_title or "")[:512]}
            lineitem = (body.get(AGS) or {}).get("lineitem")
            if lineitem:
                link_values["lineitem_url"] = lineitem
            _update(connection, _L, link_pk, _changed(link_row, link_values, {"title": "link_title"} if link_known
                                                      else None))

    claims = {k: body.get(C + k) for k in KEPT_CLAIMS if body.get(C + k) is not None}
    if body.get(DL):
        claims["deep_linking_settings"] = body[DL]
    launch_id = secrets.token_urlsafe(32)
    message_type = str(body.get(C + "message_type"))
    connection.execute(_INSERT_SESSION, {
        "id": launch_id, "registration_id": registration.id, "deployment_pk": deployment.id, "course_pk": course_pk,
        "user_pk": user_pk, "message_type": message_type, "roles": roles, "resource_link_id": rlid,
        "claims": claims, "browser_verified": verified, "state": state, "created_at": utcnow(),
        "expires_at": utcnow() + timedelta(seconds=ttl)})
    session.commit()
    if scorm_activity_pk is None and course_pk is not None:
        scorm_activity_pk = _bind_deep_linked(session, registration.id, course_pk, rlid, claims.get("custom"))
    presentation = claims.get("launch_presentation") or {}
    return RecordedLaunch(LaunchContext(
        launch_id=launch_id, registration_pk=registration.id, issuer=registration.issuer,
        client_id=registration.client_id, deployment_id=deployment.deployment_id, user_pk=user_pk, user_id=sub,
        roles=frozenset(roles), message_type=message_type, course_pk=course_pk, context_id=context_id,
        course_title=course_title, resource_link_id=rlid, locale=str(presentation.get("locale") or "en"),
        verified=verified), scorm_activity_pk)


def _bind_deep_linked(session: Session, registration_pk: int, course_pk: int, rlid: str | None,
                      custom: Any) -> int | None:
    """A link created by deep linking names its picked activity in ``custom.activity_id`` (LTI-DL 2.0 §3.4.2):
    bound at the link's first launch, so a picked SCORM package plays from then on. No query without one."""
    activity_id = custom.get("activity_id") if isinstance(custom, dict) else None
    if not activity_id:
        return None
    bound = deep_linking.bind_launch(session, registration_pk=registration_pk, course_pk=course_pk,
                                     resource_link_id=rlid, activity_id=str(activity_id))
    return bound.scorm_activity_pk if bound is not None else None


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
