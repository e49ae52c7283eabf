"""SCORM 2004 run-time: lifecycle codes, data model codes 401–408, LMS evaluation (RTE 2004 3.1, 4.2)."""

from __future__ import annotations

import pytest

from scorm.errors import RuntimeStateError
from scorm.manifest_model import Sco
from scorm.rollup import attempt_result
from scorm.runtime import RuntimeSession

SCO = Sco(identifier="item_1", resource_identifier="r", title="Golf", launch_url="index.html",
          scaled_passing_score=0.8, completion_threshold=0.5, objective_ids=("obj_a", "obj_b"))
PLAIN = Sco("item_1", "r", "Golf", "index.html")


def _running(sco: Sco = PLAIN, version: str = "2004 3rd") -> RuntimeSession:
    session = RuntimeSession(version, sco, learner_id="urn:learner:7", learner_name="Jane")
    assert session.initialize("") == "true"
    return session


def _error(session: RuntimeSession) -> int:
    return int(session.get_last_error())


def test_golf_2004_all_right_is_completed_passed_scaled_1() -> None:
    session = _running()
    assert session.get_value("cmi.completion_status") == "unknown"
    session.set_value("cmi.completion_status", "incomplete")
    assert session.get_value("cmi.location") == "" and _error(session) == 403
    for element, value in [("cmi.location", "7"), ("cmi.score.raw", "100"), ("cmi.score.min", "0"),
                           ("cmi.score.max", "100"), ("cmi.score.scaled", "1"), ("cmi.success_status", "passed"),
                           ("cmi.completion_status", "completed"), ("cmi.session_time", "PT4.69S"),
                           ("cmi.exit", ""), ("adl.nav.request", "exitAll")]:
        assert session.set_value(element, value) == "true", (element, _error(session))
    assert session.terminate("") == "true"
    result = attempt_result(session.to_state())
    assert (result.completed, result.passed, result.score_scaled, result.score_raw) == (True, True, 1.0, 100.0)
    assert session.to_state()["values"]["cmi.total_time"] == "PT4.69S"


def test_lms_evaluates_success_from_scaled_passing_score() -> None:
    session = _running(SCO)
    assert session.get_value("cmi.scaled_passing_score") == "0.8"
    assert session.get_value("cmi.success_status") == "unknown"
    session.set_value("cmi.success_status", "passed")
    session.set_value("cmi.score.scaled", "0.79")
    assert session.get_value("cmi.success_status") == "failed"
    session.set_value("cmi.score.scaled", "0.8")
    assert session.get_value("cmi.success_status") == "passed"


def test_lms_evaluates_completion_from_threshold() -> None:
    session = _running(SCO)
    session.set_value("cmi.completion_status", "completed")
    assert session.get_value("cmi.completion_status") == "unknown"  # threshold but no progress
    session.set_value("cmi.progress_measure", "0.4")
    assert session.get_value("cmi.completion_status") == "incomplete"
    session.set_value("cmi.progress_measure", "0.5")
    assert session.get_value("cmi.completion_status") == "completed"


def test_objectives_are_preloaded_from_the_manifest() -> None:
    session = _running(SCO)
    assert session.get_value("cmi.objectives._count") == "2"
    assert session.get_value("cmi.objectives.1.id") == "obj_b"
    assert session.set_value("cmi.objectives.0.success_status", "passed") == "true"
    assert session.set_value("cmi.objectives.0.id", "other") == "false" and _error(session) == 351
    assert session.set_value("cmi.objectives.2.id", "obj_a") == "false" and _error(session) == 351


def test_suspend_resume_and_new_attempt() -> None:
    session = _running(SCO)
    session.set_value("cmi.location", "p3")
    session.set_value("cmi.suspend_data", "s" * 64_000)
    session.set_value("cmi.session_time", "PT1M")
    session.set_value("cmi.exit", "suspend")
    session.terminate("")
    resumed = RuntimeSession("2004 3rd", SCO, session.to_state())
    resumed.initialize("")
    assert resumed.get_value("cmi.entry") == "resume"
    assert resumed.get_value("cmi.location") == "p3"
    assert len(resumed.get_value("cmi.suspend_data")) == 64_000
    assert resumed.get_value("cmi.total_time") == "PT1M"
    resumed.set_value("cmi.session_time", "PT30S")
    resumed.set_value("cmi.exit", "normal")
    resumed.terminate("")
    assert resumed.to_state()["values"]["cmi.total_time"] == "PT1M30S"
    fresh = RuntimeSession("2004 3rd", SCO, resumed.to_state())
    fresh.initialize("")
    assert fresh.get_value("cmi.entry") == "ab-initio"
    assert fresh.attempt == 2
    assert fresh.get_value("cmi.location") == "" and _error(fresh) == 403


