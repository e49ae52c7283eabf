"""A tool and a sandbox platform both on real loopback HTTP, for LTI Advantage service tests.

The sandbox's token endpoint verifies client assertions with the tool's JWKS fetched from the tool's
``jwks_uri``, and its deep-link return verifies the tool's signature the same way: so here the tool runs on
a real server too, with ``BASE_URL`` set to its own address. Each test gets a fresh platform (its own
grades and roster), registered by dynamic registration and launched once by the instructor so that the
course's service endpoints are recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from bridge import create_app
from bridge.models import Course
from bridge.services.service_tokens import DbTokenCache
from bridge.services.sync import CourseConnectors, course_connectors
from connectors.retry import RetryPolicy
from sandbox import create_app as create_sandbox
from tests.conftest import tool_config
from tests.support.launch_actions import LaunchActions
from tests.support.servers import ServerThread, free_port

COURSE = "demo-course"
FAST_RETRY = RetryPolicy(max_attempts=4, max_total_sleep=5.0, base=0.01, cap=0.05)


@dataclass
class Live:
    app: Flask
    tool: ServerThread
    sandbox: ServerThread
    platform: Any
    lti: LaunchActions

    def session(self) -> Session:
        return self.app.extensions["bridge"].db.sessionmaker()  # type: ignore[no-any-return]

    def course(self, session: Session) -> Course:
        course = session.query(Course).filter_by(context_id=COURSE).one()
        return course

    def connectors(self, session: Session, course: Course, **options: Any) -> CourseConnectors:
        services = self.app.extensions["bridge"]
        options.setdefault("retry", FAST_RETRY)
        return course_connectors(session, services.box, course, cache=DbTokenCache(services.db.sessionmaker),
                                 http=services.http, **options)


def start_live(tmp_path: Path, *, page_size: int = 2, members: int = 0) -> Live:
    sandbox_port, tool_port = free_port(), free_port()
    sandbox_app = create_sandbox({"SANDBOX_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
                                  "SANDBOX_PLATFORM_STORAGE": False, "SANDBOX_PAGE_SIZE": page_size,
                                  "SANDBOX_SEED_MEMBERS": members})
    sandbox = ServerThread(sandbox_app, sandbox_port).start()
    app = create_app(tool_config(tmp_path, BASE_URL=f"http://127.0.0.1:{tool_port}"))
    tool = ServerThread(app, tool_port).start()
    platform = sandbox_app.extensions["sandbox"]
    lti = LaunchActions(app.test_client(), sandbox.url, platform)
    return Live(app, tool, sandbox, platform, lti)


def stop_live(live: Live) -> None:
    live.tool.stop()
    live.sandbox.stop()
    live.app.extensions["bridge"].db.dispose()


@pytest.fixture(name="live")
def live_fixture(tmp_path: Path) -> Iterator[Live]:
    """Tool and platform on loopback, the tool registered and launched once by the instructor."""
    running = start_live(tmp_path)
    try:
        running.lti.register()
        response = running.lti.launch("instructor-1", "rl-quiz")
        assert response.status_code == 303, response.get_data(as_text=True)
        yield running
    finally:
        stop_live(running)
