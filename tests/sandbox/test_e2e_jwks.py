"""The token endpoint fetches a tool's JWKS from a real HTTP server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask, jsonify
from sandbox_support import AGS, FakeTool, token_request
from werkzeug.serving import make_server

from sandbox import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def tool_server(fake_tool: FakeTool) -> Iterator[str]:
    tool_app = Flask("fake_tool")
    tool_app.add_url_rule("/jwks.json", "jwks", lambda: jsonify(fake_tool.jwks()))
    server = make_server("127.0.0.1", 0, tool_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_token_with_jwks_over_real_http(tool_server: str, fake_tool: FakeTool) -> None:
    app = create_app({"SANDBOX_BASE_URL": "http://sandbox.test"})
    tool = app.extensions["sandbox"].add_tool_manually(
        "real",
        jwks_uri=f"{tool_server}/jwks.json",
        initiate_login_uri=f"{tool_server}/login",
        redirect_uris=[f"{tool_server}/launch"],
        target_link_uri=f"{tool_server}/launch",
    )
    answer = app.test_client().post("/lti/token", data=token_request(fake_tool, tool.client_id, AGS + "score"))
    assert answer.status_code == 200, answer.json
