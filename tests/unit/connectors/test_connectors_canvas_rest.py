"""Canvas REST connector against the Enrollments, Assignments, Submissions, Modules and Users API shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from connectors_support import FakeClock

from connectors import errors
from connectors.canvas_rest import CanvasRestConnector, course_ref, lti_user_ref

SITE = "https://canvas.example.edu"
COURSE = course_ref("4dde05e8ca1973bcca9bffc13e1548820eee93a3")
API = f"{SITE}/api/v1/courses/{COURSE}"
TOKEN = "7~tokentokentokentoken"
# Enrollment object (Enrollments API), trimmed to fields Canvas always sends plus grades.
ENROLLMENT = {"id": 98, "course_id": 5, "course_section_id": 7, "enrollment_state": "active",
              "type": "StudentEnrollment", "user_id": 21, "associated_user_id": None, "role": "StudentEnrollment",
              "role_id": 3, "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z",
              "html_url": f"{SITE}/courses/5/users/21",
              "grades": {"html_url": f"{SITE}/courses/5/grades/21", "current_score": 91.5, "final_score": 45.0,
                         "current_grade": None, "final_grade": None},
              "user": {"id": 21, "name": "Learner One", "sortable_name": "One, Learner", "short_name": "Learner"}}
# Submission object (Submissions API).
SUBMISSION = {"id": 501, "assignment_id": 31, "user_id": 21, "attempt": 1, "body": None, "grade": "8",
              "score": 8.0, "grade_matches_current_submission": True, "submitted_at": "2026-01-02T09:00:00Z",
              "graded_at": "2026-01-02T10:00:00Z", "workflow_state": "graded", "late": False, "missing": False,
              "excused": None, "submission_type": "online_text_entry", "preview_url": f"{SITE}/preview"}
MODULES = [{"id": 41, "name": "Week 1", "position": 1, "items_count": 2, "state": "completed",
            "completed_at": "2026-01-03T08:00:00Z", "items_url": f"{SITE}/api/v1/courses/5/modules/41/items",
            "items": [{"id": 411, "title": "Read me", "type": "Page", "module_id": 41,
                       "completion_requirement": {"type": "must_view", "completed": True}},
                      {"id": 412, "title": "Quiz", "type": "Quiz", "module_id": 41,
                       "completion_requirement": {"type": "min_score", "min_score": 7, "completed": False}},
                      {"id": 413, "title": "Header", "type": "SubHeader", "module_id": 41}]},
           {"id": 42, "name": "Week 2", "position": 2, "items_count": 250, "state": "locked",
            "items_url": f"{SITE}/api/v1/courses/5/modules/42/items"}]


@pytest.fixture
def canvas(clock: FakeClock) -> CanvasRestConnector:
    return CanvasRestConnector(SITE, TOKEN, sleep=clock.sleep, now=clock.utc)


def _query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(call.request.url)).query)


def test_enrollments_follow_link_paging_with_the_bearer_token(mocked: responses.RequestsMock,
                                                               canvas: CanvasRestConnector) -> None:
    second = f"{API}/enrollments?page=bookmark:WzJd&per_page=100"
    mocked.get(f"{API}/enrollments", json=[ENROLLMENT],
               headers={"Link": f'<{second}>; rel="next", <{API}/enrollments?page=first>; rel="first"'})
    mocked.get(second, json=[{**ENROLLMENT, "id": 99, "user_id": 22, "grades": {}}],
               headers={"Link": f'<{API}/enrollments?page=first>; rel="first"'})
    found = list(canvas.enrollments(COURSE))
    assert [(e.user_id, e.current_score, e.final_score) for e in found] == [(21, 91.5, 45.0), (22, None, None)]
    first = mocked.calls[0].request
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert _query(mocked.calls[0]) == {"type[]": ["StudentEnrollment"], "state[]": ["active", "completed"],
                                       "per_page": ["100"]}
    assert mocked.calls[1].request.url == second  # the bookmark is followed exactly as given


def test_assignments_and_submissions(mocked: responses.RequestsMock, canvas: CanvasRestConnector) -> None:
    mocked.get(f"{API}/assignments", json=[{"id": 31, "name": "Essay", "points_possible": 10.0},
                                           {"id": 32, "name": "Ungraded", "points_possible": None}])
    mocked.get(f"{API}/students/submissions", json=[SUBMISSION, {**SUBMISSION, "assignment_id": 32, "score": None,
                                                                 "workflow_state": "unsubmitted",
                                                                 "submitted_at": None, "graded_at": None}])
    assert [(a.id, a.points_possible) for a in canvas.assignments(COURSE)] == [(31, 10.0), (32, None)]
    graded, missing = canvas.submissions(COURSE)
    assert (graded.score, graded.workflow_state, graded.graded_at) == (8.0, "graded",
                                                                       datetime(2026, 1, 2, 10, tzinfo=UTC))
    assert (missing.score, missing.workflow_state, missing.excused) == (None, "unsubmitted", False)
    assert _query(mocked.calls[1])["student_ids[]"] == ["all"]


def test_module_completion_reads_items_left_out_inline(mocked: responses.RequestsMock,
                                                       canvas: CanvasRestConnector) -> None:
    mocked.get(f"{API}/modules", json=MODULES)
    mocked.get(f"{API}/modules/42/items", json=[
        {"id": 421, "title": "Final", "type": "Assignment", "completion_requirement": {"type": "must_submit",
                                                                                       "completed": False}}])
    found = {item.item_id: item for item in canvas.module_completion(COURSE, 21)}
    assert sorted(found) == [411, 412, 421]  # the sub-header has no requirement
    assert (found[411].completed, found[412].completed, found[412].min_score) == (True, False, 7.0)
    assert found[411].module_completed_at == datetime(2026, 1, 3, 8, tzinfo=UTC)
    assert _query(mocked.calls[0])["student_id"] == ["21"] and _query(mocked.calls[1])["student_id"] == ["21"]


def test_user_lookup_by_lti_id(mocked: responses.RequestsMock, canvas: CanvasRestConnector) -> None:
    mocked.get(f"{API}/users/{lti_user_ref('a1b2')}", json={"id": 21, "name": "Learner One"})
    mocked.get(f"{API}/users/{lti_user_ref('gone')}", status=404, json={"errors": [{"message": "not found"}]})
    assert canvas.course_user_id(COURSE, lti_user_ref("a1b2")) == 21
    assert canvas.course_user_id(COURSE, lti_user_ref("gone")) is None


def test_403_rate_limit_is_retried_like_429(mocked: responses.RequestsMock, canvas: CanvasRestConnector,
                                            clock: FakeClock) -> None:
    mocked.get(f"{API}/assignments", status=403, body="403 Forbidden (Rate Limit Exceeded)",
               headers={"X-Rate-Limit-Remaining": "0.0"})
    mocked.get(f"{API}/assignments", json=[{"id": 31, "points_possible": 5}])
    assert [a.id for a in canvas.assignments(COURSE)] == [31] and len(clock.sleeps) == 1


def test_throttled_for_good_is_rate_limited(mocked: responses.RequestsMock, canvas: CanvasRestConnector) -> None:
    mocked.get(f"{API}/assignments", status=429, headers={"Retry-After": "1"})
    with pytest.raises(errors.RateLimited):
        list(canvas.assignments(COURSE))


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_an_auth_error(mocked: responses.RequestsMock, canvas: CanvasRestConnector,
                                          status: int) -> None:
    mocked.get(f"{API}/enrollments", status=status, json={"errors": [{"message": "Invalid access token."}]},
               headers={"X-Rate-Limit-Remaining": "600.0"})
    with pytest.raises(errors.ConnectorAuthError) as caught:
        list(canvas.enrollments(COURSE))
    assert caught.value.status == status and TOKEN not in str(caught.value)


def test_a_malformed_entry_is_a_bad_response(mocked: responses.RequestsMock, canvas: CanvasRestConnector) -> None:
    mocked.get(f"{API}/students/submissions", json=[{"assignment_id": "x", "user_id": 21}])
    with pytest.raises(errors.ConnectorBadResponse):
        list(canvas.submissions(COURSE))
