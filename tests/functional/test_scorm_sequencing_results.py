"""A sequenced SCORM 2004 course is judged by its root activity (SN RB.1.5), not by the average of its SCOs.

The package's rollup differs from the average on all three counts: SCO "a" does not count for satisfaction or
completion (rollupObjectiveSatisfied / rollupProgressCompletion "false"), the course is satisfied when any
child is ("any satisfied" rollup rule) and the measure is weighted 3:1 by objectiveMeasureWeight.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bridge.models import GradeOutbox, ProgressFact, ScormAttempt
from tests.functional.test_scorm_player import _commit, _learner_player, _open, _setup
from tests.functional.test_scorm_sequencing import NS, _nav, _run
from tests.support.launch_actions import LaunchActions

ORG_SEQ = ('<imsss:sequencing><imsss:controlMode choice="true" flow="true"/><imsss:rollupRules>'
           '<imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
           '<imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>'
           '<imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules></imsss:sequencing>')
A_SEQ = ('<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false" '
         'objectiveMeasureWeight="3"/></imsss:sequencing>')


def _package(tmp_path: Path) -> Path:
    items = (f'<item identifier="a" identifierref="r1"><title>A</title>{A_SEQ}</item>'
             '<item identifier="b" identifierref="r2"><title>B</title></item>')
    resources = "".join(f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="p{n}.html">'
                        f'<file href="p{n}.html"/></resource>' for n in (1, 2))
    manifest = (f'<?xml version="1.0"?><manifest identifier="weighted" {NS}><metadata><schema>ADL SCORM</schema>'
                f'<schemaversion>2004 4th Edition</schemaversion></metadata><organizations default="o">'
                f'<organization identifier="o"><title>Weighted</title>{items}{ORG_SEQ}</organization>'
                f'</organizations><resources>{resources}</resources></manifest>')
    path = tmp_path / "weighted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for n in (1, 2):
            archive.writestr(f"p{n}.html", "<html><body>page</body></html>")
    return path


def test_the_course_result_is_the_root_activitys(app: Any, registered: LaunchActions, tmp_path: Path) -> None:
    launch = _setup(registered, _package(tmp_path))  # average SCO scoring: 0.55, failed, not completed
    config = _learner_player(registered)
    client = registered.client
    assert _nav(client, config, "launch").get_json()["sco"] == "a"
    _run(client, config, "a", ("cmi.completion_status", "incomplete"), ("cmi.success_status", "failed"),
         ("cmi.score.scaled", "0.9"), ("adl.nav.request", "continue"))
    assert _nav(client, config, "terminated").get_json()["sco"] == "b"
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        # b has reported nothing: a counts for neither status, and b weighs without a measure (RB.1.1): 2.7 / 4.
        assert (attempt.status, attempt.completed, attempt.passed, attempt.score_scaled) == (
            "in_progress", False, None, 0.675)
    _run(client, config, "b", ("cmi.completion_status", "completed"), ("cmi.success_status", "passed"),
         ("cmi.score.scaled", "0.2"))
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.status, attempt.completed, attempt.passed) == ("completed", True, True)
        assert attempt.score_scaled is not None and abs(attempt.score_scaled - 0.725) < 1e-9  # (3·0.9 + 0.2) / 4
        fact = session.scalars(select(ProgressFact)).one()
        assert (fact.completed, fact.passed, round(fact.score or 0, 6)) == (True, True, 0.725)
        grade = session.scalars(select(GradeOutbox).order_by(GradeOutbox.id.desc())).first()
        assert grade is not None and (grade.score_given, grade.grading_progress) == (72.5, "FullyGraded")
    csv_text = client.get(f"/player/manage/attempts.csv?launch={launch}").get_data(as_text=True)
    assert csv_text.strip().splitlines()[1].startswith("learner-1,1,completed,True,True,72.5,0.725")


def test_ending_an_attempt_by_navigation_updates_the_result(app: Any, registered: LaunchActions,
                                                            tmp_path: Path) -> None:
    """b reports no completion; the LMS completes it when its attempt ends (UP.4), and the course follows."""
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    _run(client, config, "a", ("adl.nav.request", "continue"))
    _nav(client, config, "terminated")
    _run(client, config, "b", ("cmi.success_status", "passed"))
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(ScormAttempt)).one().completed is False
    ended = _nav(client, config, "terminated").get_json()  # no request from b: its attempt ends ("exit")
    assert ended["toc"][1]["completed"] is True
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.status, attempt.completed, attempt.passed) == ("completed", True, True)
        assert session.scalars(select(ProgressFact)).one().completed is True


def test_a_running_sco_does_not_move_the_result_before_it_terminates(app: Any, registered: LaunchActions,
                                                                     tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    _nav(client, config, "launch")
    _run(client, config, "a", ("adl.nav.request", "continue"))
    _nav(client, config, "terminated")
    start = _open(client, config, "b")
    calls = [{"method": "Initialize"}, {"method": "SetValue", "element": "cmi.completion_status", "value": "completed"},
             {"method": "SetValue", "element": "cmi.success_status", "value": "passed"}, {"method": "Commit"}]
    assert _commit(client, config, "b", start["session"], [{"seq": 1, "calls": calls}]).status_code == 200
    state = _nav(client, config, "state").get_json()  # the player asks after each Commit
    assert state["toc"][1]["completed"] is True  # the contents show the SCO's progress at once…
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.status, attempt.completed) == ("in_progress", False)  # …the attempt's result waits
        fact = session.scalars(select(ProgressFact)).first()
        assert fact is None or not fact.completed
    finish = [{"method": "Terminate"}]
    assert _commit(client, config, "b", start["session"], [{"seq": 1, "calls": calls},
                                                           {"seq": 2, "calls": finish}]).status_code == 200
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(ScormAttempt)).one().completed is True
