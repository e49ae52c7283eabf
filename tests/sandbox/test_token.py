"""The token endpoint (client credentials, JWT client assertion) and Bearer checks on services."""

from __future__ import annotations

import pytest
import responses
from flask.testing import FlaskClient
from sandbox_support import AGS, BASE, NRPS_SCOPE, FakeTool, token_request

from sandbox.models import Tool

pytestmark = pytest.mark.usefixtures("mocked")


def test_good_assertion_gets_a_bearer_token(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    answer = client.post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score " + NRPS_SCOPE))
    assert answer.status_code == 200
    assert answer.json["token_type"] == "Bearer" and answer.json["expires_in"] == 3600
    assert set(answer.json["scope"].split()) == {AGS + "score", NRPS_SCOPE}


def test_aud_may_be_a_list(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = token_request(fake_tool, tool.client_id, AGS + "score", aud=[f"{BASE}/lti/token", "other"])
    assert client.post("/lti/token", data=data).status_code == 200


def test_wrong_aud_is_invalid_client(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = token_request(fake_tool, tool.client_id, AGS + "score", aud="https://api.brightspace.com/auth/token")
    answer = client.post("/lti/token", data=data)
    assert answer.status_code == 401 and answer.json["error"] == "invalid_client"


def test_reused_jti_is_refused(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = token_request(fake_tool, tool.client_id, AGS + "score")
    assert client.post("/lti/token", data=data).status_code == 200
    again = client.post("/lti/token", data=data)
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"


def test_expired_assertion_is_refused(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = token_request(fake_tool, tool.client_id, AGS + "score", exp=1000, iat=900)
    assert client.post("/lti/token", data=data).json["error"] == "invalid_grant"


def test_wrong_key_is_invalid_client(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    impostor = FakeTool(kid=fake_tool.kid)
    answer = client.post("/lti/token", data=token_request(impostor, tool.client_id, AGS + "score"))
    assert answer.status_code == 401 and answer.json["error"] == "invalid_client"


def test_unknown_client_is_invalid_client(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    answer = client.post("/lti/token", data=token_request(fake_tool, "nobody", AGS + "score"))
    assert answer.status_code == 401 and answer.json["error"] == "invalid_client"


def test_scope_not_granted_is_invalid_scope(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = token_request(fake_tool, tool.client_id, AGS + "lineitem.readonly")
    answer = client.post("/lti/token", data=data)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_scope"


def test_wrong_grant_type(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    data = {**token_request(fake_tool, tool.client_id, AGS + "score"), "grant_type": "password"}
    assert client.post("/lti/token", data=data).json["error"] == "unsupported_grant_type"


def test_jwks_is_cached_and_refetched_on_unknown_kid(
    client: FlaskClient, tool: Tool, fake_tool: FakeTool, mocked: responses.RequestsMock
) -> None:
    for _ in range(2):
        assert (
            client.post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score")).status_code == 200
        )
    assert len(mocked.calls) == 1
    rotated = FakeTool()
    mocked.replace(responses.GET, fake_tool.jwks_uri, json=rotated.jwks())
    assert client.post("/lti/token", data=token_request(rotated, tool.client_id, AGS + "score")).status_code == 200
    assert len(mocked.calls) == 2


def test_services_need_a_token_with_the_right_scope(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> None:
    url = "/api/lti/courses/demo-course/memberships"
    missing = client.get(url)
    assert missing.status_code == 401 and "Bearer" in missing.headers["WWW-Authenticate"]
    assert client.get(url, headers={"Authorization": "Bearer forged"}).status_code == 401
    token = client.post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score")).json
    answer = client.get(url, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 403 and answer.json["error"] == "insufficient_scope"


def test_faults_are_injected_on_services(client: FlaskClient, platform, tool: Tool, fake_tool: FakeTool) -> None:
    platform.set_faults(error_rate=1.0, status=429, retry_after=7)
    answer = client.post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score"))
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert client.get("/.well-known/jwks.json").status_code == 200
    platform.set_faults()
    assert client.post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score")).status_code == 200
