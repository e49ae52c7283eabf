"""The run-time commit path (``bridge/services/scorm_commits.py``): missing attempts and SCOs, the row-version
guard against a concurrent writer, a session continued over many requests is stored like one, and the
interaction journal (``scorm_interactions``): read back by SCORM 2004 replays and session starts, per run,
and older states' interactions kept."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select, update

from bridge.models import ScormAttempt
from bridge.models.scorm import ScormInteractionLog
from bridge.services import packages, scorm_attempts, scorm_commits, scorm_interactions
from tests.functional.test_scorm_player import GOLF_2004, _calls, _commit, _learner_player, _open, _setup
from tests.support.launch_actions import LaunchActions


def _state(app: Any) -> ScormAttempt:
    with app.extensions["bridge"].db.session() as session:
        return session.scalars(select(ScormAttempt)).one()


def test_commit_to_a_missing_attempt_or_sco_is_404_and_changes_nothing(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    missing = config["commit_url"].replace(f"/attempts/{config['attempt']}/", "/attempts/999999/")
    answer = registered.client.post(missing, json={"sco": sco, "session": start["session"],
                                                   "batches": [{"seq": 1, "calls": _calls()}]})
    assert answer.status_code == 404 and "Launch the activity again" in answer.get_json()["error"]
    wrong_sco = _commit(registered.client, config, "no-such-sco", start["session"],
                        [{"seq": 1, "calls": _calls(("cmi.core.lesson_location", "3"))}])
    assert wrong_sco.status_code == 404
    assert _state(app).sco_states == {}


def test_a_commit_that_lost_a_race_is_refused_and_changes_nothing(app: Any, registered: LaunchActions) -> None:
    """Between our SELECT and UPDATE another request saved the attempt: ours must not overwrite it."""
    if app.extensions["bridge"].db.engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL the SELECT … FOR UPDATE makes the other writer wait instead")
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    engine = app.extensions["bridge"].db.engine
    attempt_id = config["attempt"]

    def token_for_and_race(attempt: int, user: int) -> str:
        with engine.begin() as other:  # the other request commits while ours is between SELECT and UPDATE
            other.execute(update(ScormAttempt).where(ScormAttempt.id == attempt).values(
                commits=ScormAttempt.commits + 1))
        return "t"

    request = scorm_commits.CommitRequest(attempt_id, "t", sco, start["session"], scorm_attempts.parse_batches(
        [{"seq": 1, "calls": _calls(("cmi.core.lesson_location", "9"))}]))
    with pytest.raises(scorm_commits.CommitConflict):
        scorm_commits.commit(engine, packages.storage_from_config(app.config), request, token_for=token_for_and_race)
    assert _state(app).sco_states == {}
    # The browser sends the same batch again; now it is stored.
    assert _commit(registered.client, config, sco, start["session"], [
        {"seq": 1, "calls": _calls(("cmi.core.lesson_location", "9"))}]).status_code == 200
    assert _state(app).sco_states[sco]["runtime"]["values"]["cmi.core.lesson_location"] == "9"


def test_a_session_over_many_requests_keeps_the_12_finish_rule(app: Any, registered: LaunchActions) -> None:
    """Status set in request 1, LMSFinish in request 3: the SCO's own "incomplete" stays (no "completed on
    finish"), and every request's values are there."""
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    session = start["session"]
    assert _commit(registered.client, config, sco, session, [
        {"seq": 1, "calls": _calls(("cmi.core.lesson_status", "incomplete"))}]).status_code == 200
    assert _commit(registered.client, config, sco, session, [
        {"seq": 2, "calls": _calls(("cmi.core.lesson_location", "4"), first="")}]).status_code == 200
    done = _commit(registered.client, config, sco, session, [
        {"seq": 3, "calls": _calls(("cmi.suspend_data", "abc"), first="", last="LMSFinish")}]).get_json()
    assert done["terminated"] and done["acked"] == 3
    values = _state(app).sco_states[sco]["runtime"]["values"]
    assert (values["cmi.core.lesson_status"], values["cmi.core.lesson_location"], values["cmi.suspend_data"]) == (
        "incomplete", "4", "abc")


