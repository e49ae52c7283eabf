"""SCORM through the app: instructor upload (good and hostile packages), attach, learner attempts, commits
validated by the shared data model, Terminate → rollup → progress fact, resume, CSV, content serving."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.models import GradeOutbox, ProgressFact, ScormAttempt, ScormPackage
from bridge.services.grading import deliver_due, grading_connector
from bridge.services.service_tokens import DbTokenCache
from tests.support.launch_actions import LaunchActions
from tests.support.live_services import FAST_RETRY, Live, live_fixture  # noqa: F401  (the `live` fixture)

DATA = Path(__file__).resolve().parents[1] / "data" / "scorm"
GOLF_12 = DATA / "golf_rte_basic_scorm12.zip"
GOLF_2004 = DATA / "golf_rte_basic_scorm2004_3rd.zip"


def _launch_id(response: Any) -> str:
    return parse_qs(urlsplit(response.headers["Location"]).query)["launch"][0]


def _csrf(client: FlaskClient, launch: str) -> str:
    html = client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _upload(client: FlaskClient, launch: str, data: bytes, name: str = "pkg.zip") -> Any:
    return client.post("/player/manage/upload", data={"launch": launch, "csrf_token": _csrf(client, launch),
                                                       "package": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _setup(lti: LaunchActions, package: Path = GOLF_12, **rules: Any) -> str:
    launch = _launch_id(lti.launch("instructor-1"))
    response = _upload(lti.client, launch, package.read_bytes(), package.name)
    assert response.status_code == 303, response.get_data(as_text=True)
    package_id = parse_qs(urlsplit(response.headers["Location"]).query)["imported"][0]
    form = {"launch": launch, "csrf_token": _csrf(lti.client, launch), "package_id": package_id, **rules}
    assert lti.client.post("/player/manage/attach", data=form).status_code == 303
    return launch


def _learner_player(lti: LaunchActions, user: str = "learner-1") -> dict[str, Any]:
    response = lti.launch(user)
    assert response.headers["Location"].startswith("/player/"), response.headers["Location"]
    page = lti.client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    config_url = html.split('data-config-url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    config: dict[str, Any] = lti.client.get(config_url).get_json()
    return config


def _open(client: FlaskClient, config: dict[str, Any], sco: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(config["open_url"].replace("__SCO__", sco)).get_json()
    return answer


def _commit(client: FlaskClient, config: dict[str, Any], sco: str, session: str, batches: list[dict[str, Any]],
            **kwargs: Any) -> Any:
    return client.post(config["commit_url"], json={"sco": sco, "session": session, "batches": batches}, **kwargs)


def _calls(*pairs: tuple[str, str], first: str = "LMSInitialize", last: str | None = None) -> list[dict[str, str]]:
    calls = [{"method": first}] if first else []
    calls += [{"method": "LMSSetValue", "element": e, "value": v} for e, v in pairs]
    if last:
        calls.append({"method": last})
    return calls


def test_upload_golf_shows_parse_result_and_stores_package(app: Any, registered: LaunchActions) -> None:
    launch = _launch_id(registered.launch("instructor-1"))
    response = _upload(registered.client, launch, GOLF_12.read_bytes())
    assert response.status_code == 303
    page = registered.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "SCORM version" in page and "1.2" in page and "shared/launchpage.html" in page
    with app.extensions["bridge"].db.session() as session:
        package = session.scalars(select(ScormPackage)).one()
        assert (Path(app.config["INSTANCE_DIR"]) / package.storage_path / "imsmanifest.xml").is_file()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


MANIFEST = (b'<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
            b'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><organizations default="o"><organization '
            b'identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>I</title></item>'
            b'</organization></organizations><resources><resource identifier="r" type="webcontent" '
            b'adlcp:scormtype="sco" href="index.html"/></resources></manifest>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<manifest identifier="m">&x;</manifest>')


@pytest.mark.parametrize(("data", "reason"), [
    (b"not a zip at all", "zip"),
    (_zip({"../evil.html": b"x", "imsmanifest.xml": MANIFEST}), ""),
    (_zip({"index.html": b"x"}), "manifest"),
    (_zip({"imsmanifest.xml": XXE}), ""),
    (_zip({"imsmanifest.xml": MANIFEST, "big.bin": b"\0" * (3 * 1024 * 1024)}), ""),
])
def test_hostile_packages_are_refused_and_nothing_is_stored(app: Any, registered: LaunchActions, data: bytes,
                                                           reason: str) -> None:
    launch = _launch_id(registered.launch("instructor-1"))
    response = _upload(registered.client, launch, data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The package was refused" in text and reason in text.lower()
    assert "Traceback" not in text
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(ScormPackage)).first() is None
    content = Path(app.config["INSTANCE_DIR"]) / "scorm"
    assert not content.exists() or not any(content.iterdir())


def test_upload_needs_csrf_token(registered: LaunchActions) -> None:
    launch = _launch_id(registered.launch("instructor-1"))
    response = registered.client.post("/player/manage/upload", data={
        "launch": launch, "csrf_token": "forged", "package": (io.BytesIO(GOLF_12.read_bytes()), "g.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_learner_cannot_manage(registered: LaunchActions) -> None:
    launch = _launch_id(registered.launch("learner-1"))
    assert registered.client.get(f"/player/manage?launch={launch}").status_code == 403


def test_learner_without_activity_gets_a_clear_message(registered: LaunchActions) -> None:
    launch = _launch_id(registered.launch("learner-1"))
    response = registered.client.get(f"/player/?launch={launch}")
    assert response.status_code == 404 and "no SCORM package yet" in response.get_data(as_text=True)


def test_golf_12_pass_terminate_rolls_up_to_progress_fact(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    assert config["mode"] == "same-origin" and config["version"] == "1.2"
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    assert start["values"].get("cmi.core.entry", "ab-initio") == "ab-initio"
    batch1 = _calls(("cmi.core.lesson_status", "incomplete"), ("cmi.core.lesson_location", "3"))
    answer = _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": batch1}])
    assert answer.status_code == 200 and answer.get_json()["acked"] == 1
    batch2 = _calls(("cmi.core.score.raw", "100"), ("cmi.core.lesson_status", "passed"),
                    ("cmi.core.session_time", "0000:01:30"), first="", last="LMSFinish")
    answer = _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": batch1},
                                                                       {"seq": 2, "calls": batch2}])
    assert answer.get_json() == {"acked": 2, "applied": 4, "rejected": [], "terminated": True,
                                 "status": "completed"}
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.completed, attempt.passed, attempt.score_raw, attempt.total_seconds) == (True, True, 100.0,
                                                                                                 90.0)
        fact = session.scalars(select(ProgressFact)).one()
        assert (fact.completed, fact.passed, fact.score, fact.source) == (True, True, 1.0, "scorm")
        assert fact.activity.startswith("scorm:")


def test_invalid_values_are_refused_by_the_server_with_spec_codes(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    calls = _calls(("cmi.core.score.raw", "101"), ("cmi.core.student_id", "me"), ("cmi.nonsense", "1"),
                   ("cmi.core.lesson_status", "not attempted"))
    answer = _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).get_json()
    assert [r["error"] for r in answer["rejected"]] == [407, 403, 201, 405]
    with app.extensions["bridge"].db.session() as session:
        values = session.scalars(select(ScormAttempt)).one().sco_states[sco]["runtime"]["values"]
        assert "cmi.core.score.raw" not in values and values["cmi.core.student_id"] == "learner-1"


def test_batches_are_idempotent_and_gaps_refused(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    batch = {"seq": 1, "calls": _calls(("cmi.core.lesson_location", "2"))}
    assert _commit(registered.client, config, sco, start["session"], [batch]).get_json()["applied"] == 2
    again = _commit(registered.client, config, sco, start["session"], [batch]).get_json()
    assert (again["acked"], again["applied"]) == (1, 0)
    gap = _commit(registered.client, config, sco, start["session"], [{"seq": 3, "calls": []}])
    assert gap.status_code == 409
    bad = _commit(registered.client, config, sco, start["session"], [{"seq": "x"}])
    assert bad.status_code == 400


def test_commit_needs_the_attempt_token(registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    url = config["commit_url"].split("?")[0] + "?t=forged"
    response = registered.client.post(url, json={"sco": "x", "session": "s", "batches": []})
    assert response.status_code == 403


def test_beacon_text_plain_body_is_accepted(registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    import json
    body = json.dumps({"sco": sco, "session": start["session"], "batches": [{"seq": 1, "calls": _calls()}]})
    response = registered.client.post(config["commit_url"], data=body, content_type="text/plain;charset=UTF-8")
    assert response.status_code == 200 and response.get_json()["acked"] == 1


def test_suspend_then_resume_restores_location_and_suspend_data(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    data = "x" * 64000
    calls = _calls(("cmi.core.lesson_location", "7"), ("cmi.suspend_data", data), ("cmi.core.exit", "suspend"),
                   last="LMSFinish")
    assert _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).get_json()[
        "status"] == "suspended"
    again = _learner_player(registered)
    assert again["attempt"] == config["attempt"] and again["current_sco"] == sco
    resumed = _open(registered.client, again, sco)
    assert resumed["values"]["cmi.core.entry"] == "resume"
    assert resumed["values"]["cmi.core.lesson_location"] == "7"
    assert resumed["values"]["cmi.suspend_data"] == data


def test_golf_2004_completed_passed_scaled_1(app: Any, registered: LaunchActions) -> None:
    _setup(registered, GOLF_2004)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    calls = [{"method": "Initialize"}] + [{"method": "SetValue", "element": e, "value": v} for e, v in (
        ("cmi.completion_status", "completed"), ("cmi.score.raw", "100"), ("cmi.score.min", "0"),
        ("cmi.score.max", "100"), ("cmi.score.scaled", "1"), ("cmi.success_status", "passed"),
        ("cmi.exit", "normal"), ("cmi.session_time", "PT1M"))] + [{"method": "Terminate"}]
    answer = _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).get_json()
    assert answer["rejected"] == [] and answer["status"] == "completed"
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.completed, attempt.passed, attempt.score_scaled) == (True, True, 1.0)


def test_attempt_limit_and_csv_export(app: Any, registered: LaunchActions) -> None:
    launch = _setup(registered, max_attempts="1")
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    calls = _calls(("cmi.core.score.raw", "40"), ("cmi.core.lesson_status", "failed"), last="LMSFinish")
    _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}])
    response = registered.client.get(registered.launch("learner-1").headers["Location"])
    assert response.status_code == 403 and "all 1 attempts" in response.get_data(as_text=True)
    csv_text = registered.client.get(f"/player/manage/attempts.csv?launch={launch}").get_data(as_text=True)
    header, row = csv_text.strip().splitlines()
    assert header.startswith("learner,attempt,status,completed,passed,score_raw")
    assert row.startswith("learner-1,1,completed,True,False,40.0")
    page = registered.client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    assert "learner-1" in page


def test_content_is_served_safely(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    url = config["scos"][0]["launch_url"]
    with registered.client.get(url) as response:
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        ancestors = response.headers["Content-Security-Policy"].split("frame-ancestors ", 1)[1].split(";")[0]
        assert set(ancestors.split()) == {"'self'", "http://localhost", registered.sandbox_url}
    base = url.rsplit("/shared/", 1)[0]
    assert registered.client.get(base + "/../../../etc/passwd").status_code == 404
    assert registered.client.get(base + "/%2e%2e/%2e%2e/bridge.sqlite").status_code == 404
    forged = base.rsplit("/", 1)[0] + "/forged/shared/launchpage.html"
    assert registered.client.get(forged).status_code == 403


def test_datamodel_json_is_served(client: FlaskClient) -> None:
    model = client.get("/player/datamodel/1.2.json").get_json()
    assert model["family"] == "1.2" and "cmi.core.lesson_status" in model["elements"]
    assert client.get("/player/datamodel/9.9.json").status_code == 404



@pytest.mark.e2e
def test_passed_golf_score_reaches_the_sandbox_gradebook(live: Live) -> None:
    """Terminate → rollup → grade outbox → AGS score in the sandbox (the tool on real HTTP for its JWKS)."""
    _setup(live.lti)
    config = _learner_player(live.lti)
    sco = config["scos"][0]["identifier"]
    start = _open(live.lti.client, config, sco)
    calls = _calls(("cmi.core.score.raw", "100"), ("cmi.core.lesson_status", "passed"), last="LMSFinish")
    _commit(live.lti.client, config, sco, start["session"], [{"seq": 1, "calls": calls}])
    services = live.app.extensions["bridge"]
    with live.session() as session:
        row = session.scalars(select(GradeOutbox)).one()
        assert (row.score_given, row.score_maximum, row.grading_progress, row.status) == (100.0, 100.0,
                                                                                          "FullyGraded", "pending")
        cache = DbTokenCache(services.db.sessionmaker)
        report = deliver_due(session, lambda course: grading_connector(session, services.box, course, cache=cache,
                                                                       http=services.http, retry=FAST_RETRY))
        errors = [r.last_error for r in session.scalars(select(GradeOutbox))]
    assert report.sent == 1, errors
    [score] = [s for s in live.platform.scores if s.user_id == "learner-1"]
    assert score.body["scoreGiven"] == 100.0 and score.body["gradingProgress"] == "FullyGraded"
    assert score.body["activityProgress"] == "Completed"


def _multi_sco_package() -> bytes:
    ns = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
          'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')
    items = "".join(f'<item identifier="i{n}" identifierref="r{n}"{hidden}><title>Part {n}</title></item>'
                    for n, hidden in ((1, ""), (2, ""), (3, ' isvisible="false"')))
    resources = "".join(f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="p{n}.html">'
                        f'<file href="p{n}.html"/></resource>' for n in (1, 2, 3))
    manifest = (f'<?xml version="1.0"?><manifest identifier="multi" {ns}><metadata><schema>ADL SCORM</schema>'
                 f'<schemaversion>2004 3rd Edition</schemaversion></metadata><organizations default="o">'
                 f'<organization identifier="o"><title>Multi</title>{items}</organization></organizations>'
                 f'<resources>{resources}</resources></manifest>').encode()
    return _zip({"imsmanifest.xml": manifest, **{f"p{n}.html": b"<html></html>" for n in (1, 2, 3)}})


def _finish_2004(client: FlaskClient, config: dict[str, Any], sco: str, scaled: str) -> Any:
    start = _open(client, config, sco)
    calls = [{"method": "Initialize"}] + [{"method": "SetValue", "element": e, "value": v} for e, v in (
        ("cmi.completion_status", "completed"), ("cmi.score.scaled", scaled), ("cmi.success_status", "passed"),
        ("cmi.exit", "normal"))] + [{"method": "Terminate"}]
    return _commit(client, config, sco, start["session"], [{"seq": 1, "calls": calls}]).get_json()


def test_multi_sco_toc_hides_hidden_items_and_rolls_up_every_sco(app: Any, registered: LaunchActions,
                                                                  tmp_path: Path) -> None:
    package = tmp_path / "multi.zip"
    package.write_bytes(_multi_sco_package())
    _setup(registered, package)
    config = _learner_player(registered)
    assert [s["identifier"] for s in config["scos"]] == ["i1", "i2", "i3"]
    assert [s["hidden"] for s in config["scos"]] == [False, False, True]
    assert [t["identifier"] for t in config["toc"]] == ["i1", "i2"]
    page = registered.client.get(registered.launch("learner-1").headers["Location"]).get_data(as_text=True)
    assert 'data-sco="i1"' in page and 'data-sco="i2"' in page and 'data-sco="i3"' not in page
    assert _finish_2004(registered.client, config, "i1", "1")["status"] == "in_progress"
    assert _finish_2004(registered.client, config, "i2", "0.5")["status"] == "in_progress"
    assert _finish_2004(registered.client, config, "i3", "0")["status"] == "completed"
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert (attempt.completed, attempt.passed, attempt.score_scaled) == (True, True, 0.5)
        assert attempt.current_sco == "i3"


def test_attempt_detail_lists_interactions(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    calls = _calls(("cmi.interactions.0.id", "golf-q1"), ("cmi.interactions.0.type", "choice"),
                   ("cmi.interactions.0.student_response", "b"), ("cmi.interactions.0.result", "correct"))
    _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": calls}])
    launch = _launch_id(registered.launch("instructor-1"))
    page = registered.client.get(f"/player/manage/attempts/{config['attempt']}?launch={launch}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "golf-q1" in text and "correct" in text
    learner_launch = _launch_id(registered.launch("learner-1"))
    assert registered.client.get(f"/player/manage/attempts/{config['attempt']}?launch={learner_launch}"
                                 ).status_code == 403


def test_finishing_a_scorm_activity_awards_the_credential_it_earns(app: Any, registered: LaunchActions) -> None:
    from bridge.models import Award, Course, CredentialTemplate, ScormActivity
    from bridge.services import awards
    from bridge.services import credential_templates as templates
    from bridge.services.award_rules import Combination, Condition, Criterion, CriterionKind, Rule
    from tests.support.awards_data import sample_template

    _setup(registered)
    with app.extensions["bridge"].db.session() as session:
        course = session.scalars(select(Course)).one()
        activity = session.scalars(select(ScormActivity)).one()
        tpl = templates.save_template(session, registration_pk=course.registration_id, course_pk=course.id,
                                      template=sample_template())
        criterion = Criterion(CriterionKind.SCORM_ACTIVITY, str(activity.id), Condition.PASSED)
        awards.set_rule(session, tpl, course.id, Rule(criteria=(criterion,), combination=Combination.ALL_OF))
        session.commit()
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    finish = _calls(("cmi.core.score.raw", "100"), ("cmi.core.lesson_status", "passed"), last="LMSFinish")
    assert _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": finish}]).status_code == 200
    with app.extensions["bridge"].db.session() as session:
        award = session.scalars(select(Award)).one()
        assert session.get(CredentialTemplate, tpl.id) is not None and award.status == "active"
        (satisfied,) = award.evidence["criteria"]
        assert award.evidence["satisfied"] and satisfied["facts"][0]["activity_id"] == str(activity.id)
        assert satisfied["facts"][0]["passed"] is True
