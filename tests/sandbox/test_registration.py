"""Discovery, JWKS and LTI Dynamic Registration."""

from __future__ import annotations

import jwt
from flask.testing import FlaskClient
from sandbox_support import BASE, FakeTool, register

from sandbox.platform import Platform

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def test_openid_configuration_has_what_dynamic_registration_needs(client: FlaskClient) -> None:
    config = client.get("/.well-known/openid-configuration").json
    assert config["issuer"] == BASE
    assert config["authorization_endpoint"] == f"{BASE}/lti/auth"
    assert config["token_endpoint"] == f"{BASE}/lti/token"
    assert config["registration_endpoint"] == f"{BASE}/lti/register"
    assert config["jwks_uri"] == f"{BASE}/.well-known/jwks.json"
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes_supported"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in config["scopes_supported"]
    platform_config = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert platform_config["product_family_code"] == "credential-bridge-sandbox"
    types = [m["type"] for m in platform_config["messages_supported"]]
    assert types == ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]


def test_jwks_verifies_tokens_the_platform_signs(client: FlaskClient, platform: Platform) -> None:
    jwks = client.get("/.well-known/jwks.json").json
    token = platform.sign_id_token({"hello": "world"})
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]
    key = jwt.PyJWK(jwks["keys"][0]).key
    assert jwt.decode(token, key, algorithms=["RS256"]) == {"hello": "world"}


def test_registration_grants_supported_scopes_and_answers_a_deployment(
    client: FlaskClient, platform: Platform, fake_tool: FakeTool
) -> None:
    answer = register(client, fake_tool.registration())
    assert answer.status_code == 200
    body = answer.json
    tool = platform.tools[body["client_id"]]
    assert body[TOOL_CONFIG]["deployment_id"] == tool.deployment_id
    assert "https://example.com/unsupported/scope" not in body["scope"].split()
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in tool.scopes
    assert tool.deep_link_url == "https://tool.example/lti/deep-link"
    assert body["client_name"] == "Fake tool"


def test_registration_token_is_single_use(client: FlaskClient, fake_tool: FakeTool) -> None:
    token = client.post("/api/registration-tokens").json["registration_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/lti/register", json=fake_tool.registration(), headers=headers).status_code == 200
    again = client.post("/lti/register", json=fake_tool.registration(), headers=headers)
    assert again.status_code == 401


def test_registration_needs_a_token(client: FlaskClient, fake_tool: FakeTool) -> None:
    assert client.post("/lti/register", json=fake_tool.registration()).status_code == 401
    forged = jwt.encode({"sub": "x"}, fake_tool.key, algorithm="RS256")
    headers = {"Authorization": f"Bearer {forged}"}
    assert client.post("/lti/register", json=fake_tool.registration(), headers=headers).status_code == 401


def test_registration_rejects_missing_fields(client: FlaskClient, fake_tool: FakeTool) -> None:
    for field in ("jwks_uri", "initiate_login_uri", "client_name", "redirect_uris"):
        body = fake_tool.registration()
        del body[field]
        answer = register(client, body)
        assert answer.status_code == 400, field
        assert answer.json["error"] == "invalid_client_metadata"
        assert field in answer.json["error_description"]
    for field, value in (
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("application_type", "native"),
        ("response_types", ["code"]),
    ):
        answer = register(client, fake_tool.registration(**{field: value}))
        assert answer.status_code == 400 and field in answer.json["error_description"]
    body = fake_tool.registration()
    del body[TOOL_CONFIG]["domain"]
    assert register(client, body).status_code == 400


def test_failed_registration_keeps_the_token_usable(client: FlaskClient, fake_tool: FakeTool) -> None:
    token = client.post("/api/registration-tokens").json["registration_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/lti/register", json={"client_name": "x"}, headers=headers).status_code == 400
    assert client.post("/lti/register", json=fake_tool.registration(), headers=headers).status_code == 200


def test_registration_accepts_messages_as_plain_strings(
    client: FlaskClient, platform: Platform, fake_tool: FakeTool
) -> None:
    body = fake_tool.registration()
    body[TOOL_CONFIG]["messages"] = ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
    answer = register(client, body)
    assert answer.status_code == 200
    tool = platform.tools[answer.json["client_id"]]
    assert [m["type"] for m in tool.messages] == ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
    assert tool.deep_link_url == "https://tool.example/lti/launch"


def test_browser_registration_page_frames_the_tool(client: FlaskClient) -> None:
    page = client.get("/tools/register?url=https://tool.example/register").get_data(as_text=True)
    assert 'src="https://tool.example/register?openid_configuration=' in page
    assert "registration_token=" in page and "org.imsglobal.lti.close" in page
    assert client.get("/tools/register?url=javascript:alert(1)").status_code == 400
