"""Shared fixtures: the tool app (factory, fresh database per test), the sandbox platform on a real
loopback server, and ``LaunchActions`` that drive launches between them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    name = f"bridge_test_{uuid.uuid4().hex[:12]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every test using the app runs on SQLite and, when BRIDGE_TEST_POSTGRES_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bridge.sqlite'}"
        return
    admin_url = os.environ.get("BRIDGE_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("BRIDGE_TEST_POSTGRES_URL is not set (`.ci/run` starts a PostgreSQL server and sets it)")
    with postgres_database(admin_url) as url:
        yield url


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    from bridge import create_app

    application = create_app(tool_config(tmp_path, DATABASE_URL=database_url))
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
