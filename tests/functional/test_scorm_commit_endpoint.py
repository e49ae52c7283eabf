"""The commit URL answered in front of Flask (``bridge/player/commit_endpoint.py``): the answers, request ids,
security headers, request counts and log lines of a Flask view; what it does not take goes on to Flask with its
body, and a failure is run again there without storing anything twice."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bridge.models import ScormAttempt
from bridge.models.scorm import ScormInteractionLog
from bridge.ops import JsonFormatter
from bridge.services import scorm_commits
from bridge.web import SECURITY_HEADERS
from tests.functional.test_scorm_player import _calls, _commit, _learner_player, _open, _setup
from tests.support.launch_actions import LaunchActions


def _ready(lti: LaunchActions) -> tuple[dict[str, Any], str, str]:
    _setup(lti)
    config = _learner_player(lti)
    sco = config["scos"][0]["identifier"]
    return config, sco, _open(lti.client, config, sco)["session"]


def _requests_2xx(client: Any) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return sum(s.value for s in families["bridge_http_requests"].samples
               if s.labels.get("status") == "2xx" and s.name.endswith("_total"))


def test_a_commit_answer_carries_the_request_id_and_the_security_headers(registered: LaunchActions) -> None:
    config, sco, session = _ready(registered)
    kept = _commit(registered.client, config, sco, session, [{"seq": 1, "calls": _calls(
        ("cmi.core.lesson_location", "2"), ("cmi.core.score.raw", "101"))}], headers={"X-Request-Id": "rid-42"})
    assert kept.status_code == 200 and kept.headers["X-Request-Id"] == "rid-42"
    assert kept.content_type == "application/json"
    assert kept.get_json() == {"acked": 1, "applied": 3, "terminated": False, "status": "in_progress", "rejected": [
        {"method": "LMSSetValue", "element": "cmi.core.score.raw", "error": 407}]}
    assert all(kept.headers[name] == value for name, value in SECURITY_HEADERS)
    made = _commit(registered.client, config, sco, session, [{"seq": 2, "calls": []}],
                   headers={"X-Request-Id": "bad id; <script>"})
    assert len(made.headers["X-Request-Id"]) == 32 and made.headers["X-Request-Id"].isalnum()
    refused = _commit(registered.client, config, sco, session, [{"seq": 9, "calls": []}])
    assert refused.status_code == 409 and "Batch 3 is missing" in refused.get_json()["error"]
    assert all(refused.headers[name] == value for name, value in SECURITY_HEADERS)


def test_commits_are_counted_and_logged_with_their_request_id(app: Any, registered: LaunchActions) -> None:
    config, sco, session = _ready(registered)
    before = _requests_2xx(registered.client)
    stream = []
    handler = logging.Handler()
    handler.emit = lambda record: stream.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    http_log = logging.getLogger("bridge.http")
    http_log.addHandler(handler)
    http_log.setLevel(logging.INFO)
    app.config["LOG_FORMAT"] = "json"
    try:
        answer = _commit(registered.client, config, sco, session, [{"seq": 1, "calls": _calls()}],
                         headers={"X-Request-Id": "rid-7"})
    finally:
        app.config["LOG_FORMAT"] = "text"
        http_log.removeHandler(handler)
        http_log.setLevel(logging.NOTSET)
    assert answer.status_code == 200
    lines = [json.loads(line) for line in stream]
    assert [(e["request_id"], e["endpoint"], e["status_code"], e["method"]) for e in lines] == [
        ("rid-7", "player.commit", 200, "POST")]
    assert "t=" not in lines[0]["path"]  # the attempt token is never logged
    # the /metrics request itself is counted after its body was made: only the commit and the first /metrics
    assert _requests_2xx(registered.client) == before + 2


def test_what_the_endpoint_does_not_take_goes_on_to_flask(app: Any, registered: LaunchActions) -> None:
    config, sco, session = _ready(registered)
    url = config["commit_url"]
    not_json = registered.client.post(url, data=b"{oops", content_type="application/json",
                                      headers={"X-Request-Id": "rid-9"})
    assert not_json.status_code == 400 and not_json.headers["X-Request-Id"] == "rid-9"
    assert registered.client.post(url, json=[1, 2]).status_code == 400
    assert registered.client.get(url).status_code == 405
    assert registered.client.post(url, data=b"x" * (4 * 1024 * 1024 + 1)).status_code == 413
    finished = _commit(registered.client, config, sco, session, [{"seq": 1, "calls": _calls(
        ("cmi.core.lesson_status", "passed"), last="LMSFinish")}])
    assert finished.get_json()["terminated"] and finished.get_json()["status"] == "completed"


def test_a_failure_after_the_commit_is_run_again_by_flask_and_stored_once(
        app: Any, registered: LaunchActions, monkeypatch: pytest.MonkeyPatch) -> None:
    config, sco, session = _ready(registered)
    original, calls = scorm_commits.commit, []
    with app.extensions["bridge"].db.session() as db:
        version = db.scalars(select(ScormAttempt)).one().commits

    def fails_once_after_committing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        result = original(*args, **kwargs)
        if len(calls) == 1:
            raise OSError("lost after the commit")
        return result

    monkeypatch.setattr(scorm_commits, "commit", fails_once_after_committing)
    answer = _commit(registered.client, config, sco, session, [{"seq": 1, "calls": _calls(
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.result", "correct"))}])
    assert len(calls) == 2 and answer.status_code == 200
    assert (answer.get_json()["acked"], answer.get_json()["applied"]) == (1, 0)  # already stored: acknowledged
    with app.extensions["bridge"].db.session() as db:
        attempt = db.scalars(select(ScormAttempt)).one()
        assert attempt.commits == version + 1  # written once
        assert [r.element for r in db.scalars(select(ScormInteractionLog))] == [
            "cmi.interactions.0.id", "cmi.interactions.0.result"]