def test_state_of_another_version_is_refused() -> None:
    state = _running().to_state()
    with pytest.raises(RuntimeStateError):
        RuntimeSession("1.2", None, state)


def test_lifecycle_codes() -> None:
    session = RuntimeSession("2004 4th", PLAIN)
    assert session.terminate("") == "false" and _error(session) == 112
    session.get_value("cmi.location")
    assert _error(session) == 122
    assert session.set_value("cmi.location", "x") == "false" and _error(session) == 132
    assert session.commit("") == "false" and _error(session) == 142
    assert session.initialize("arg") == "false" and _error(session) == 201
    assert session.initialize("") == "true"
    assert session.initialize("") == "false" and _error(session) == 103
    assert session.commit("") == "true" and _error(session) == 0
    assert session.terminate("") == "true"
    assert session.terminate("") == "false" and _error(session) == 113
    session.get_value("cmi.location")
    assert _error(session) == 123
    assert session.set_value("cmi.location", "x") == "false" and _error(session) == 133
    assert session.commit("") == "false" and _error(session) == 143
    assert session.initialize("") == "false" and _error(session) == 104


@pytest.mark.parametrize(
    ("method", "element", "value", "code"),
    [
        ("get", "", "", 301),
        ("set", "", "x", 351),
        ("get", "cmi.core.lesson_status", "", 401),
        ("set", "cmi.nonsense", "x", 401),
        ("get", "cmi.location", "", 403),
        ("get", "cmi.score.raw", "", 403),
        ("set", "cmi._version", "2.0", 404),
        ("set", "cmi.objectives._count", "3", 404),
        ("set", "cmi.learner_id", "me", 404),
        ("set", "cmi.completion_threshold", "0.1", 404),
        ("get", "cmi.exit", "", 405),
        ("get", "cmi.session_time", "", 405),
        ("set", "cmi.score.scaled", "great", 406),
        ("set", "cmi.session_time", "00:00:10", 406),
        ("set", "cmi.completion_status", "passed", 406),
        ("set", "cmi.score.scaled", "1.5", 407),
        ("set", "cmi.progress_measure", "-0.5", 407),
        ("set", "cmi.objectives.0.score.scaled", "0.5", 408),
        ("set", "cmi.interactions.0.result", "correct", 408),
        ("get", "cmi.location._children", "", 301),
        ("get", "cmi.location._count", "", 301),
        ("get", "cmi.objectives.5.id", "", 301),
        ("set", "cmi.objectives.5.id", "x", 351),
    ],
)
def test_data_model_codes(method: str, element: str, value: str, code: int) -> None:
    session = _running()
    if method == "get":
        assert session.get_value(element) == ""
    else:
        assert session.set_value(element, value) == "false"
    assert _error(session) == code
    assert session.get_error_string(code)
    assert session.get_diagnostic()


def test_interaction_dependencies() -> None:
    session = _running()
    assert session.set_value("cmi.interactions.0.id", "q1") == "true"
    assert session.set_value("cmi.interactions.0.learner_response", "a") == "false" and _error(session) == 408
    assert session.set_value("cmi.interactions.0.correct_responses.0.pattern", "a") == "false"
    assert _error(session) == 408
    assert session.set_value("cmi.interactions.0.type", "choice") == "true"
    assert session.set_value("cmi.interactions.0.correct_responses.0.pattern", "a") == "true"
    assert session.set_value("cmi.interactions.0.learner_response", "a") == "true"
    assert session.set_value("cmi.interactions.0.objectives.0.id", "obj") == "true"
    assert session.set_value("cmi.interactions.0.objectives.1.id", "obj") == "false" and _error(session) == 351
    assert session.get_value("cmi.interactions.0.id") == "q1"  # RW in 2004
    assert session.get_value("cmi.interactions.0.correct_responses._count") == "1"
    assert session.get_value("cmi.interactions._children").startswith("id,type,objectives")


def test_keywords_and_navigation() -> None:
    session = _running()
    assert session.get_value("cmi._version") == "1.0"
    assert session.get_value("adl.nav.request") == "_none_"
    assert session.set_value("adl.nav.request", "{target=item_2}choice") == "true"
    assert session.get_value("adl.nav.request_valid.continue") == "unknown"
    assert session.get_value("adl.nav.request_valid.choice.{target=item_2}") == "unknown"
    assert session.get_value("cmi.learner_id") == "urn:learner:7"
    assert session.set_value("cmi.comments_from_learner.0.comment", "{lang=en}Nice") == "true"
    assert session.get_value("cmi.comments_from_learner._count") == "1"
