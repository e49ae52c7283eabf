"""A minimal fake LTI tool for the sandbox tests: an RSA key, its JWKS, signed messages."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

TOOL_URL = "https://tool.example"
BASE = "http://sandbox.test"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeTool:
    base: str = TOOL_URL
    kid: str = field(default_factory=lambda: "tool-" + secrets.token_hex(4))
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)

    @property
    def jwks_uri(self) -> str:
        return f"{self.base}/jwks.json"

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def registration(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "application_type": "web",
            "response_types": ["id_token"],
            "grant_types": ["implicit", "client_credentials"],
            "initiate_login_uri": f"{self.base}/lti/login",
            "redirect_uris": [f"{self.base}/lti/launch"],
            "client_name": "Fake tool",
            "jwks_uri": self.jwks_uri,
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": " ".join(
                [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                    "https://example.com/unsupported/scope",
                ]
            ),
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                "domain": "tool.example",
                "target_link_uri": f"{self.base}/lti/launch",
                "claims": ["iss", "sub", "name", "email"],
                "messages": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest", "target_link_uri": f"{self.base}/lti/deep-link"},
                ],
            },
        }
        body.update(overrides)
        return body

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def client_assertion(self, client_id: str, aud: str | list[str], **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        return self.sign(claims)


def register(client: FlaskClient, body: dict[str, Any]) -> Any:
    token = client.post("/api/registration-tokens").json["registration_token"]
    return client.post("/lti/register", json=body, headers={"Authorization": f"Bearer {token}"})


AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def token_request(fake_tool: FakeTool, client_id: str, scope: str, **overrides: Any) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": fake_tool.client_assertion(
            client_id, overrides.pop("aud", f"{BASE}/lti/token"), **overrides
        ),
        "scope": scope,
    }


def bearer(client: FlaskClient, fake_tool: FakeTool, client_id: str, scope: str) -> dict[str, str]:
    """Authorization header with a fresh access token for `scope`."""
    answer = client.post("/lti/token", data=token_request(fake_tool, client_id, scope))
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def links(response: Any) -> dict[str, str]:
    """The RFC 8288 Link header of a test-client response as {rel: url}."""
    from requests.utils import parse_header_links

    return {link["rel"]: link["url"] for link in parse_header_links(response.headers.get("Link", ""))}
