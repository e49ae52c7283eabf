"""REST API v1: templates (import/export, OB3 Achievement, ELM specification), rules, awards, progress.

Every id is looked up within the token's tenant; another tenant's ids answer 404. Bad input answers 400 or 422
with every problem listed, and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, request

from bridge.api import openapi
from bridge.api.auth import ApiCaller, caller, course_of
from bridge.models import Award, CredentialTemplate, LmsUser
from bridge.services import award_reports, awards
from bridge.services import credential_templates as templates
from bridge.services.award_rules import RuleProblem, rule_from_json
from bridge.web import db_session
from credentials import microcredential as mc

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _unprocessable(problems: list[dict[str, str]]) -> NoReturn:
    abort(Response(json.dumps({"error": "Unprocessable Entity", "message": "The input has problems; nothing was "
                               "stored.", "problems": problems}), 422, mimetype="application/json"))


def _guard(err: templates.AwardsError | RuleProblem) -> NoReturn:
    if isinstance(err, templates.NotFound):
        abort(404, description=str(err))
    if isinstance(err, RuleProblem):
        _unprocessable([{"field": "rule", "code": "invalid_rule", "message": p} for p in err.problems])
    problems = err.problems if isinstance(err, templates.InvalidInput) else []
    _unprocessable([{"field": p.field, "code": p.code, "message": p.message} for p in problems])


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object (Content-Type: application/json).")
    return data


def _template(who: ApiCaller, template_id: int) -> CredentialTemplate:
    try:
        return templates.get_template(db_session(), who.registration_pk, template_id)
    except templates.NotFound as err:
        _guard(err)


def _template_json(t: CredentialTemplate) -> dict[str, Any]:
    version = templates.current_version(t)
    return {"id": t.id, "course_id": t.course_id, "library": t.course_id is None, "version": version.version,
            "versions": [v.version for v in t.versions], "title": version.title, "template": json.loads(version.body)}


def _award_json(a: Award) -> dict[str, Any]:
    return {"id": a.id, "user_id": a.user_id, "template_id": a.template_id, "course_id": a.course_id,
            "template_version_id": a.template_version_id, "status": a.status, "status_reason": a.status_reason,
            "method": a.method, "awarded_at": a.awarded_at.isoformat(), "evidence": a.evidence,
            "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            "history": [{"from": h.from_status, "to": h.to_status, "reason": h.reason,
                         "at": h.changed_at.isoformat()} for h in a.history]}


def _import(who: ApiCaller, course_pk: int | None, doc: object, existing: CredentialTemplate | None = None,
            ) -> CredentialTemplate:
    try:
        record = mc.from_json(json.dumps(doc))
        return templates.save_template(db_session(), registration_pk=who.registration_pk, course_pk=course_pk,
                                       template=record, existing=existing)
    except mc.TemplateImportError as err:
        _guard(templates.InvalidInput(err.problems))
    except templates.AwardsError as err:
        _guard(err)


@bp.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(openapi.document(request.host_url.rstrip("/")))


@bp.get("/templates")
def list_templates() -> Any:
    who = caller("templates:read")
    course = course_of(who, request.args["course_id"]) if "course_id" in request.args else None
    rows = templates.list_templates(db_session(), who.registration_pk, course)
    return jsonify({"templates": [_template_json(t) for t in rows]})


@bp.post("/templates")
def create_template() -> Any:
    who = caller("templates:write")
    body = _body()
    course = course_of(who, body["course_id"]) if body.get("course_id") is not None else None
    row = _import(who, course, body.get("template"))
    db_session().commit()
    return jsonify(_template_json(row)), 201


@bp.get("/templates/<int:template_id>")
def get_template(template_id: int) -> Any:
    return jsonify(_template_json(_template(caller("templates:read"), template_id)))


@bp.put("/templates/<int:template_id>")
def update_template(template_id: int) -> Any:
    who = caller("templates:write")
    row = _template(who, template_id)
    _import(who, row.course_id, _body().get("template"), existing=row)
    db_session().commit()
    return jsonify(_template_json(row))


@bp.get("/templates/<int:template_id>/export")
def export_template(template_id: int) -> Any:
    row = _template(caller("templates:read"), template_id)
    return Response(templates.current_version(row).body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="template-{row.id}.json"'})


@bp.get("/templates/<int:template_id>/ob3")
def export_ob3(template_id: int) -> Any:
    row = _template(caller("templates:read"), template_id)
    base = current_app.config["BASE_URL"]
    return jsonify(templates.ob3_achievement(row, templates.current_version(row), base))


@bp.get("/templates/<int:template_id>/elm")
def export_elm(template_id: int) -> Any:
    row = _template(caller("templates:read"), template_id)
    base = current_app.config["BASE_URL"]
    return jsonify(templates.elm_specification(row, templates.current_version(row), base))


@bp.get("/templates/<int:template_id>/rules/<int:course_id>")
def get_rule(template_id: int, course_id: int) -> Any:
    who = caller("templates:read")
    row = _template(who, template_id)
    rule = awards.get_rule(db_session(), row.id, course_of(who, course_id))
    if rule is None:
        abort(404, description="This credential has no award rule in that course yet.")
    return jsonify(awards.rule_of(rule).as_json())


@bp.put("/templates/<int:template_id>/rules/<int:course_id>")
def put_rule(template_id: int, course_id: int) -> Any:
    who = caller("templates:write")
    course = course_of(who, course_id)
    try:
        row = templates.get_template(db_session(), who.registration_pk, template_id, course)
        stored = awards.set_rule(db_session(), row, course, rule_from_json(_body()))
    except (templates.AwardsError, RuleProblem) as err:
        _guard(err)
    db_session().commit()
    return jsonify(awards.rule_of(stored).as_json())


@bp.get("/awards")
def list_awards() -> Any:
    who = caller("awards:read")
    course = course_of(who, request.args.get("course_id", ""))
    _, rows = award_reports.dashboard(db_session(), who.registration_pk, course, now=datetime.now(UTC))
    found = [c.award for r in rows for c in r.cells if c.award is not None and c.award.course_id == course]
    return jsonify({"awards": [_award_json(a) for a in found]})


@bp.post("/awards")
def create_award() -> Any:
    who = caller("awards:write")
    body = _body()
    course = course_of(who, body.get("course_id", ""))
    session = db_session()
    user = session.get(LmsUser, body.get("user_id")) if isinstance(body.get("user_id"), int) else None
    if user is None or user.registration_id != who.registration_pk:
        abort(404, description="There is no such learner on this API token's platform.")
    try:
        row = templates.get_template(session, who.registration_pk, int(body.get("template_id") or 0), course)
        award = awards.award_manually(session, row, user.id, course, reason=str(body.get("reason", "")), by=None,
                                      now=datetime.now(UTC))
    except templates.AwardsError as err:
        _guard(err)
    session.commit()
    return jsonify(_award_json(award)), 201


@bp.get("/awards/<int:award_id>")
def get_award(award_id: int) -> Any:
    who = caller("awards:read")
    try:
        return jsonify(_award_json(awards.get_award(db_session(), who.registration_pk, award_id)))
    except templates.NotFound as err:
        _guard(err)


@bp.post("/awards/<int:award_id>/status")
def change_award_status(award_id: int) -> Any:
    who = caller("awards:write")
    body = _body()
    try:
        award = awards.get_award(db_session(), who.registration_pk, award_id)
        awards.change_status(db_session(), award, str(body.get("status", "")), reason=str(body.get("reason", "")),
                             by=None, now=datetime.now(UTC))
    except templates.AwardsError as err:
        _guard(err)
    db_session().commit()
    return jsonify(_award_json(award))


@bp.get("/progress")
def progress() -> Any:
    who = caller("progress:read")
    course = course_of(who, request.args.get("course_id", ""))
    _, rows = award_reports.dashboard(db_session(), who.registration_pk, course, now=datetime.now(UTC))
    wanted = request.args.get("user_id")
    return jsonify({"learners": [{"user_id": r.user_id, "credentials": [c.as_json() for c in r.cells]}
                                 for r in rows if wanted is None or str(r.user_id) == wanted]})
