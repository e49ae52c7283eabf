"""Real servers and a real browser: the sandbox LMS and the tool on two different sites, Debian Chromium.

The sandbox runs at ``http://127.0.0.1:PORT`` and the tool at ``http://localhost:PORT2``: a site is scheme +
host (ports do not count), so inside the sandbox's course page the tool is a *third party*, as it is in a
real LMS. Whether the browser keeps third-party cookies is a profile preference
(``profile.cookie_controls_mode``: 1 blocks them, 0 allows them), so each test gets a persistent Chromium
profile written with the preference it needs; ``cookie_probe`` checks the browser really behaves that way.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from sandbox import create_app as create_sandbox
from tests.conftest import tool_config
from tests.support.servers import ServerThread, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# chrome://settings/cookies: 0 = allow third-party cookies, 1 = block third-party cookies.
COOKIE_CONTROLS = {"blocked": 1, "allowed": 0}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Debian Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def tls_terminating_proxy(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """What a TLS-terminating reverse proxy adds in production (the tool trusts it with PROXY_FIX=1)."""

    def forwarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
        return app(environ, start_response)

    return forwarded


class Servers:
    """The sandbox and the tool on real loopback ports, the tool registered by dynamic registration.

    ``behind_tls_proxy``: the tool runs as deployed behind TLS, so its cookies are ``SameSite=None; Secure;
    Partitioned``; http://localhost is a secure context, so Chromium accepts them as it would over https.
    """

    def __init__(self, tmp_path: Path, *, behind_tls_proxy: bool = False) -> None:
        from bridge import create_app

        sandbox_port, tool_port = free_port(), free_port()
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        self.tool_url = f"http://localhost:{tool_port}"
        self.sandbox_app: Flask = create_sandbox({"SANDBOX_BASE_URL": self.sandbox_url,
                                                  "SANDBOX_PLATFORM_STORAGE": True})
        self.tool_app: Flask = create_app(tool_config(tmp_path, BASE_URL=self.tool_url,
                                                      PROXY_FIX=1 if behind_tls_proxy else 0))
        tool_wsgi = tls_terminating_proxy(self.tool_app) if behind_tls_proxy else self.tool_app
        self.sandbox = ServerThread(self.sandbox_app, sandbox_port).start()
        self.tool = ServerThread(tool_wsgi, tool_port).start()

    @property
    def platform(self) -> Any:
        return self.sandbox_app.extensions["sandbox"]

    def register_tool(self) -> str:
        """Headless dynamic registration: a token from the sandbox, the tool's /lti/register does the rest."""
        with requests.Session() as http:
            start = http.post(f"{self.sandbox_url}/api/registration-tokens", timeout=10)
            start.raise_for_status()
            answer = http.get(f"{self.tool_url}/lti/register", params=start.json(), timeout=30)
        assert answer.status_code == 200, answer.text
        return str(list(self.platform.tools)[-1])

    def play_url(self, user: str, link: str = "rl-intro", **query: str) -> str:
        params = "&".join(f"{k}={v}" for k, v in {"user": user, **query}.items())
        return f"{self.sandbox_url}/course/demo-course/play/{link}?{params}"

    def stop(self) -> None:
        self.tool.stop()
        self.sandbox.stop()
        self.tool_app.extensions["bridge"].db.dispose()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    running = Servers(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def lms(servers: Servers) -> Servers:
    servers.register_tool()
    return servers


@pytest.fixture
def lms_behind_tls_proxy(tmp_path: Path) -> Iterator[Servers]:
    running = Servers(tmp_path, behind_tls_proxy=True)
    running.register_tool()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser_with(playwright: Any, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """``browser_with("blocked")`` / ``browser_with("allowed")``: a Chromium context with that cookie setting."""
    contexts: list[Any] = []

    def launch(third_party_cookies: str) -> Any:
        profile = tmp_path / f"chromium-{third_party_cookies}-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        preferences = {"profile": {"cookie_controls_mode": COOKIE_CONTROLS[third_party_cookies],
                                   "block_third_party_cookies": third_party_cookies == "blocked"}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        context.close()
    for profile in tmp_path.glob("chromium-*"):
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot to test-artifacts/<test>-<step>.png (gitignored) for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page: Any, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
