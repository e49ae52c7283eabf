"""Deep Linking 2.0: the platform checks the tool's LtiDeepLinkingResponse and adds its items."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sandbox_support import BASE, FakeTool

from sandbox import tokens
from sandbox.models import Tool
from sandbox.platform import Platform

pytestmark = pytest.mark.usefixtures("mocked")
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def response_claims(platform: Platform, tool: Tool, **items: Any) -> dict[str, Any]:
    settings = tokens.deep_linking_settings(platform, tool.client_id, "instructor-1", "demo-course")
    now = int(time.time())
    content = [
        {
            "type": "ltiResourceLink",
            "title": "Badge quiz",
            "url": "https://tool.example/lti/launch",
            "custom": {"activity": "quiz-7"},
            "lineItem": {"scoreMaximum": 50, "label": "Badge quiz"},
        }
    ]
    return {
        "iss": tool.client_id,
        "aud": BASE,
        "iat": now,
        "exp": now + 300,
        "nonce": f"n-{now}-{id(settings)}",
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": tool.deployment_id,
        DL + "data": settings["data"],
        DL + "content_items": items.get("content", content),
        DL + "msg": "Added one quiz",
    }


def post(client: FlaskClient, jwt_value: str) -> Any:
    return client.post("/lti/deep-link-return", data={"JWT": jwt_value})


def test_good_response_adds_a_resource_link_and_line_item(
    client: FlaskClient, platform: Platform, tool: Tool, fake_tool: FakeTool
) -> None:
    answer = post(client, fake_tool.sign(response_claims(platform, tool)))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "Badge quiz" in answer.get_data(as_text=True) and "Added one quiz" in answer.get_data(as_text=True)
    link = next(rl for rl in platform.resource_links.values() if rl.title == "Badge quiz")
    assert link.client_id == tool.client_id and link.custom == {"activity": "quiz-7"}
    assert platform.line_item_for_link(link.id, tool.client_id).score_maximum == 50  # type: ignore[union-attr]
    assert platform.deep_link_responses[-1][DL + "msg"] == "Added one quiz"


def test_replayed_response_is_refused(client: FlaskClient, platform: Platform, tool: Tool, fake_tool: FakeTool) -> None:
    token = fake_tool.sign(response_claims(platform, tool))
    assert post(client, token).status_code == 200
    assert post(client, token).status_code == 400


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda c: c.pop(name)


BAD: dict[str, Callable[[dict[str, Any]], None]] = {
    "iss": lambda c: c.update(iss="someone-else"),
    "aud": lambda c: c.update(aud="https://other.example"),
    "expired": lambda c: c.update(iat=1000, exp=2000),
    "iat in the future": lambda c: c.update(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200),
    "no exp": _drop("exp"),
    "no nonce": _drop("nonce"),
    "message_type": lambda c: c.update({LTI + "message_type": "LtiResourceLinkRequest"}),
    "version": lambda c: c.update({LTI + "version": "1.1"}),
    "deployment_id": lambda c: c.update({LTI + "deployment_id": "other"}),
    "no data": _drop(DL + "data"),
    "forged data": lambda c: c.update({DL + "data": "forged"}),
    "item type": lambda c: c.update({DL + "content_items": [{"type": "html", "html": "<p>x</p>"}]}),
    "item url scheme": lambda c: c.update({DL + "content_items": [{"type": "ltiResourceLink", "url": "ftp://x"}]}),
    "item url query": lambda c: c.update(
        {DL + "content_items": [{"type": "ltiResourceLink", "url": "https://tool.example/a?b=1"}]}
    ),
    "line item max": lambda c: c.update(
        {DL + "content_items": [{"type": "ltiResourceLink", "lineItem": {"scoreMaximum": 0}}]}
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_claims_are_refused_and_change_nothing(
    client: FlaskClient, platform: Platform, tool: Tool, fake_tool: FakeTool, case: str
) -> None:
    claims = response_claims(platform, tool)
    BAD[case](claims)
    before = len(platform.resource_links)
    answer = post(client, fake_tool.sign(claims))
    assert answer.status_code == 400 and "refused" in answer.get_data(as_text=True)
    assert len(platform.resource_links) == before and platform.deep_link_responses == []


def test_bad_signature_and_missing_jwt(
    client: FlaskClient, platform: Platform, tool: Tool, fake_tool: FakeTool
) -> None:
    claims = response_claims(platform, tool)
    assert post(client, FakeTool(kid=fake_tool.kid).sign(claims)).status_code == 400
    assert post(client, fake_tool.sign(claims, kid="unknown-kid")).status_code == 400
    assert post(client, "not-a-jwt").status_code == 400
    assert client.post("/lti/deep-link-return", data={}).status_code == 400
