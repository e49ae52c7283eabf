"""Shared fixtures: the tool app (factory, fresh database per test), the sandbox platform on a real
loopback server, and ``LaunchActions`` that drive launches between them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox import create_app as create_sandbox
from tests.support.launch_actions import LaunchActions
from tests.support.servers import ServerThread, free_port

TEST_SECRET = "test-secret-key-0123456789abcdef"


def tool_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://localhost",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": os.environ.get("BRIDGE_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'bridge.sqlite'}",
        "KEY_SIZE": 2048,
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    from bridge import create_app

    application = create_app(tool_config(tmp_path))
    yield application
    application.extensions["bridge"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ServerThread]:
    port = free_port()
    sandbox_app = create_sandbox({"SANDBOX_BASE_URL": f"http://127.0.0.1:{port}", "SANDBOX_PLATFORM_STORAGE": False})
    server = ServerThread(sandbox_app, port).start()
    server.app = sandbox_app  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture
def platform(sandbox_server: ServerThread) -> Any:
    return sandbox_server.app.extensions["sandbox"]  # type: ignore[attr-defined]


@pytest.fixture
def lti(client: FlaskClient, sandbox_server: ServerThread, platform: Any) -> LaunchActions:
    return LaunchActions(client, sandbox_server.url, platform)


@pytest.fixture
def registered(lti: LaunchActions) -> LaunchActions:
    lti.register()
    return lti
