"""Fixtures: a sandbox app, its platform state, a fake tool whose JWKS is served via `responses`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from sandbox_support import BASE, FakeTool, register

from sandbox import create_app
from sandbox.models import Tool
from sandbox.platform import Platform


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "SANDBOX_BASE_URL": BASE, "SANDBOX_PAGE_SIZE": 2})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def platform(app: Flask) -> Platform:
    return app.extensions["sandbox"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def tool_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake_tool(tool_key: rsa.RSAPrivateKey) -> FakeTool:
    return FakeTool(key=tool_key)


@pytest.fixture
def mocked(fake_tool: FakeTool) -> Iterator[responses.RequestsMock]:
    """Serve the fake tool's JWKS over (mocked) HTTP; `mocked.calls` counts the fetches."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(fake_tool.jwks_uri, json=fake_tool.jwks())
        yield rsps


@pytest.fixture
def tool(client: FlaskClient, platform: Platform, fake_tool: FakeTool) -> Tool:
    """The fake tool, registered through dynamic registration."""
    answer = register(client, fake_tool.registration())
    assert answer.status_code == 200, answer.json
    return platform.tools[answer.json["client_id"]]
