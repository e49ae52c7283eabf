"""Launch initiation, the OIDC authorization endpoint and the id_token claims."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient
from sandbox_support import BASE

from sandbox.models import Tool
from sandbox.platform import Platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
JSON = {"Accept": "application/json"}


def start(client: FlaskClient, tool: Tool, user: str = "learner-1", path: str = "/launch/rl-quiz") -> dict[str, Any]:
    answer = client.get(f"{path}?user={user}&client_id={tool.client_id}", headers=JSON)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json  # type: ignore[no-any-return]


def auth_params(tool: Tool, login: dict[str, Any], **overrides: str) -> dict[str, str]:
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": tool.client_id,
        "redirect_uri": tool.redirect_uris[0],
        "state": "st-1",
        "nonce": "n-1",
        "login_hint": login["fields"]["login_hint"],
        "lti_message_hint": login["fields"]["lti_message_hint"],
    }
    params.update(overrides)
    return params


def launch(
    client: FlaskClient,
    platform: Platform,
    tool: Tool,
    user: str = "learner-1",
    path: str = "/launch/rl-quiz",
) -> dict[str, Any]:
    login = start(client, tool, user, path)
    form = client.post("/lti/auth", data=auth_params(tool, login), headers=JSON).json
    key = platform.private_key.public_key()
    return jwt.decode(form["fields"]["id_token"], key, algorithms=["RS256"], audience=tool.client_id)  # type: ignore[no-any-return]


def test_login_initiation_carries_the_third_party_login_parameters(client: FlaskClient, tool: Tool) -> None:
    login = start(client, tool)
    assert login["action"] == "https://tool.example/lti/login" and login["method"] == "POST"
    fields = login["fields"]
    assert fields["iss"] == BASE and fields["login_hint"] == "learner-1"
    assert fields["client_id"] == tool.client_id and fields["lti_deployment_id"] == tool.deployment_id
    assert fields["target_link_uri"] == "https://tool.example/lti/launch"
    assert fields["lti_storage_target"] == "_parent" and fields["lti_message_hint"]


def test_storage_target_can_be_switched_off(client: FlaskClient, tool: Tool) -> None:
    answer = client.get(f"/launch/rl-quiz?user=learner-1&storage=0&client_id={tool.client_id}", headers=JSON)
    assert "lti_storage_target" not in answer.json["fields"]


def test_html_login_page_auto_submits(client: FlaskClient, tool: Tool) -> None:
    page = client.get("/launch/rl-quiz?user=learner-1").get_data(as_text=True)
    assert '<form id="lti-form" method="POST" action="https://tool.example/lti/login">' in page
    assert 'name="lti_storage_target" value="_parent"' in page


def test_auth_answers_a_signed_learner_launch(client: FlaskClient, platform: Platform, tool: Tool) -> None:
    claims = launch(client, platform, tool)
    assert claims["iss"] == BASE and claims["sub"] == "learner-1" and claims["nonce"] == "n-1"
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest" and claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == tool.deployment_id
    assert claims[LTI + "resource_link"] == {"id": "rl-quiz", "title": "Final quiz"}
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert claims[LTI + "context"]["title"] == "Digital Skills 101"
    assert claims["email"] == "grace@example.edu" and claims["given_name"] == "Grace"
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitems"] == f"{BASE}/api/lti/courses/demo-course/lineitems"
    assert ags["lineitem"].startswith(ags["lineitems"] + "/")
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["service_versions"] == ["2.0"]


def test_user_without_email_gets_no_email_claim(client: FlaskClient, platform: Platform, tool: Tool) -> None:
    claims = launch(client, platform, tool, user="learner-2", path="/launch/rl-intro")
    assert "email" not in claims and claims["name"] == "Alan Turing"
    assert "lineitem" not in claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]


def test_services_claims_only_for_granted_scopes(client: FlaskClient, platform: Platform, tool: Tool) -> None:
    tool.scopes = []
    claims = launch(client, platform, tool)
    assert "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint" not in claims
    assert "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice" not in claims


def test_deep_linking_request(client: FlaskClient, platform: Platform, tool: Tool) -> None:
    login = start(client, tool, "instructor-1", "/launch/rl-intro/deep-link")
    assert login["fields"]["target_link_uri"] == "https://tool.example/lti/deep-link"
    form = client.post("/lti/auth", data=auth_params(tool, login), headers=JSON).json
    claims = jwt.decode(form["fields"]["id_token"], options={"verify_signature": False})
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    settings = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    assert settings["deep_link_return_url"] == f"{BASE}/lti/deep-link-return"
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["data"]
    assert LTI + "resource_link" not in claims


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"response_mode": "query"}, "invalid_request"),
        ({"prompt": "login"}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
        ({"login_hint": "learner-2"}, "login_required"),
        ({"login_hint": "nobody"}, "login_required"),
        ({"lti_message_hint": "forged"}, "invalid_request"),
    ],
)
def test_auth_errors_go_back_to_the_tool(client: FlaskClient, tool: Tool, override: dict[str, str], error: str) -> None:
    login = start(client, tool)
    answer = client.post("/lti/auth", data=auth_params(tool, login, **override), headers=JSON)
    assert answer.json["action"] == tool.redirect_uris[0]
    assert answer.json["fields"]["error"] == error and answer.json["fields"]["state"] == "st-1"
    assert "id_token" not in answer.json["fields"]


def test_auth_refuses_unknown_client_or_redirect(client: FlaskClient, tool: Tool) -> None:
    login = start(client, tool)
    assert client.post("/lti/auth", data=auth_params(tool, login, client_id="nope")).status_code == 400
    bad = auth_params(tool, login, redirect_uri="https://evil.example/cb")
    answer = client.get("/lti/auth", query_string=bad)
    assert answer.status_code == 400 and "redirect_uri" in answer.get_data(as_text=True)


def test_launch_errors_are_clear(client: FlaskClient, tool: Tool) -> None:
    assert client.get("/launch/rl-quiz?user=nobody").status_code == 400
    assert client.get("/launch/no-such-link?user=learner-1").status_code == 404


def test_home_and_play_pages(client: FlaskClient, tool: Tool) -> None:
    home = client.get("/").get_data(as_text=True)
    assert "Launch as Grace Hopper" in home and "Fake tool" in home and "Digital Skills 101" in home
    play = client.get("/course/demo-course/play/rl-quiz?user=learner-1").get_data(as_text=True)
    assert 'name="tool-frame"' in play and "lti.put_data" in play and "https://tool.example" in play
