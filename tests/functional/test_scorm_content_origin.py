"""Separate content origin (SCORM_CONTENT_ORIGIN): package files and the relay page live only there, with no
tool cookies; the player page may frame only that origin; the relay answers only the tool's origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import tool_config
from tests.functional.test_scorm_player import _learner_player, _setup
from tests.support.launch_actions import LaunchActions
from tests.support.servers import ServerThread

CONTENT = "http://content.localhost"


@pytest.fixture
def relay_app(tmp_path: Path) -> Iterator[Flask]:
    from bridge import create_app

    application = create_app(tool_config(tmp_path, SCORM_CONTENT_ORIGIN=CONTENT))
    yield application
    application.extensions["bridge"].db.dispose()


@pytest.fixture
def relay_lti(relay_app: Flask, sandbox_server: ServerThread, platform: Any) -> LaunchActions:
    actions = LaunchActions(relay_app.test_client(), sandbox_server.url, platform)
    actions.register()
    return actions


def test_player_runs_in_relay_mode(relay_lti: LaunchActions) -> None:
    _setup(relay_lti)
    config = _learner_player(relay_lti)
    assert config["mode"] == "relay" and config["content_origin"] == CONTENT
    assert config["scos"][0]["launch_url"].startswith(f"{CONTENT}/player/content/")
    assert config["relay_url"].startswith(f"{CONTENT}/player/relay?p=")
    page = relay_lti.client.get(relay_lti.launch("learner-1").headers["Location"])
    assert f"frame-src {CONTENT}" in page.headers["Content-Security-Policy"]


def test_content_only_on_the_content_origin_and_without_cookies(relay_lti: LaunchActions) -> None:
    _setup(relay_lti)
    config = _learner_player(relay_lti)
    path = config["scos"][0]["launch_url"].removeprefix(CONTENT)
    assert relay_lti.client.get(path).status_code == 404  # not on the tool's origin
    with relay_lti.client.get(path, base_url=CONTENT) as response:
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_relay_page_trusts_only_the_tool_origin(relay_lti: LaunchActions) -> None:
    _setup(relay_lti)
    config = _learner_player(relay_lti)
    relay_path = config["relay_url"].removeprefix(CONTENT)
    response = relay_lti.client.get(relay_path, base_url=CONTENT)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert 'data-parent-origin="http://localhost"' in response.get_data(as_text=True)
    ancestors = response.headers["Content-Security-Policy"].split("frame-ancestors ", 1)[1].split()
    assert "http://localhost" in ancestors and relay_lti.sandbox_url in ancestors
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    forged = relay_path.split("&s=")[0] + "&s=forged"
    assert relay_lti.client.get(forged, base_url=CONTENT).status_code == 403
