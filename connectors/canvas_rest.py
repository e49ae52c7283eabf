"""Canvas LMS REST API: enrollments, assignments and submissions, module item completion, LTI user lookup.

Implements (Canvas developer docs, "Resources"): ``GET /api/v1/courses/:course_id/enrollments``
(Enrollments API, ``type[]``, ``state[]``), ``GET /api/v1/courses/:course_id/assignments`` (Assignments API,
``points_possible``), ``GET /api/v1/courses/:course_id/students/submissions`` (Submissions API,
``student_ids[]=all``: ``assignment_id``, ``user_id``, ``score``, ``workflow_state``, ``excused``,
``graded_at``), ``GET /api/v1/courses/:course_id/modules?include[]=items&student_id=`` (Modules API: each
item's ``completion_requirement`` with ``type``, ``min_score`` and, for a student, ``completed``; items omitted
inline are read from the module's ``items_url``) and ``GET /api/v1/courses/:course_id/users/:id``.

Ids may be Canvas ids or the documented prefixed forms ("Object IDs, SIS IDs, and special IDs"):
``lti_context_id:<LTI context id>`` for a course and ``lti_1_3_id:<LTI 1.3 sub>`` for a user, which is how
the bridge finds what it knows from launches. Paging follows the ``Link`` header ("Pagination", RFC 8288),
``per_page=100``. Authorisation is ``Authorization: Bearer <token>`` (a tenant's access token; "OAuth2").
Errors: 401 and 403 are :class:`~connectors.errors.ConnectorAuthError`; Canvas throttles with
``403 Forbidden (Rate Limit Exceeded)`` ("Throttling"), which is handled like 429: retried with backoff, then
:class:`~connectors.errors.RateLimited`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from connectors import errors
from connectors.http import HttpConnector, HttpResult
from connectors.lti_service import (
    PayloadError,
    as_list,
    as_object,
    optional_datetime,
    optional_number,
    optional_str,
)

API_PREFIX = "/api/v1"
PER_PAGE = 100
RATE_LIMITED_TEXT = b"rate limit exceeded"


@dataclass(frozen=True, slots=True)
class Enrollment:
    id: int
    user_id: int
    type: str  # StudentEnrollment, TeacherEnrollment…
    state: str  # active, completed, inactive, invited…
    current_score: float | None
    final_score: float | None


@dataclass(frozen=True, slots=True)
class Assignment:
    id: int
    points_possible: float | None


@dataclass(frozen=True, slots=True)
class Submission:
    assignment_id: int
    user_id: int
    workflow_state: str  # unsubmitted, submitted, pending_review, graded
    score: float | None
    excused: bool
    submitted_at: datetime | None
    graded_at: datetime | None


@dataclass(frozen=True, slots=True)
class ModuleItemCompletion:
    module_id: int
    item_id: int
    requirement: str  # must_view, must_submit, must_contribute, min_score, must_mark_done
    completed: bool
    min_score: float | None
    module_completed_at: datetime | None


def course_ref(lti_context_id: str) -> str:
    """The Canvas course id form for an LTI context id (``lti_context_id:…``)."""
    return "lti_context_id:" + lti_context_id


def lti_user_ref(sub: str) -> str:
    """The Canvas user id form for an LTI 1.3 ``sub`` (``lti_1_3_id:…``)."""
    return "lti_1_3_id:" + sub


def _id(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise PayloadError(f"field {key!r} is not a Canvas id")
    return int(value)


class CanvasRestConnector(HttpConnector):
    """Calls one Canvas instance's REST API with one tenant's access token."""

    name = "canvas"
    DEFAULT_HEADERS = {"Accept": "application/json"}

    def __init__(self, base_url: str, token: str, **http: Any) -> None:
        super().__init__(**http)
        self.base_url = base_url.rstrip("/")
        self._token = token

    def authorize(self, send: Any) -> Any:
        return send({"Authorization": f"Bearer {self._token}"})

    def _send_once(self, method: str, url: str, **kwargs: Any) -> HttpResult:
        result = super()._send_once(method, url, **kwargs)
        if result.status == 403 and (RATE_LIMITED_TEXT in result.body[:200].lower()
                                     or result.headers.get("X-Rate-Limit-Remaining", "").strip() in ("0", "0.0")):
            # Canvas's throttle answers 403, not 429; treat it as 429 so it is retried, then reported as such.
            result = dataclasses.replace(result, status=429)
        return result

    def url(self, path: str, query: Sequence[tuple[str, str | int]] = ()) -> str:
        full = self.base_url + API_PREFIX + path
        return f"{full}?{urlencode(list(query))}" if query else full

    def _collection(self, url: str, parse: Any) -> Iterator[Any]:
        for page in self.iter_pages(url, accept="application/json"):
            try:
                items = [parse(as_object(entry, "entry")) for entry in as_list(page.data, "page")]
            except PayloadError as err:
                raise self.bad_response(page.url, str(err)) from err
            yield from items

    def enrollments(self, course: str, *, types: Sequence[str] = ("StudentEnrollment",),
                    states: Sequence[str] = ("active", "completed")) -> Iterator[Enrollment]:
        query: list[tuple[str, str | int]] = [*(("type[]", t) for t in types), *(("state[]", s) for s in states),
                                              ("per_page", PER_PAGE)]
        return self._collection(self.url(f"/courses/{quote(course, safe=':')}/enrollments", query), _enrollment)

    def assignments(self, course: str) -> Iterator[Assignment]:
        url = self.url(f"/courses/{quote(course, safe=':')}/assignments", [("per_page", PER_PAGE)])
        return self._collection(url, lambda a: Assignment(_id(a, "id"), optional_number(a, "points_possible")))

    def submissions(self, course: str, *, student_ids: Sequence[int] | None = None) -> Iterator[Submission]:
        """Submissions of every student (``student_ids=None``) or of the students given, for every assignment."""
        students: list[tuple[str, str | int]] = (
            [("student_ids[]", "all")] if student_ids is None else [("student_ids[]", s) for s in student_ids])
        url = self.url(f"/courses/{quote(course, safe=':')}/students/submissions", [*students, ("per_page", PER_PAGE)])
        return self._collection(url, _submission)

    def module_completion(self, course: str, student_id: int) -> list[ModuleItemCompletion]:
        """Every module item with a completion requirement, and whether ``student_id`` met it."""
        course_path = f"/courses/{quote(course, safe=':')}"
        found: list[ModuleItemCompletion] = []
        query: list[tuple[str, str | int]] = [("include[]", "items"), ("student_id", student_id),
                                              ("per_page", PER_PAGE)]
        for module in self._collection(self.url(course_path + "/modules", query), lambda m: m):
            try:
                module_id = _id(module, "id")
                done_at = optional_datetime(module, "completed_at")
            except PayloadError as err:
                raise self.bad_response(self.url(course_path + "/modules"), str(err)) from err
            items: Any = module.get("items")
            if items is None:  # too many to inline: Canvas leaves them out, read them from the items URL
                items = self._collection(self.url(f"{course_path}/modules/{module_id}/items",
                                                  [("student_id", student_id), ("per_page", PER_PAGE)]), lambda i: i)
            for item in items:
                parsed = self._item(module_id, done_at, item)
                if parsed is not None:
                    found.append(parsed)
        return found

    def _item(self, module_id: int, done_at: datetime | None, item: Any) -> ModuleItemCompletion | None:
        try:
            data = as_object(item, "module item")
            requirement = data.get("completion_requirement")
            if requirement is None:
                return None
            req = as_object(requirement, "completion_requirement")
            return ModuleItemCompletion(module_id, _id(data, "id"), optional_str(req, "type") or "",
                                        req.get("completed") is True, optional_number(req, "min_score"), done_at)
        except PayloadError as err:
            raise self.bad_response(self.base_url, str(err)) from err

    def course_user_id(self, course: str, user: str) -> int | None:
        """The Canvas id of ``user`` (any id form) in ``course``; None when Canvas does not know them there."""
        url = self.url(f"/courses/{quote(course, safe=':')}/users/{quote(user, safe=':')}")
        try:
            data, _ = self.request_json("GET", url, accept="application/json")
        except errors.ConnectorNotFound:
            return None
        try:
            return _id(as_object(data, "user"), "id")
        except PayloadError as err:
            raise self.bad_response(url, str(err)) from err


def _enrollment(data: Mapping[str, Any]) -> Enrollment:
    grades = as_object(data.get("grades") or {}, "grades")
    return Enrollment(_id(data, "id"), _id(data, "user_id"), optional_str(data, "type") or "",
                      optional_str(data, "enrollment_state") or "", optional_number(grades, "current_score"),
                      optional_number(grades, "final_score"))


def _submission(data: Mapping[str, Any]) -> Submission:
    return Submission(_id(data, "assignment_id"), _id(data, "user_id"), optional_str(data, "workflow_state") or "",
                      optional_number(data, "score"), data.get("excused") is True,
                      optional_datetime(data, "submitted_at"), optional_datetime(data, "graded_at"))
