"""Connectors beyond LTI end to end through the sync step: per-tenant settings (token encrypted), Moodle Web
Services and Canvas REST answers (shaped as their documentation declares; ``responses`` stands in for the LMS)
turned into progress facts, idempotent on repeat, errors translated into permanent or retryable job failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from flask import Flask
from responses import matchers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import run_course
from bridge.jobs.runner import run_job
from bridge.jobs.work import JobError, RetryableJobError, sync_connectors
from bridge.models import (
    ConnectorSetting,
    ConnectorUserId,
    Course,
    Deployment,
    JobRun,
    LmsUser,
    Membership,
    ProgressFact,
    ProgressHistory,
    Registration,
)
from bridge.services import connector_settings
from connectors.retry import RetryPolicy
from tests.support.live_services import COURSE, FAST_RETRY, Live, live_fixture  # noqa: F401  (the `live` fixture)

MOODLE = "https://moodle.example.edu"
REST = MOODLE + "/webservice/rest/server.php"
CANVAS = "https://canvas.example.edu"
TOKEN = "0123456789abcdef0123456789abcdef"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
FAST = RetryPolicy(max_attempts=2, max_total_sleep=0.1, base=0.01, cap=0.01)


@pytest.fixture
def ctx(app: Flask) -> JobContext:
    return JobContext.from_app(app, retry=FAST)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def make_course(session: Session, context_id: str, learners: list[str]) -> Course:
    """A tenant whose course has ``learners`` (LTI subs) and one instructor ("9"), as launches record them."""
    reg = Registration(issuer="https://lms.example.edu", client_id="c1", auth_login_url="https://x/l",
                       auth_token_url="https://x/t", key_set_url="https://x/k")
    reg.deployments.append(Deployment(deployment_id="d1"))
    session.add(reg)
    session.flush()
    course = Course(registration_id=reg.id, deployment_pk=reg.deployments[0].id, context_id=context_id)
    session.add(course)
    for sub, roles in [*((s, [LEARNER]) for s in learners), ("9", [INSTRUCTOR])]:
        user = LmsUser(registration_id=reg.id, sub=sub)
        session.add(user)
        session.flush()
        session.add(Membership(course_id=course.id, user_id=user.id, roles=roles))
    session.commit()
    return course


def facts(session: Session) -> dict[tuple[str, str], tuple[bool, bool | None, float | None, float | None]]:
    rows = session.execute(select(LmsUser.sub, ProgressFact).join(LmsUser, LmsUser.id == ProgressFact.user_id))
    return {(sub, f.activity): (f.completed, f.passed, f.score, f.maximum) for sub, f in rows}


# -- Moodle -----------------------------------------------------------------------------------------------
class FakeMoodle:
    """Answers the four web-service functions from a small gradebook, as a Moodle site would."""

    def __init__(self) -> None:
        self.grade = 8.5
        self.calls: list[str] = []
        self.fail: dict[str, Any] | None = None

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        assert form["wstoken"] == TOKEN and form["moodlewsrestformat"] == "json"
        self.calls.append(form["wsfunction"])
        if self.fail is not None:
            return 200, {"Content-Type": "application/json"}, json.dumps(self.fail)
        return 200, {"Content-Type": "application/json"}, json.dumps(self.answer(form))

    def answer(self, form: dict[str, str]) -> Any:
        function, user = form["wsfunction"], int(form.get("userid", 0))
        if function == "core_enrol_get_enrolled_users":
            student = [{"roleid": 5, "name": "", "shortname": "student", "sortorder": 0}]
            teacher = [{"roleid": 3, "name": "", "shortname": "editingteacher", "sortorder": 0}]
            users = [{"id": 3, "roles": student}, {"id": 4, "roles": student}, {"id": 77, "roles": student},
                     {"id": 9, "roles": teacher}]
            return users if form["options[1][value]"] == "0" else []
        if function == "gradereport_user_get_grade_items":
            return {"usergrades": [{"courseid": 2, "userid": uid, "gradeitems": [
                {"id": 7, "itemname": "Quiz", "itemtype": "mod", "itemmodule": "quiz", "iteminstance": 2, "cmid": 12,
                 "graderaw": self.grade if uid == 3 else None, "gradedategraded": 1767261600 if uid == 3 else None,
                 "grademin": 0, "grademax": 10}]} for uid in (3, 4, 77, 9)], "warnings": []}
        if function == "core_completion_get_activities_completion_status":
            state = 2 if user == 3 else 0
            return {"statuses": [{"cmid": 12, "modname": "quiz", "instance": 2, "state": state,
                                  "timecompleted": 1767261600 if state else 0, "tracking": 2}], "warnings": []}
        return {"completionstatus": {"completed": user == 3, "aggregation": 1, "completions": [
            {"type": 4, "title": "Activity completion", "status": "Yes", "complete": user == 3,
             "timecompleted": 1767261700 if user == 3 else None}]}, "warnings": []}


@pytest.fixture
def moodle(app: Flask, mocked: responses.RequestsMock) -> FakeMoodle:
    fake = FakeMoodle()
    mocked.add_callback(responses.POST, REST, callback=fake)
    services = app.extensions["bridge"]
    with services.db.session() as session:
        course = make_course(session, "2", ["3", "4"])
        connector_settings.save(session, services.box, course.registration_id, "moodle", MOODLE, TOKEN)
        session.commit()
    return fake


def _sync(ctx: JobContext) -> dict[str, Any]:
    with ctx.db.session() as session:
        course = session.scalars(select(Course)).one()
        return sync_connectors(ctx, session, course)


def test_moodle_completion_and_grades_become_facts_once(ctx: JobContext, moodle: FakeMoodle) -> None:
    counts = _sync(ctx)["connector_moodle"]
    assert (counts["learners"], counts["unknown"], counts["created"]) == (2, 1, 6)
    with ctx.db.session() as session:
        found = facts(session)
        stored = session.scalars(select(ConnectorSetting.token_ciphertext)).one()
    assert TOKEN.encode() not in stored  # encrypted at rest
    assert found[("3", "connector:moodle:grade:7")] == (True, None, 8.5, 10.0)
    assert found[("4", "connector:moodle:grade:7")] == (False, None, None, 10.0)
    assert found[("3", "connector:moodle:cm:12")] == (True, True, None, None)
    assert found[("4", "connector:moodle:cm:12")] == (False, None, None, None)
    assert found[("3", "connector:moodle:course")][0] is True and found[("4", "connector:moodle:course")][0] is False
    assert not any(sub in ("9", "77") for sub, _ in found)  # teachers and unknown users get no facts
    again = _sync(ctx)["connector_moodle"]
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 6)
    moodle.grade = 9.5
    assert _sync(ctx)["connector_moodle"]["changed"] == 1
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProgressFact)) == 6
        assert session.scalar(select(func.count()).select_from(ProgressHistory)) == 1
        assert {f.source for f in session.scalars(select(ProgressFact))} == {"connector"}


def test_a_refused_moodle_token_fails_the_job_for_good(ctx: JobContext, moodle: FakeMoodle) -> None:
    moodle.fail = {"exception": "moodle_exception", "errorcode": "invalidtoken",
                   "message": "Invalid token - token not found"}
    with pytest.raises(JobError) as caught:
        _sync(ctx)
    assert not isinstance(caught.value, RetryableJobError)
    assert "invalidtoken" in str(caught.value) and TOKEN not in str(caught.value)
    outcome = run_job(ctx, "sync", "connectors", lambda: _sync(ctx))
    assert outcome.status == "failed" and TOKEN not in outcome.error
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProgressFact)) == 0


def test_an_unreachable_moodle_is_retryable(ctx: JobContext, moodle: FakeMoodle,
                                            mocked: responses.RequestsMock) -> None:
    mocked.replace(responses.POST, REST, status=503)
    with pytest.raises(RetryableJobError):
        _sync(ctx)


# -- Canvas ----------------------------------------------------------------------------------------------
def canvas_api(mocked: responses.RequestsMock, context_id: str, users: dict[str, int]) -> None:
    """A Canvas course with two assignments and one module, and lookups of ``users`` (sub → Canvas id)."""
    api = f"{CANVAS}/api/v1/courses/lti_context_id:{context_id}"
    for sub, canvas_id in users.items():
        mocked.get(f"{api}/users/lti_1_3_id:{sub}", json={"id": canvas_id, "name": "hidden"})
    mocked.get(f"{api}/users/lti_1_3_id:ghost", status=404, json={"errors": [{"message": "not found"}]})
    ids = sorted(users.values())
    enrollment = {"id": 1, "type": "StudentEnrollment", "enrollment_state": "active",
                  "grades": {"current_score": 80.0, "final_score": 40.0}}
    second = f"{api}/enrollments?page=bookmark:2&per_page=100"
    first = {"type[]": "StudentEnrollment", "state[]": ["active", "completed"], "per_page": "100"}
    mocked.get(f"{api}/enrollments", json=[{**enrollment, "user_id": ids[0]}],
               headers={"Link": f'<{second}>; rel="next"'}, match=[matchers.query_param_matcher(first)])
    mocked.get(second, json=[{**enrollment, "id": 2, "user_id": ids[1], "enrollment_state": "completed"},
                             {**enrollment, "id": 3, "user_id": 999}])
    mocked.get(f"{api}/assignments", json=[{"id": 31, "points_possible": 10.0}, {"id": 32, "points_possible": 5.0}])
    mocked.get(f"{api}/students/submissions", json=[
        {"assignment_id": 31, "user_id": ids[0], "score": 8.0, "workflow_state": "graded",
         "submitted_at": "2026-01-02T09:00:00Z", "graded_at": "2026-01-02T10:00:00Z", "excused": None},
        {"assignment_id": 32, "user_id": ids[0], "score": None, "workflow_state": "unsubmitted",
         "submitted_at": None, "graded_at": None, "excused": None},
        {"assignment_id": 31, "user_id": 999, "score": 1.0, "workflow_state": "graded",
         "submitted_at": None, "graded_at": None, "excused": None}])
    mocked.get(f"{api}/modules", json=[{"id": 41, "name": "Week 1", "completed_at": "2026-01-03T08:00:00Z",
                                        "items": [{"id": 411, "type": "Page", "completion_requirement":
                                                   {"type": "must_view", "completed": True}}]}])


def test_canvas_data_becomes_facts_and_learner_ids_are_looked_up_once(app: Flask, ctx: JobContext,
                                                                      mocked: responses.RequestsMock) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        course = make_course(session, "4dde05e8", ["a-1", "b-2", "ghost"])
        connector_settings.save(session, services.box, course.registration_id, "canvas", CANVAS, TOKEN)
        session.commit()
    canvas_api(mocked, "4dde05e8", {"a-1": 21, "b-2": 22})
    counts = _sync(ctx)["connector_canvas"]
    assert (counts["learners"], counts["unknown"]) == (2, 1)
    lookups = [c for c in mocked.calls if "/users/" in str(c.request.url)]
    assert len(lookups) == 3 and all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in mocked.calls)
    with ctx.db.session() as session:
        found = facts(session)
        assert session.scalar(select(func.count()).select_from(ConnectorUserId)) == 2
    assert found[("a-1", "connector:canvas:assignment:31")] == (True, None, 8.0, 10.0)
    assert found[("a-1", "connector:canvas:assignment:32")] == (False, None, None, 5.0)
    assert found[("a-1", "connector:canvas:course")] == (False, None, 40.0, 100.0)
    assert found[("b-2", "connector:canvas:course")] == (True, None, 40.0, 100.0)
    assert found[("a-1", "connector:canvas:module-item:411")][0] is True
    assert found[("b-2", "connector:canvas:module-item:411")][0] is True
    before = len(mocked.calls)
    again = _sync(ctx)["connector_canvas"]
    assert again["created"] == 0 and again["unchanged"] == len(found)
    # Known learners are not looked up again; only the one Canvas does not know is asked for once more.
    assert [str(c.request.url).rsplit(":", 1)[-1] for c in mocked.calls[before:]
            if "/users/" in str(c.request.url)] == ["ghost"]


def test_a_canvas_token_refused_is_permanent_and_throttling_is_retryable(app: Flask, ctx: JobContext,
                                                                         mocked: responses.RequestsMock) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        course = make_course(session, "ctx9", ["a-1"])
        connector_settings.save(session, services.box, course.registration_id, "canvas", CANVAS, TOKEN)
        session.commit()
    user_url = f"{CANVAS}/api/v1/courses/lti_context_id:ctx9/users/lti_1_3_id:a-1"
    mocked.get(user_url, status=401, json={"errors": [{"message": "Invalid access token."}]})
    with pytest.raises(JobError) as caught:
        _sync(ctx)
    assert not isinstance(caught.value, RetryableJobError) and "HTTP 401" in str(caught.value)
    mocked.replace(responses.GET, user_url, status=403, body="403 Forbidden (Rate Limit Exceeded)")
    with pytest.raises(RetryableJobError):
        _sync(ctx)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProgressFact)) == 0


@pytest.mark.parametrize(("kind", "url", "token", "message"), [
    ("blackboard", MOODLE, TOKEN, "kind"),
    ("moodle", "http://moodle.example.edu", TOKEN, "https"),
    ("moodle", "https://user:pw@moodle.example.edu", TOKEN, "credentials"),
    ("moodle", "moodle.example.edu", TOKEN, "absolute"),
    ("canvas", CANVAS, "  ", "token"),
])
def test_unusable_settings_are_refused_and_nothing_is_stored(app: Flask, kind: str, url: str, token: str,
                                                             message: str) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        course = make_course(session, "2", ["3"])
        with pytest.raises(connector_settings.ConnectorSettingError) as caught:
            connector_settings.save(session, services.box, course.registration_id, kind, url, token)
        session.commit()
        assert message in str(caught.value) and TOKEN not in str(caught.value)
        assert session.scalar(select(func.count()).select_from(ConnectorSetting)) == 0


@pytest.mark.e2e
def test_the_scheduled_course_sync_runs_the_tenant_connector_after_lti(live: Live) -> None:
    """The whole job: NRPS roster and AGS results from the sandbox over real HTTP, then Canvas REST."""
    item = next(i for i in live.platform.line_items.values() if i.resource_link_id == "rl-quiz")
    live.platform.record_score(item, "platform", {"userId": "learner-1", "scoreGiven": 80, "scoreMaximum": 100,
                                                  "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                                                  "timestamp": "2026-01-01T10:00:00+00:00"})
    services = live.app.extensions["bridge"]
    with live.session() as session:
        course = live.course(session)
        course_pk = course.id
        connector_settings.save(session, services.box, course.registration_id, "canvas", CANVAS, TOKEN)
        session.commit()
    ctx = JobContext.from_app(live.app, retry=FAST_RETRY)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")  # the sandbox platform answers for real
        canvas_api(mock, COURSE, {"learner-1": 21, "learner-2": 22})
        outcome = run_course(ctx, course_pk, runner="embedded")
        assert outcome.status == "done", outcome.error
        assert outcome.counts["members"] == 3 and outcome.counts["connector_canvas"]["learners"] == 2
        assert run_course(ctx, course_pk, runner="embedded").counts["connector_canvas"]["created"] == 0
    with live.session() as session:
        sources = dict(session.execute(select(ProgressFact.source, func.count()).group_by(ProgressFact.source)).all())
        assert sources == {"ags": 1, "connector": outcome.counts["connector_canvas"]["created"]}
        assert [r.status for r in session.scalars(select(JobRun).order_by(JobRun.id))] == ["done", "done"]


def test_a_rule_on_connector_facts_awards_after_the_sync(ctx: JobContext, moodle: FakeMoodle) -> None:
    """Instructors can pick connector facts as criteria; the job's award evaluation then grants them."""
    from bridge.jobs.work import evaluate_awards
    from bridge.models import Award
    from bridge.services import awards
    from bridge.services import credential_templates as templates
    from bridge.services.award_rules import Combination, Condition, Criterion, CriterionKind, Rule
    from tests.support.awards_data import sample_template

    _sync(ctx)
    with ctx.db.session() as session:
        course = session.scalars(select(Course)).one()
        picked = {(a.kind, a.target) for a in awards.course_activities(session, course.id)}
        assert (CriterionKind.CONNECTOR, "moodle:cm:12") in picked
        tpl = templates.save_template(session, registration_pk=course.registration_id, course_pk=course.id,
                                      template=sample_template())
        rule = Rule((Criterion(CriterionKind.CONNECTOR, "moodle:cm:12", Condition.PASSED),
                     Criterion(CriterionKind.CONNECTOR, "moodle:grade:7", Condition.MIN_SCORE, 80.0)),
                    Combination.ALL_OF)
        awards.set_rule(session, tpl, course.id, rule)
        session.commit()
        assert evaluate_awards(session, course.id) == 1
        assert evaluate_awards(session, course.id) == 0  # exactly once
        winner = session.scalars(select(LmsUser.sub).join(Award, Award.user_id == LmsUser.id)).all()
    assert winner == ["3"]


def test_a_token_stored_under_another_secret_key_fails_for_good(ctx: JobContext, moodle: FakeMoodle) -> None:
    from sqlalchemy import update

    from bridge.services.secrets_box import SecretBox

    other = SecretBox(b"another-secret-key-0123456789abcdef").encrypt(TOKEN.encode(),
                                                                     purpose="connector-token:1:moodle")
    with ctx.db.session() as session:
        session.execute(update(ConnectorSetting).values(token_ciphertext=other))
        session.commit()
    with pytest.raises(JobError) as caught:
        _sync(ctx)
    assert not isinstance(caught.value, RetryableJobError) and "set it again" in str(caught.value)
    assert moodle.calls == []
