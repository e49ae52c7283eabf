"""Moodle Web Services connector against answers shaped as Moodle's ``execute_returns()`` declare them."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
import responses
from connectors_support import FakeClock

from connectors import errors
from connectors.moodle_ws import MoodleAuthError, MoodleNotFound, MoodleWsConnector, MoodleWsError

SITE = "https://moodle.example.edu"
REST = SITE + "/webservice/rest/server.php"
TOKEN = "0123456789abcdef0123456789abcdef"
# core_enrol_external::get_enrolled_users_returns() with userfields=id,roles.
ENROLLED = [{"id": 3, "roles": [{"roleid": 5, "name": "", "shortname": "student", "sortorder": 0}]},
            {"id": 4, "roles": [{"roleid": 3, "name": "", "shortname": "editingteacher", "sortorder": 0}]}]
# core_completion_external::get_activities_completion_status_returns() (Moodle 4.x fields).
STATUSES = {"statuses": [
    {"cmid": 12, "modname": "quiz", "instance": 2, "state": 2, "timecompleted": 1767261600, "tracking": 2,
     "overrideby": None, "valueused": True, "hascompletion": True, "isautomatic": True, "istrackeduser": True,
     "uservisible": True, "details": []},
    {"cmid": 13, "modname": "assign", "instance": 1, "state": 0, "timecompleted": 0, "tracking": 1,
     "overrideby": None, "valueused": False, "hascompletion": True, "isautomatic": False, "istrackeduser": True,
     "uservisible": True, "details": []},
    {"cmid": 14, "modname": "quiz", "instance": 3, "state": 3, "timecompleted": 1767261700, "tracking": 2,
     "overrideby": None, "valueused": True, "hascompletion": True, "isautomatic": True, "istrackeduser": True,
     "uservisible": True, "details": []}], "warnings": []}
COURSE_DONE = {"completionstatus": {"completed": True, "aggregation": 1, "completions": [
    {"type": 4, "title": "Activity completion", "status": "Yes", "complete": True, "timecompleted": 1767261600,
     "details": {"type": "Activity completion", "criteria": "Quiz", "requirement": "Marking complete",
                 "status": ""}}]}, "warnings": []}
# gradereport_user\external\user::get_grade_items_returns(), userid 0: every user.
GRADES = {"usergrades": [{"courseid": 2, "userid": 3, "userfullname": "Learner One", "useridnumber": "",
                          "maxdepth": 2, "gradeitems": [
    {"id": 7, "itemname": "Quiz 1", "itemtype": "mod", "itemmodule": "quiz", "iteminstance": 2, "itemnumber": 0,
     "idnumber": "", "categoryid": 1, "outcomeid": None, "scaleid": None, "locked": False, "cmid": 12,
     "graderaw": 8.5, "gradedatesubmitted": 1767261500, "gradedategraded": 1767261600,
     "gradehiddenbydate": False, "gradeneedsupdate": False, "gradeishidden": False, "gradeislocked": False,
     "gradeisoverridden": False, "gradeformatted": "8.50", "grademin": 0, "grademax": 10,
     "rangeformatted": "0&ndash;10", "percentageformatted": "85.00 %", "feedback": "", "feedbackformat": 0},
    {"id": 1, "itemname": None, "itemtype": "course", "itemmodule": None, "iteminstance": 2, "itemnumber": None,
     "idnumber": "", "categoryid": None, "outcomeid": None, "scaleid": None, "locked": False, "graderaw": None,
     "gradedatesubmitted": None, "gradedategraded": None, "gradeformatted": "-", "grademin": 0, "grademax": 10}]}],
    "warnings": []}


@pytest.fixture
def moodle(clock: FakeClock) -> MoodleWsConnector:
    return MoodleWsConnector(SITE, TOKEN, sleep=clock.sleep, now=clock.utc)


def _form(call: responses.Call) -> dict[str, list[str]]:
    body = call.request.body
    return parse_qs(body if isinstance(body, str) else (body or b"").decode())


def test_enrolled_users_are_paged_with_limitfrom_and_the_token_goes_in_the_body(
        mocked: responses.RequestsMock, moodle: MoodleWsConnector) -> None:
    mocked.post(REST, json=ENROLLED)
    mocked.post(REST, json=[{"id": 5, "roles": []}])
    users = list(moodle.enrolled_users(2, page_size=2))
    assert [(u.id, u.roles) for u in users] == [(3, ("student",)), (4, ("editingteacher",)), (5, ())]
    first, second = (_form(c) for c in mocked.calls)
    assert first["wsfunction"] == ["core_enrol_get_enrolled_users"] and first["wstoken"] == [TOKEN]
    assert first["moodlewsrestformat"] == ["json"] and first["courseid"] == ["2"]
    assert first["options[1][name]"] == ["limitfrom"] and first["options[1][value]"] == ["0"]
    assert second["options[1][value]"] == ["2"] and TOKEN not in str(mocked.calls[0].request.url)


def test_activity_states_become_completed_and_passed(mocked: responses.RequestsMock,
                                                      moodle: MoodleWsConnector) -> None:
    mocked.post(REST, json=STATUSES)
    found = {s.cmid: s for s in moodle.activities_completion(2, 3)}
    assert (found[12].completed, found[12].passed) == (True, True)
    assert found[12].timecompleted == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert (found[13].completed, found[13].passed, found[13].timecompleted) == (False, None, None)
    assert (found[14].completed, found[14].passed) == (True, False)


def test_course_completion_and_a_course_without_criteria(mocked: responses.RequestsMock,
                                                          moodle: MoodleWsConnector) -> None:
    mocked.post(REST, json=COURSE_DONE)
    mocked.post(REST, json={"exception": "moodle_exception", "errorcode": "nocriteriaset",
                            "message": "No completion criteria set for this course"})
    done = moodle.course_completion(2, 3)
    assert done is not None and done.completed and done.timecompleted == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert moodle.course_completion(2, 3) is None


def test_grade_items_of_every_user(mocked: responses.RequestsMock, moodle: MoodleWsConnector) -> None:
    mocked.post(REST, json=GRADES)
    [user] = moodle.grade_items(2)
    quiz, course = user.items
    assert (user.userid, quiz.id, quiz.itemtype, quiz.cmid, quiz.graderaw, quiz.grademax) == (3, 7, "mod", 12, 8.5,
                                                                                              10.0)
    assert (course.itemtype, course.graderaw, course.cmid) == ("course", None, None)
    assert _form(mocked.calls[0])["userid"] == ["0"]


@pytest.mark.parametrize(("body", "kind"), [
    ({"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"},
     MoodleAuthError),
    ({"exception": "webservice_access_exception", "errorcode": "accessexception",
      "message": "Access control exception"}, MoodleAuthError),
    ({"exception": "dml_missing_record_exception", "errorcode": "invalidrecord",
      "message": "Can't find data record in database table course."}, MoodleNotFound),
    ({"exception": "invalid_parameter_exception", "errorcode": "invalidparameter",
      "message": "Invalid parameter value detected"}, MoodleWsError),
])
def test_errors_in_a_200_body_are_translated(mocked: responses.RequestsMock, moodle: MoodleWsConnector,
                                             body: dict[str, str], kind: type[errors.ConnectorError]) -> None:
    mocked.post(REST, json=body)
    with pytest.raises(kind) as caught:
        moodle.grade_items(2)
    assert isinstance(caught.value, errors.ConnectorError) and body["errorcode"] in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_wrong_shape_is_a_bad_response_and_5xx_is_retried(mocked: responses.RequestsMock,
                                                             moodle: MoodleWsConnector, clock: FakeClock) -> None:
    mocked.post(REST, json={"statuses": [{"cmid": "twelve", "state": 1}]})
    with pytest.raises(errors.ConnectorBadResponse):
        moodle.activities_completion(2, 3)
    mocked.replace(responses.POST, REST, status=503)
    mocked.add(responses.POST, REST, json=STATUSES)
    assert len(moodle.activities_completion(2, 3)) == 3 and clock.sleeps
