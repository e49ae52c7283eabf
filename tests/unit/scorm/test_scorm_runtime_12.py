"""SCORM 1.2 run-time: lifecycle, every error code, finish rules, suspend/resume (RTE 1.2 section 3)."""

from __future__ import annotations

import json

import pytest

from scorm.errors import RuntimeStateError
from scorm.manifest_model import Sco
from scorm.runtime import ApiCall, RuntimeSession

SCO = Sco(identifier="item_1", resource_identifier="r", title="Golf", launch_url="index.html",
          mastery_score=80, data_from_lms="chapter=1")


def _running(sco: Sco | None = SCO, **kwargs: str) -> RuntimeSession:
    session = RuntimeSession("1.2", sco, learner_id="learner-7", learner_name="Doe, Jane", **kwargs)
    assert session.initialize("") == "true"
    return session


def _error(session: RuntimeSession) -> int:
    return int(session.get_last_error())


def test_golf_all_answers_right_is_passed_with_raw_100() -> None:
    session = _running()
    assert session.get_value("cmi.core.lesson_status") == "not attempted"
    session.set_value("cmi.core.lesson_status", "incomplete")
    assert session.get_value("cmi.core.lesson_location") == ""
    for element, value in [("cmi.core.lesson_location", "3"), ("cmi.core.score.raw", "100"),
                           ("cmi.core.score.min", "0"), ("cmi.core.score.max", "100"),
                           ("cmi.core.lesson_status", "passed"), ("cmi.core.session_time", "0000:05:12.3"),
                           ("cmi.core.exit", "")]:
        assert session.set_value(element, value) == "true", (element, _error(session))
    assert session.terminate("") == "true"
    state = json.loads(json.dumps(session.to_state()))
    assert state["values"]["cmi.core.lesson_status"] == "passed"
    assert state["values"]["cmi.core.score.raw"] == "100"
    assert state["values"]["cmi.core.total_time"] == "0000:05:12.30"


def test_finish_without_status_is_completed() -> None:
    session = _running(Sco("i", "r", "t", "x.html"))
    session.terminate("")
    assert session.to_state()["values"]["cmi.core.lesson_status"] == "completed"


def test_browse_mode_finish_is_browsed() -> None:
    session = _running(Sco("i", "r", "t", "x.html"), mode="browse", credit="no-credit")
    assert session.get_value("cmi.core.lesson_mode") == "browse"
    session.terminate("")
    assert session.to_state()["values"]["cmi.core.lesson_status"] == "browsed"


@pytest.mark.parametrize(("raw", "status"), [("80", "passed"), ("79.5", "failed")])
def test_mastery_score_decides_pass_fail(raw: str, status: str) -> None:
    session = _running()
    assert session.get_value("cmi.student_data.mastery_score") == "80"
    session.set_value("cmi.core.lesson_status", "completed")
    session.set_value("cmi.core.score.raw", raw)
    session.terminate("")
    assert session.to_state()["values"]["cmi.core.lesson_status"] == status


def test_no_credit_leaves_status_alone() -> None:
    session = _running(credit="no-credit")
    session.set_value("cmi.core.lesson_status", "completed")
    session.set_value("cmi.core.score.raw", "10")
    session.terminate("")
    assert session.to_state()["values"]["cmi.core.lesson_status"] == "completed"


def test_suspend_and_resume_keep_location_and_data() -> None:
    session = _running()
    assert session.get_value("cmi.core.entry") == "ab-initio"
    assert session.get_value("cmi.launch_data") == "chapter=1"
    session.set_value("cmi.core.lesson_location", "page-4")
    session.set_value("cmi.suspend_data", "x" * 60_000)  # beyond the 4096 SPM: real content needs it
    session.set_value("cmi.core.session_time", "00:10:00")
    session.set_value("cmi.core.exit", "suspend")
    session.terminate("")
    resumed = RuntimeSession("1.2", SCO, session.to_state())
    resumed.initialize("")
    assert resumed.get_value("cmi.core.entry") == "resume"
    assert resumed.get_value("cmi.core.lesson_location") == "page-4"
    assert len(resumed.get_value("cmi.suspend_data")) == 60_000
    assert resumed.get_value("cmi.core.total_time") == "0000:10:00.00"
    resumed.set_value("cmi.core.session_time", "0001:00:00")
    resumed.terminate("")
    again = RuntimeSession("1.2", SCO, resumed.to_state())
    again.initialize("")
    assert again.get_value("cmi.core.entry") == ""
    assert again.get_value("cmi.core.total_time") == "0001:10:00.00"


def test_lifecycle_errors() -> None:
    session = RuntimeSession("1.2", SCO)
    assert session.get_value("cmi.core.lesson_status") == "" and _error(session) == 301
    assert session.set_value("cmi.core.lesson_location", "x") == "false" and _error(session) == 301
    assert session.commit("") == "false" and _error(session) == 301
    assert session.terminate("") == "false" and _error(session) == 301
    assert session.initialize("x") == "false" and _error(session) == 201
    assert session.initialize("") == "true" and _error(session) == 0
    assert session.initialize("") == "false" and _error(session) == 101
    assert session.commit("x") == "false" and _error(session) == 201
    assert session.commit("") == "true"
    assert session.terminate("") == "true"
    assert session.terminate("") == "false" and _error(session) == 301
    assert session.initialize("") == "false" and _error(session) == 101


