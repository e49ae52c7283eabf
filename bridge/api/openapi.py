"""The OpenAPI 3.1 document of REST API v1 (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from bridge.services.api_tokens import SCOPES

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Json, description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _int_path(name: str) -> Json:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, required: bool = False) -> Json:
    return {"name": name, "in": "query", "required": required, "schema": {"type": "integer"}}


ERRORS = {"400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}}
INVALID = {"422": _json(_ref("Problems"), "Invalid input; every problem listed, nothing stored")}


def _op(op_id: str, summary: str, scope: str, ok: Json, *, params: list[Json] | None = None,
        body: Json | None = None, status: str = "200", invalid: bool = False) -> Json:
    op: Json = {"operationId": op_id, "summary": summary, "security": [{"bearer": [scope]}],
                "parameters": params or [], "responses": {status: ok, **ERRORS, **(INVALID if invalid else {})}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


SCHEMAS: Json = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
    "Problems": {"type": "object", "required": ["problems"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object", "required": ["field", "code", "message"],
                                                "properties": {"field": {"type": "string"},
                                                               "code": {"type": "string"},
                                                               "message": {"type": "string"}}}}}},
    "TemplateExport": {"type": "object", "required": ["format", "template"], "properties": {
        "format": {"const": "credential-bridge/microcredential-template@1"},
        "template": {"type": "object", "description": "Annex I elements (credentials.microcredential)"}}},
    "Template": {"type": "object", "required": ["id", "version", "title", "template"], "properties": {
        "id": {"type": "integer"}, "course_id": {"type": ["integer", "null"]}, "library": {"type": "boolean"},
        "version": {"type": "integer"}, "versions": {"type": "array", "items": {"type": "integer"}},
        "title": {"type": "string"}, "template": _ref("TemplateExport")}},
    "TemplateInput": {"type": "object", "required": ["template"], "properties": {
        "course_id": {"type": ["integer", "null"], "description": "null: a library template of the tenant"},
        "template": _ref("TemplateExport")}},
    "Criterion": {"type": "object", "required": ["kind", "target"], "properties": {
        "kind": {"enum": ["ags_line_item", "scorm_activity", "connector", "credential"]}, "target": {"type": "string"},
        "condition": {"enum": ["completed", "passed", "min_score"]},
        "min_score": {"type": ["number", "null"], "minimum": 0, "maximum": 100}, "label": {"type": "string"}}},
    "Rule": {"type": "object", "required": ["criteria"], "properties": {
        "combination": {"enum": ["all_of", "at_least_n"]}, "required": {"type": ["integer", "null"]},
        "valid_days": {"type": ["integer", "null"]}, "criteria": {"type": "array", "items": _ref("Criterion")}}},
    "Award": {"type": "object", "required": ["id", "user_id", "template_id", "status", "evidence"], "properties": {
        "id": {"type": "integer"}, "user_id": {"type": "integer"}, "template_id": {"type": "integer"},
        "course_id": {"type": ["integer", "null"]}, "template_version_id": {"type": "integer"},
        "status": {"enum": ["active", "revoked", "suspended"]}, "status_reason": {"type": "string"},
        "method": {"type": "string"}, "awarded_at": {"type": "string", "format": "date-time"},
        "valid_until": {"type": ["string", "null"], "format": "date-time"}, "evidence": {"type": "object"},
        "history": {"type": "array", "items": {"type": "object"}}}},
    "AwardInput": {"type": "object", "required": ["template_id", "user_id", "course_id", "reason"], "properties": {
        "template_id": {"type": "integer"}, "user_id": {"type": "integer"}, "course_id": {"type": "integer"},
        "reason": {"type": "string"}}},
    "StatusInput": {"type": "object", "required": ["status", "reason"], "properties": {
        "status": {"enum": ["active", "revoked", "suspended"]}, "reason": {"type": "string"}}},
    "Progress": {"type": "object", "required": ["learners"], "properties": {"learners": {"type": "array", "items": {
        "type": "object", "properties": {"user_id": {"type": "integer"}, "credentials": {"type": "array", "items": {
            "type": "object", "properties": {
                "template_id": {"type": "integer"}, "title": {"type": "string"}, "version": {"type": "integer"},
                "status": {"enum": ["awarded", "revoked", "suspended", "pending", "no_rule"]},
                "met": {"type": "integer"}, "needed": {"type": "integer"},
                "missing": {"type": "array", "items": {"type": "string"}},
                "award_id": {"type": ["integer", "null"]}}}}}}}}},
}


def _paths() -> Json:
    tid, cid = _int_path("template_id"), _int_path("course_id")
    template_ok = _json(_ref("Template"), "The template")
    return {
        "/templates": {
            "get": _op("listTemplates", "Templates of a course and the tenant's library", "templates:read",
                       _json({"type": "object", "properties": {"templates": {"type": "array",
                                                                             "items": _ref("Template")}}},
                             "Templates"), params=[_query("course_id")]),
            "post": _op("importTemplate", "Create/import a template (export format)", "templates:write",
                        template_ok, body=_ref("TemplateInput"), status="201", invalid=True)},
        "/templates/{template_id}": {
            "get": _op("getTemplate", "A template (current version)", "templates:read", template_ok, params=[tid]),
            "put": _op("updateTemplate", "Change a template: a new version when the content differs",
                       "templates:write", template_ok, params=[tid], body=_ref("TemplateInput"), invalid=True)},
        "/templates/{template_id}/export": {"get": _op(
            "exportTemplate", "The template in the export format", "templates:read",
            _json(_ref("TemplateExport"), "Export document"), params=[tid])},
        "/templates/{template_id}/ob3": {"get": _op(
            "templateOb3", "The template as an Open Badges 3.0 Achievement", "templates:read",
            _json({"type": "object"}, "OB3 Achievement"), params=[tid])},
        "/templates/{template_id}/elm": {"get": _op(
            "templateElm", "The template as an ELM 3 LearningAchievementSpecification", "templates:read",
            _json({"type": "object"}, "ELM specification"), params=[tid])},
        "/templates/{template_id}/rules/{course_id}": {
            "get": _op("getRule", "The award rule of a template in a course", "templates:read",
                       _json(_ref("Rule"), "Rule"), params=[tid, cid]),
            "put": _op("putRule", "Set the award rule of a template in a course", "templates:write",
                       _json(_ref("Rule"), "Rule"), params=[tid, cid], body=_ref("Rule"), invalid=True)},
        "/awards": {
            "get": _op("listAwards", "Awards given in a course", "awards:read",
                       _json({"type": "object", "properties": {"awards": {"type": "array", "items": _ref("Award")}}},
                             "Awards"), params=[_query("course_id", True)]),
            "post": _op("awardManually", "Award a credential manually (with a reason)", "awards:write",
                        _json(_ref("Award"), "Award"), body=_ref("AwardInput"), status="201", invalid=True)},
        "/awards/{award_id}": {"get": _op("getAward", "An award with evidence and status history", "awards:read",
                                          _json(_ref("Award"), "Award"), params=[_int_path("award_id")])},
        "/awards/{award_id}/status": {"post": _op(
            "changeAwardStatus", "Revoke, suspend or reinstate an award (with a reason)", "awards:write",
            _json(_ref("Award"), "Award"), params=[_int_path("award_id")], body=_ref("StatusInput"), invalid=True)},
        "/progress": {"get": _op("getProgress", "Learners' progress towards each credential of a course",
                                 "progress:read", _json(_ref("Progress"), "Progress"),
                                 params=[_query("course_id", True), _query("user_id")])},
    }


def _response(description: str) -> Json:
    return _json(_ref("Error"), description)


def document(server_url: str) -> Json:
    """The OpenAPI 3.1 document; ``server_url`` is the tool's public base URL."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Credential Bridge API", "version": "1.0.0",
                 "description": "Micro-credential templates, award rules, awards and progress of a tenant."},
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": {"BadRequest": _response("Malformed request"),
                          "Unauthorized": _response("Missing or invalid API token"),
                          "Forbidden": _response("The token lacks the scope"),
                          "NotFound": _response("Not found for this tenant")},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Per-tenant API token; scopes: " + ", ".join(SCOPES)}},
        },
    }
