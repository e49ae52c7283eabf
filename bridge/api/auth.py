"""Bearer-token authentication for the REST API: a per-tenant token with scopes (``bridge api-token create``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import abort, request

from bridge.models import Course
from bridge.services import api_tokens
from bridge.web import db_session


@dataclass(frozen=True, slots=True)
class ApiCaller:
    registration_pk: int
    scopes: frozenset[str]
    token_id: int


def caller(scope: str) -> ApiCaller:
    """The tenant behind the request's Bearer token; 401 without a valid token, 403 without ``scope``."""
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    row = api_tokens.authenticate(db_session(), token.strip(), now=datetime.now(UTC)) \
        if kind.lower() == "bearer" else None
    if row is None:
        abort(401, description="Send a valid API token: 'Authorization: Bearer <token>' (bridge api-token create).")
    if scope not in row.scopes:
        abort(403, description=f"This API token lacks the '{scope}' scope.")
    db_session().commit()  # last_used_at
    return ApiCaller(row.registration_id, frozenset(row.scopes), row.id)


def course_of(who: ApiCaller, course_id: object) -> int:
    """A course id of the caller's tenant, or 404 (another tenant's ids are not found)."""
    try:
        pk = int(str(course_id))
    except ValueError:
        abort(400, description="course_id must be a whole number.")
    course = db_session().get(Course, pk)
    if course is None or course.registration_id != who.registration_pk:
        abort(404, description=f"There is no course {pk} for this API token's platform.")
    return pk