@pytest.mark.parametrize(
    ("method", "element", "value", "code"),
    [
        ("get", "cmi.core.nonsense", "", 201),
        ("get", "", "", 201),
        ("get", "cmi.core.lesson_location._children", "", 202),
        ("get", "cmi.core._count", "", 203),
        ("set", "cmi.core._children", "x", 402),
        ("set", "cmi.objectives._count", "1", 402),
        ("set", "cmi.core.student_id", "me", 403),
        ("set", "cmi.core.total_time", "0000:00:01", 403),
        ("get", "cmi.core.exit", "", 404),
        ("get", "cmi.core.session_time", "", 404),
        ("get", "cmi.interactions.0.id", "", 201),
        ("set", "cmi.core.score.raw", "abc", 405),
        ("set", "cmi.core.lesson_status", "not attempted", 405),
        ("set", "cmi.core.lesson_status", "done", 405),
        ("set", "cmi.core.score.raw", "150", 407),
        ("set", "cmi.objectives.1.id", "skipped", 201),
    ],
)
def test_data_model_errors(method: str, element: str, value: str, code: int) -> None:
    session = _running()
    if method == "get":
        session.get_value(element)
    else:
        assert session.set_value(element, value) == "false"
    assert _error(session) == code
    assert session.get_error_string(code) != ""
    assert session.get_diagnostic("") != ""


def test_children_and_counts() -> None:
    session = _running()
    assert session.get_value("cmi.core._children").startswith("student_id,student_name")
    assert session.get_value("cmi.core.score._children") == "raw,min,max"
    assert session.get_value("cmi.objectives._count") == "0"
    assert session.set_value("cmi.objectives.0.id", "obj1") == "true"
    assert session.set_value("cmi.objectives.0.status", "passed") == "true"
    assert session.get_value("cmi.objectives._count") == "1"
    assert session.get_value("cmi.objectives.0.status") == "passed"


def test_interactions_are_write_only_and_stored() -> None:
    session = _running()
    calls = [("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "choice"),
             ("cmi.interactions.0.student_response", "a"), ("cmi.interactions.0.result", "correct"),
             ("cmi.interactions.0.objectives.0.id", "obj1"), ("cmi.interactions.0.correct_responses.0.pattern", "a"),
             ("cmi.interactions.0.latency", "00:00:05"), ("cmi.interactions.0.time", "10:00:00")]
    for element, value in calls:
        assert session.set_value(element, value) == "true", element
    assert session.get_value("cmi.interactions._count") == "1"
    assert session.get_value("cmi.interactions.0.objectives._count") == "1"
    assert session.get_value("cmi.interactions.0.id") == "" and _error(session) == 404
    assert session.to_state()["values"]["cmi.interactions.0.result"] == "correct"


def test_error_strings_and_unknown_codes() -> None:
    session = _running()
    assert session.get_error_string("403") == "Element is read only"
    assert session.get_error_string(999) == ""
    assert session.get_diagnostic("201") == "Invalid argument error"


def test_apply_commits_replays_adapter_calls() -> None:
    session = RuntimeSession("1.2", SCO)
    results = session.apply_commits([
        {"method": "LMSInitialize", "value": ""},
        {"method": "LMSSetValue", "element": "cmi.core.score.raw", "value": "90"},
        {"method": "LMSSetValue", "element": "cmi.core.student_name", "value": "Mallory"},
        ApiCall("LMSCommit"),
        {"method": "LMSFinish"},
        {"method": "Bogus"},
    ])
    assert [(r.returned, r.error) for r in results] == [("true", 0), ("true", 0), ("false", 403), ("true", 0),
                                                        ("true", 0), ("false", 201)]
    assert session.to_state()["values"]["cmi.core.lesson_status"] == "passed"


def test_a_running_session_continued_in_a_new_request_keeps_its_session_values() -> None:
    """RuntimeSession.running(): Initialize came in an earlier request, so the values are taken as they are —
    the session_time set before still counts on LMSFinish and cmi.entry is not recomputed (a new session
    built from the same state would drop session_time and set entry to "resume")."""
    first = _running(SCO)
    first.set_value("cmi.core.lesson_location", "p3")
    first.set_value("cmi.core.session_time", "0000:00:10")
    first.set_value("cmi.core.exit", "suspend")
    later = RuntimeSession.running("1.2", json.loads(json.dumps(first.to_state())), status_set=first.status_set)
    assert later.get_value("cmi.core.lesson_location") == "p3"
    assert later.get_value("cmi.core.entry") == "ab-initio"
    assert later.terminate("") == "true"
    assert later.store.values["cmi.core.total_time"] == "0000:00:10.00"
    assert later.store.values["cmi.core.lesson_status"] == "completed"  # never set by the SCO: completed on finish


def test_running_refuses_a_state_of_the_other_version() -> None:
    state = RuntimeSession("2004 4th").to_state()
    with pytest.raises(RuntimeStateError):
        RuntimeSession.running("1.2", state, status_set=False)