def _log(app: Any) -> list[tuple[str, int, str, str]]:
    with app.extensions["bridge"].db.session() as session:
        return [(r.sco, r.run, r.element, r.value) for r in session.scalars(
            select(ScormInteractionLog).order_by(ScormInteractionLog.id))]


def _set(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"method": "SetValue", "element": e, "value": v} for e, v in pairs]


def test_2004_interactions_are_journalled_and_read_back_across_requests(app: Any,
                                                                        registered: LaunchActions) -> None:
    _setup(registered, GOLF_2004)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    first = [{"method": "Initialize"}, *_set(("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "choice"))]
    assert _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": first}]).status_code == 200
    # learner_response needs the type set before (408 otherwise): the replay reads it back from the journal.
    second = [*_set(("cmi.interactions.0.learner_response", "b")), {"method": "GetValue",
                                                                    "element": "cmi.interactions.0.id"}]
    answer = _commit(registered.client, config, sco, start["session"], [{"seq": 2, "calls": second}]).get_json()
    assert answer["rejected"] == []
    state = _state(app).sco_states[sco]["runtime"]
    assert not [k for k in state["values"] if k.startswith("cmi.interactions.")]
    assert state["counts"]["cmi.interactions"] == 1
    assert [(e, v) for _, _, e, v in _log(app)] == [("cmi.interactions.0.id", "q1"),
                                                    ("cmi.interactions.0.type", "choice"),
                                                    ("cmi.interactions.0.learner_response", "b")]
    suspend = [*_set(("cmi.exit", "suspend")), {"method": "Terminate"}]
    assert _commit(registered.client, config, sco, start["session"], [{"seq": 3, "calls": suspend}]).status_code == 200
    resumed = _open(registered.client, _learner_player(registered), sco)
    assert resumed["values"]["cmi.entry"] == "resume"
    assert resumed["values"]["cmi.interactions.0.learner_response"] == "b"  # 2004 SCOs may read them
    # A session that ends without suspending ends the run: the next one starts with no interactions.
    again = resumed["session"]
    end = [{"method": "Initialize"}, *_set(("cmi.exit", "normal")), {"method": "Terminate"}]
    assert _commit(registered.client, config, sco, again, [{"seq": 1, "calls": end}]).status_code == 200
    fresh = _open(registered.client, _learner_player(registered), sco)
    assert "cmi.interactions.0.id" not in fresh["values"] and fresh["counts"].get("cmi.interactions", 0) == 0


def test_interactions_saved_inside_the_state_before_the_journal_are_kept(app: Any,
                                                                         registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    calls = _calls(("cmi.core.lesson_location", "1"))
    assert _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).status_code == 200
    with app.extensions["bridge"].db.session() as session:  # a state as stored by the earlier version
        attempt = session.scalars(select(ScormAttempt)).one()
        states = copy.deepcopy(attempt.sco_states)
        states[sco]["runtime"]["values"].update({"cmi.interactions.0.id": "old-q",
                                                 "cmi.interactions.0.result": "wrong"})
        states[sco]["runtime"]["counts"]["cmi.interactions"] = 1
        attempt.sco_states = states
        session.commit()
    more = [{"seq": 2, "calls": _calls(("cmi.interactions.1.id", "new-q"), first="")}]
    assert _commit(registered.client, config, sco, start["session"], more).status_code == 200
    assert [(e, v) for _, _, e, v in _log(app)] == [("cmi.interactions.0.id", "old-q"),
                                                    ("cmi.interactions.0.result", "wrong"),
                                                    ("cmi.interactions.1.id", "new-q")]
    with app.extensions["bridge"].db.session() as session:
        rows = scorm_interactions.interactions(session, session.scalars(select(ScormAttempt)).one())
    assert [(r["index"], r["id"], r.get("result")) for r in rows] == [("0", "old-q", "wrong"), ("1", "new-q", None)]
