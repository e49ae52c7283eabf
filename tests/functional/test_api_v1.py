"""REST API v1 against its own OpenAPI document: every answer validates against the documented schema; auth,
scopes and tenant isolation; bad input is refused with every problem and nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from bridge.models import CourseLineItem, CredentialTemplate
from bridge.services import api_tokens
from bridge.services.progress import FactInput, record_facts
from credentials.microcredential import to_json
from tests.support.awards_data import Tenant, make_tenant, sample_template

ITEM = "https://lms.example/li/quiz"


class Api:
    def __init__(self, client: FlaskClient, doc: dict[str, Any], token: str) -> None:
        self.client, self.doc, self.token = client, doc, token

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None,
             query: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        response = self.client.open(f"/api/v1{path}", method=method, headers=headers, json=body, query_string=query)
        self.check(method, path, response)
        return response

    def check(self, method: str, path: str, response: Any) -> None:
        """The response matches the documented schema of its operation and status."""
        template = _template_path(self.doc, path)
        op = self.doc["paths"][template][method.lower()]
        documented = op["responses"].get(str(response.status_code))
        assert documented is not None, f"{method} {path} answered undocumented {response.status_code}"
        if "$ref" in documented:
            documented = self.doc["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        schema = documented["content"]["application/json"]["schema"]
        # Inside the document, so that "#/components/..." references resolve.
        Draft202012Validator({"components": self.doc["components"], "allOf": [schema]}).validate(response.get_json())


def _template_path(doc: dict[str, Any], path: str) -> str:
    parts = path.split("?")[0].strip("/").split("/")
    for template in doc["paths"]:
        tparts = template.strip("/").split("/")
        if len(tparts) == len(parts) and all(t.startswith("{") or t == p for t, p in zip(tparts, parts, strict=True)):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def _tenant(app: Flask, name: str, scopes: list[str]) -> tuple[Tenant, str]:
    with app.extensions["bridge"].db.session() as s:
        tenant = make_tenant(s, name)
        s.add(CourseLineItem(course_id=tenant.course.id, url=ITEM, label="Quiz", score_maximum=10))
        _, token = api_tokens.create(s, tenant.registration.id, scopes)
        s.commit()
        return tenant, token


ALL = list(api_tokens.SCOPES)


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> tuple[Api, Tenant]:
    doc = client.get("/api/v1/openapi.json").get_json()
    tenant, token = _tenant(app, "api", ALL)
    return Api(client, doc, token), tenant


def test_openapi_document_is_a_valid_openapi_3_document(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    try:
        from openapi_spec_validator import validate  # type: ignore[import-not-found]
    except ImportError:
        validate = None
    if validate is not None:
        validate(doc)
    assert doc["openapi"].startswith("3.")
    refs = {m for m in json.dumps(doc).split('"$ref": "')[1:]}
    for ref in refs:
        section, name = ref.split('"', 1)[0].removeprefix("#/components/").split("/")
        assert name in doc["components"][section]
    for path, ops in doc["paths"].items():
        for op in ops.values():
            Draft202012Validator.check_schema(op.get("requestBody", {}).get("content", {}).get(
                "application/json", {}).get("schema", {}))
            assert op["responses"] and op["operationId"]
            assert {p["name"] for p in op["parameters"] if p["in"] == "path"} == {
                seg[1:-1] for seg in path.split("/") if seg.startswith("{")}


def test_template_import_export_ob3_elm_rule_award_progress(api: tuple[Api, Tenant], app: Flask) -> None:
    client, tenant = api
    course = tenant.course.id
    created = client.call("POST", "/templates", body={"course_id": course,
                                                      "template": json.loads(to_json(sample_template()))})
    assert created.status_code == 201
    tid = created.get_json()["id"]
    assert client.call("GET", f"/templates/{tid}/export").get_json() == json.loads(to_json(sample_template()))
    ob3 = client.call("GET", f"/templates/{tid}/ob3").get_json()
    assert ob3["type"] == ["Achievement"] and ob3["achievementType"] == "MicroCredential"
    elm = client.call("GET", f"/templates/{tid}/elm").get_json()
    assert elm["type"] == "LearningAchievementSpecification" and elm["creditPoint"]["point"] == "2.5"
    rule = {"combination": "all_of", "criteria": [{"kind": "ags_line_item", "target": ITEM,
                                                   "condition": "min_score", "min_score": 80}]}
    assert client.call("PUT", f"/templates/{tid}/rules/{course}", body=rule).status_code == 200
    assert client.call("GET", f"/templates/{tid}/rules/{course}").get_json()["criteria"][0]["min_score"] == 80
    learner = tenant.learners[0].id
    progress = client.call("GET", "/progress", query={"course_id": course, "user_id": learner}).get_json()
    assert progress["learners"][0]["credentials"][0]["missing"] == ["score at least 80% in Quiz"]
    with app.extensions["bridge"].db.session() as s:
        record_facts(s, [FactInput(course, learner, f"ags:{ITEM}", True, "ags", datetime.now(UTC), None, 9, 10)])
        from bridge.services import awards
        awards.evaluate_learner(s, course, learner, now=datetime.now(UTC))
        s.commit()
    [award] = client.call("GET", "/awards", query={"course_id": course}).get_json()["awards"]
    assert award["evidence"]["criteria"][0]["facts"][0]["score"] == 9
    revoked = client.call("POST", f"/awards/{award['id']}/status", body={"status": "revoked", "reason": "Error"})
    assert revoked.get_json()["status"] == "revoked"
    manual = client.call("POST", "/awards", body={"template_id": tid, "user_id": tenant.learners[1].id,
                                                  "course_id": course, "reason": "Prior learning"})
    assert manual.status_code == 201 and manual.get_json()["method"] == "manual"
    changed = client.call("PUT", f"/templates/{tid}", body={
        "template": json.loads(to_json(sample_template(volume_hours=50)))}).get_json()
    assert changed["versions"] == [1, 2]


@pytest.mark.parametrize(("change", "code"), [
    ({"ects": "1000"}, "ects_out_of_range"), ({"ects": "0"}, "ects_out_of_range"),
    ({"level": {"eqf": 9}}, "eqf_out_of_range"), ({"level": {"eqf": 0}}, "eqf_out_of_range"),
    ({"further_information_url": "javascript:alert(1)"}, "invalid_url"),
    ({"title": {"en": "<script>alert(1)</script>"}}, "script"),
    ({"description": {"en": "<img src=x onerror=alert(1)>"}}, "script"),
])
def test_bad_templates_answer_422_and_store_nothing(api: tuple[Api, Tenant], app: Flask,
                                                    change: dict[str, Any], code: str) -> None:
    client, tenant = api
    doc = json.loads(to_json(sample_template()))
    doc["template"].update(change)
    response = client.call("POST", "/templates", body={"course_id": tenant.course.id, "template": doc})
    assert response.status_code == 422
    assert code in {p["code"] for p in response.get_json()["problems"]}
    with app.extensions["bridge"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(CredentialTemplate)) == 0


def test_auth_scopes_and_tenant_isolation(api: tuple[Api, Tenant], app: Flask) -> None:
    client, tenant = api
    other, other_token = _tenant(app, "other", ["templates:read", "templates:write"])
    created = client.call("POST", "/templates", body={"course_id": tenant.course.id,
                                                      "template": json.loads(to_json(sample_template()))})
    tid = created.get_json()["id"]
    assert client.call("GET", f"/templates/{tid}", token="").status_code == 401
    assert client.call("GET", f"/templates/{tid}", token="cbt_forged").status_code == 401
    assert client.call("GET", f"/templates/{tid}", token=other_token).status_code == 404
    assert client.call("GET", "/templates", token=other_token,
                       query={"course_id": tenant.course.id}).status_code == 404
    assert client.call("GET", "/progress", token=other_token,
                       query={"course_id": other.course.id}).status_code == 403
    foreign = client.call("POST", "/templates", token=other_token, body={
        "course_id": tenant.course.id, "template": json.loads(to_json(sample_template()))})
    assert foreign.status_code == 404
    rule = {"criteria": [{"kind": "credential", "target": str(tid)}]}
    theirs = client.call("POST", "/templates", token=other_token, body={
        "course_id": other.course.id, "template": json.loads(to_json(sample_template()))}).get_json()["id"]
    stacked = client.call("PUT", f"/templates/{theirs}/rules/{other.course.id}", token=other_token, body=rule)
    assert stacked.status_code == 422 and "no credential template" in stacked.get_data(as_text=True)
    with app.extensions["bridge"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(CredentialTemplate)) == 2
