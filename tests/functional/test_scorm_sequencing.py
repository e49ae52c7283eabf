"""SCORM 2004 sequencing through the real player endpoints: the server's engine decides which SCO runs.

The generated package has a lesson and a quiz under an organization with flow, choice and forwardOnly; the
quiz is disabled until the lesson's objective (shared through a global objective) is satisfied.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.models import ScormAttempt
from tests.functional.test_scorm_player import GOLF_12, _commit, _learner_player, _open, _setup
from tests.support.launch_actions import LaunchActions

NS = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
      'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')
LESSON_SEQ = ('<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="lesson_obj">'
              '<imsss:mapInfo targetObjectiveID="g_lesson" writeSatisfiedStatus="true"/></imsss:primaryObjective>'
              '</imsss:objectives><imsss:deliveryControls objectiveSetByContent="true"/></imsss:sequencing>')
QUIZ_SEQ = ('<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule>'
            '<imsss:ruleConditions conditionCombination="any">'
            '<imsss:ruleCondition referencedObjective="gate" operator="not" condition="satisfied"/>'
            '<imsss:ruleCondition referencedObjective="gate" operator="not" condition="objectiveStatusKnown"/>'
            '</imsss:ruleConditions><imsss:ruleAction action="disabled"/></imsss:preConditionRule>'
            '</imsss:sequencingRules><imsss:objectives><imsss:primaryObjective objectiveID="quiz_obj"/>'
            '<imsss:objective objectiveID="gate"><imsss:mapInfo targetObjectiveID="g_lesson"/></imsss:objective>'
            '</imsss:objectives></imsss:sequencing>')
ORG_SEQ = '<imsss:sequencing><imsss:controlMode choice="true" flow="true" forwardOnly="true"/></imsss:sequencing>'


def _package(tmp_path: Path) -> Path:
    items = (f'<item identifier="lesson" identifierref="r1"><title>Lesson</title>{LESSON_SEQ}</item>'
             f'<item identifier="quiz" identifierref="r2"><title>Quiz</title>{QUIZ_SEQ}</item>')
    resources = "".join(f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="p{n}.html">'
                        f'<file href="p{n}.html"/></resource>' for n in (1, 2))
    manifest = (f'<?xml version="1.0"?><manifest identifier="gated" {NS}><metadata><schema>ADL SCORM</schema>'
                f'<schemaversion>2004 4th Edition</schemaversion></metadata><organizations default="o">'
                f'<organization identifier="o"><title>Gated course</title>{items}{ORG_SEQ}</organization>'
                f'</organizations><resources>{resources}</resources></manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for n in (1, 2):
            archive.writestr(f"p{n}.html", "<html><body>page</body></html>")
    path = tmp_path / "gated.zip"
    path.write_bytes(buffer.getvalue())
    return path


def _nav(client: FlaskClient, config: dict[str, Any], request: str, target: str | None = None) -> Any:
    return client.post(config["navigate_url"], json={"request": request, "target": target})


def _run(client: FlaskClient, config: dict[str, Any], sco: str, *pairs: tuple[str, str]) -> dict[str, Any]:
    """One whole SCO session: open, Initialize, the SetValues, Terminate; returns what open_sco started with."""
    start = _open(client, config, sco)
    calls = ([{"method": "Initialize"}] + [{"method": "SetValue", "element": e, "value": v} for e, v in pairs]
             + [{"method": "Terminate"}])
    assert _commit(client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).status_code == 200
    return start


def _enabled(nav: dict[str, Any]) -> dict[str, bool]:
    return {entry["identifier"]: entry["enabled"] for entry in nav["toc"]}


def test_precondition_and_forward_only_drive_the_toc_and_the_buttons(registered: LaunchActions,
                                                                     tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    assert config["sequencing"] is True
    assert [(t["identifier"], t["enabled"]) for t in config["toc"]] == [("lesson", True), ("quiz", False)]
    page = client.get(registered.launch("learner-1").headers["Location"]).get_data(as_text=True)
    assert 'data-sco="quiz" disabled' in page and 'data-sco="lesson">' in page

    launched = _nav(client, config, "launch").get_json()
    assert (launched["outcome"], launched["sco"]) == ("deliver", "lesson")
    assert (launched["continue"], launched["previous"]) == (False, False)  # quiz disabled; nothing before
    assert _enabled(launched) == {"lesson": True, "quiz": False}

    # The quiz cannot be reached by a choice, a direct open or the next button: the learner stays in the lesson.
    refused = _nav(client, config, "choice", "quiz")
    assert refused.status_code == 409 and refused.get_json()["error"] == "'Quiz' is not available now."
    assert refused.get_json()["sco"] == "lesson"
    assert client.get(config["open_url"].replace("__SCO__", "quiz")).status_code == 409
    assert _nav(client, config, "continue").status_code == 409

    start = _run(client, config, "lesson", ("cmi.success_status", "failed"), ("cmi.completion_status", "completed"))
    assert start["values"]["adl.nav.request_valid.continue"] == "false"
    assert start["values"]["adl.nav.request_valid.choice.{target=quiz}"] == "false"
    after = _nav(client, config, "terminated").get_json()
    assert after["outcome"] == "idle" and after["message"] == "Choose an activity from the contents."
    assert (after["continue"], _enabled(after)["quiz"]) == (False, False)

    # A second lesson attempt, passed: the quiz opens up, and the lesson's own "continue" request is honoured.
    assert _nav(client, config, "choice", "lesson").get_json()["sco"] == "lesson"
    _run(client, config, "lesson", ("cmi.success_status", "passed"), ("adl.nav.request", "continue"))
    moved = _nav(client, config, "terminated").get_json()
    assert (moved["outcome"], moved["sco"]) == ("deliver", "quiz")
    assert _nav(client, config, "terminated").get_json()["outcome"] == "current"  # reported once, honoured once

    # forwardOnly: neither previous nor a choice back to the lesson; the TOC and buttons say so.
    quiz = _open(client, config, "quiz")
    assert quiz["values"]["adl.nav.request_valid.previous"] == "false"
    back = _nav(client, config, "previous")
    assert back.status_code == 409 and back.get_json()["error"] == "'Gated course' does not allow going back."
    state = _nav(client, config, "state").get_json()
    assert (state["previous"], _enabled(state)) == (False, {"lesson": False, "quiz": True})
    assert _nav(client, config, "choice", "lesson").status_code == 409


def test_the_end_of_the_course_and_suspend_resume(app: Any, registered: LaunchActions, tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    _run(client, config, "lesson", ("cmi.success_status", "passed"), ("cmi.exit", "suspend"),
         ("cmi.location", "page-7"), ("adl.nav.request", "suspendAll"))
    suspended = _nav(client, config, "terminated").get_json()
    assert suspended["outcome"] == "ended" and "suspended" in suspended["message"]

    again = _learner_player(registered)  # a new launch resumes the suspended lesson with cmi.entry=resume
    assert again["attempt"] == config["attempt"]
    resumed = _nav(client, again, "launch").get_json()
    assert (resumed["sco"], resumed["resumed"]) == ("lesson", True)
    values = _open(client, again, "lesson")["values"]
    assert (values["cmi.entry"], values["cmi.location"]) == ("resume", "page-7")

    _run(client, again, "lesson", ("cmi.completion_status", "completed"), ("adl.nav.request", "continue"))
    assert _nav(client, again, "terminated").get_json()["sco"] == "quiz"
    _run(client, again, "quiz", ("cmi.completion_status", "completed"), ("cmi.success_status", "passed"),
         ("adl.nav.request", "continue"))
    ended = _nav(client, again, "terminated").get_json()
    assert ended["outcome"] == "ended" and ended["sco"] is None
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert attempt.sequencing is not None and attempt.sequencing["tree"]["ended"] is True
        assert (attempt.status, attempt.completed, attempt.passed) == ("completed", True, True)


def test_bad_navigation_requests_get_400_and_change_nothing(app: Any, registered: LaunchActions,
                                                            tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    with app.extensions["bridge"].db.session() as session:
        before = session.scalars(select(ScormAttempt)).one().sequencing
    assert _nav(client, config, "jump", "quiz").status_code == 400
    unknown = _nav(client, config, "choice", "nowhere")
    assert (unknown.status_code, unknown.get_json()["error"]) == (400, "This course has no such activity to choose.")
    assert client.post(config["navigate_url"], data="not json").status_code == 400
    assert client.post(config["navigate_url"].replace("t=", "t=x"), json={"request": "continue"}).status_code == 403
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(ScormAttempt)).one().sequencing == before


def test_scorm_12_packages_keep_the_players_own_navigation(registered: LaunchActions) -> None:
    _setup(registered, GOLF_12)
    config = _learner_player(registered)
    assert config["sequencing"] is False and "navigate_url" not in config
    first = config["scos"][0]["identifier"]
    assert registered.client.get(config["open_url"].replace("__SCO__", first)).status_code == 200


def test_a_course_without_flow_asks_for_a_choice_and_shows_assets(registered: LaunchActions, tmp_path: Path) -> None:
    items = ('<item identifier="intro" identifierref="r1"><title>Intro</title></item>'
             '<item identifier="notes" identifierref="r2"><title>Notes</title></item>')
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="p1.html">'
                 '<file href="p1.html"/></resource><resource identifier="r2" type="webcontent" '
                 'adlcp:scormType="asset" href="notes.html"><file href="notes.html"/></resource>')
    manifest = (f'<?xml version="1.0"?><manifest identifier="free" {NS}><metadata><schema>ADL SCORM</schema>'
                f'<schemaversion>2004 3rd Edition</schemaversion></metadata><organizations default="o">'
                f'<organization identifier="o"><title>Free</title>{items}</organization></organizations>'
                f'<resources>{resources}</resources></manifest>')
    path = tmp_path / "free.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("p1.html", "<html></html>")
        archive.writestr("notes.html", "<html></html>")
    _setup(registered, path)
    config = _learner_player(registered)
    client = registered.client
    assert config["assets"] == {"notes": config["scos"][0]["launch_url"].replace("p1.html", "notes.html")}
    launched = _nav(client, config, "launch").get_json()  # no flow in the 2004 default: "start" is refused
    assert (launched["outcome"], launched["sco"], launched["message"]) == (
        "idle", None, "Choose an activity from the contents.")
    assert _enabled(launched) == {"intro": True, "notes": True} and launched["continue"] is False
    assert _nav(client, config, "choice", "notes").get_json()["sco"] == "notes"
    _nav(client, config, "choice", "intro")
    _run(client, config, "intro", ("cmi.completion_status", "completed"))
    assert _nav(client, config, "terminated").get_json()["toc"][0]["completed"] is True
    # The only SCO is completed, so the attempt is: the next launch starts a new one with a fresh sequencing state.
    next_config = _learner_player(registered)
    again = _nav(client, next_config, "launch").get_json()
    assert next_config["attempt"] != config["attempt"]
    assert (again["outcome"], again["sco"], again["toc"][0]["completed"]) == ("idle", None, None)


def test_an_attempt_begun_before_sequencing_keeps_its_results(app: Any, registered: LaunchActions,
                                                              tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    _run(client, config, "lesson", ("cmi.success_status", "passed"))
    with app.extensions["bridge"].db.session() as session:  # as stored by a version without sequencing
        attempt = session.scalars(select(ScormAttempt)).one()
        attempt.sequencing = None
        session.commit()
    launched = _nav(client, _learner_player(registered), "launch").get_json()
    assert (launched["sco"], launched["continue"], _enabled(launched)["quiz"]) == ("lesson", True, True)


def test_a_scos_jump_request_passes_forward_only(registered: LaunchActions, tmp_path: Path) -> None:
    """{target=ID}jump (4th Ed., SB.2.13): delivered without control-mode checks, but never a disabled activity."""
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    start = _run(client, config, "lesson", ("adl.nav.request", "{target=quiz}jump"))
    assert start["values"]["adl.nav.request_valid.jump.{target=quiz}"] == "false"  # disabled until passed
    assert start["values"]["adl.nav.request_valid.jump.{target=lesson}"] == "true"
    refused = _nav(client, config, "terminated")
    assert refused.status_code == 409 and refused.get_json()["error"] == "'Quiz' is not available now."
    _nav(client, config, "choice", "lesson")
    _run(client, config, "lesson", ("cmi.success_status", "passed"), ("adl.nav.request", "{target=quiz}jump"))
    assert _nav(client, config, "terminated").get_json()["sco"] == "quiz"
    assert _nav(client, config, "choice", "lesson").status_code == 409  # forwardOnly refuses a choice back…
    quiz = _run(client, config, "quiz", ("adl.nav.request", "{target=lesson}jump"))
    assert quiz["values"]["adl.nav.request_valid.jump.{target=lesson}"] == "true"
    assert _nav(client, config, "terminated").get_json()["sco"] == "lesson"  # …a jump is not refused
