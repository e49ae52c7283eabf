"""Dynamic registration against the request shapes Moodle and Canvas use (LTI-DR 1.0 §3), via `responses`.

The end-to-end registration against the sandbox platform is in test_launch_flow.py.
"""

from __future__ import annotations

import html
import json
from typing import Any

import responses
from sqlalchemy import select

from bridge.models import DynamicRegistrationAttempt, Registration

PLATFORM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL = "https://purl.imsglobal.org/spec/lti-tool-configuration"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

MOODLE = "https://moodle.example.edu"
MOODLE_CONFIG = {
    # Shape of Moodle 4.x mod/lti/openid-configuration.php: messages_supported as plain strings.
    "issuer": MOODLE,
    "token_endpoint": f"{MOODLE}/mod/lti/token.php",
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    "jwks_uri": f"{MOODLE}/mod/lti/certs.php",
    "authorization_endpoint": f"{MOODLE}/mod/lti/auth.php",
    "registration_endpoint": f"{MOODLE}/mod/lti/openid-registration.php",
    "scopes_supported": ["https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome", AGS + "lineitem.readonly",
                         AGS + "result.readonly", AGS + "score", AGS + "lineitem", NRPS, "openid"],
    "response_types_supported": ["id_token"],
    "subject_types_supported": ["public", "pairwise"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
    PLATFORM: {"product_family_code": "moodle", "version": "4.5",
               "messages_supported": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
               "placements": ["AddContentMenu"], "variables": ["CourseSection.timeFrame.end"]},
}

CANVAS_CONFIG_URL = "https://sso.canvaslms.com/api/lti/security/openid-configuration"
CANVAS_CONFIG = {
    # Hosted Canvas: one issuer for every customer, configuration served from its SSO host.
    "issuer": "https://canvas.instructure.com",
    "authorization_endpoint": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "registration_endpoint": "https://school.instructure.com/api/lti/registrations",
    "jwks_uri": "https://sso.canvaslms.com/api/lti/security/jwks",
    "token_endpoint": "https://sso.canvaslms.com/login/oauth2/token",
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    "scopes_supported": ["openid", AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly",
                         AGS + "score", NRPS],
    "response_types_supported": ["id_token"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "claims_supported": ["sub", "picture", "email", "name", "given_name", "family_name", "locale"],
    "subject_types_supported": ["public"],
    "authorization_server": "sso.canvaslms.com",
    PLATFORM: {"product_family_code": "canvas", "version": "OpenSource",
               "messages_supported": [
                   {"type": "LtiResourceLinkRequest", "placements": ["course_navigation", "assignment_selection"]},
                   {"type": "LtiDeepLinkingRequest", "placements": ["link_selection", "assignment_selection"]}],
               "variables": ["Canvas.course.id"],
               "https://canvas.instructure.com/lti/account_name": "School"},
}


def _register(client: Any, config_url: str, token: str = "reg-token-1") -> Any:
    return client.get("/lti/register", query_string={"openid_configuration": config_url,
                                                     "registration_token": token})


def _sent(call: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(call.request.body)
    return body


@responses.activate
def test_moodle_registration(app: Any, client: Any) -> None:
    config_url = f"{MOODLE}/mod/lti/openid-configuration.php"
    responses.get(config_url, json=MOODLE_CONFIG)
    answer = {"client_id": "vXyz123", "registration_client_uri": f"{MOODLE}/x", "scope": f"{AGS}score {NRPS}",
              TOOL: {"deployment_id": "7", "domain": "localhost", "target_link_uri": "http://localhost/lti/launch"}}
    post = responses.post(MOODLE_CONFIG["registration_endpoint"], json=answer)
    response = _register(client, config_url)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "registered.js" in page and "vXyz123" in page
    sent = _sent(post.calls[0])
    assert post.calls[0].request.headers["Authorization"] == "Bearer reg-token-1"
    assert "id_token" in sent["response_types"]
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert sent["application_type"] == "web"
    assert sent["redirect_uris"] == ["http://localhost/lti/launch"]
    assert sent["initiate_login_uri"] == "http://localhost/lti/login"
    assert sent["jwks_uri"] == "http://localhost/.well-known/jwks.json"
    assert sent["client_name"]
    tool = sent[TOOL]
    assert tool["domain"] == "localhost" and tool["target_link_uri"] == "http://localhost/lti/launch"
    assert {m["type"] for m in tool["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert set(sent["scope"].split()) == {AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly",
                                          AGS + "score", NRPS}
    with app.extensions["bridge"].db.session() as session:
        reg = session.scalars(select(Registration)).one()
        assert (reg.issuer, reg.client_id) == (MOODLE, "vXyz123")
        assert reg.auth_login_url == MOODLE_CONFIG["authorization_endpoint"]
        assert [d.deployment_id for d in reg.deployments] == ["7"]
        assert reg.product_family == "moodle"


@responses.activate
def test_canvas_registration(app: Any, client: Any) -> None:
    responses.get(CANVAS_CONFIG_URL, json=CANVAS_CONFIG)
    post = responses.post(CANVAS_CONFIG["registration_endpoint"],
                          json={"client_id": "10000000000042", "scope": f"{AGS}score", TOOL: {"domain": "localhost"}})
    response = _register(client, CANVAS_CONFIG_URL)
    assert response.status_code == 200, response.get_data(as_text=True)
    tool = _sent(post.calls[0])[TOOL]
    assert tool["https://canvas.instructure.com/lti/privacy_level"] == "public"
    deep = [m for m in tool["messages"] if m["type"] == "LtiDeepLinkingRequest"][0]
    assert "link_selection" in deep["placements"]
    with app.extensions["bridge"].db.session() as session:
        reg = session.scalars(select(Registration)).one()
        assert reg.issuer == "https://canvas.instructure.com" and reg.client_id == "10000000000042"
        assert reg.deployments == []  # Canvas creates deployments on install: recorded at first launch


@responses.activate
def test_registration_token_is_single_use(app: Any, client: Any) -> None:
    config_url = f"{MOODLE}/mod/lti/openid-configuration.php"
    responses.get(config_url, json=MOODLE_CONFIG)
    responses.post(MOODLE_CONFIG["registration_endpoint"], json={"client_id": "c1", TOOL: {"deployment_id": "1"}})
    assert _register(client, config_url).status_code == 200
    again = _register(client, config_url)
    assert again.status_code == 400
    assert "already used" in html.unescape(again.get_data(as_text=True))


@responses.activate
def test_issuer_must_match_configuration_host(app: Any, client: Any) -> None:
    evil = dict(MOODLE_CONFIG, issuer="https://other-lms.example")
    responses.get(f"{MOODLE}/mod/lti/openid-configuration.php", json=evil)
    response = _register(client, f"{MOODLE}/mod/lti/openid-configuration.php")
    assert response.status_code == 400
    assert "does not match" in html.unescape(response.get_data(as_text=True))
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(Registration)).all() == []
        assert session.scalars(select(DynamicRegistrationAttempt)).one().status == "failed"


@responses.activate
def test_platform_refusal_is_explained(app: Any, client: Any) -> None:
    config_url = f"{MOODLE}/mod/lti/openid-configuration.php"
    responses.get(config_url, json=MOODLE_CONFIG)
    responses.post(MOODLE_CONFIG["registration_endpoint"], status=400,
                   json={"error": "invalid_client_metadata", "error_description": "Bad jwks_uri"})
    response = _register(client, config_url)
    assert response.status_code == 400
    assert "Bad jwks_uri" in html.unescape(response.get_data(as_text=True))


@responses.activate
def test_not_a_platform_configuration(app: Any, client: Any) -> None:
    config_url = f"{MOODLE}/mod/lti/openid-configuration.php"
    responses.get(config_url, body="<html>login</html>", content_type="text/html")
    response = _register(client, config_url)
    assert response.status_code == 400
    assert "not JSON" in html.unescape(response.get_data(as_text=True))


def test_register_without_parameters_explains_itself(client: Any) -> None:
    response = client.get("/lti/register")
    assert response.status_code == 400
    assert "openid_configuration" in response.get_data(as_text=True)


def test_canvas_developer_key_json(client: Any) -> None:
    data = client.get("/lti/canvas.json").get_json()
    assert data["oidc_initiation_url"] == "http://localhost/lti/login"
    assert data["target_link_uri"] == "http://localhost/lti/launch"
    assert data["public_jwk_url"] == "http://localhost/.well-known/jwks.json"
    assert NRPS in data["scopes"]
    ext = data["extensions"][0]
    assert ext["platform"] == "canvas.instructure.com" and ext["privacy_level"] == "public"
    assert {p["message_type"] for p in ext["settings"]["placements"]} == {"LtiResourceLinkRequest",
                                                                          "LtiDeepLinkingRequest"}
