"""LTI 1.3 launches in a real browser: the tool framed by the sandbox LMS's course page on another site.

What a person sees in Debian Chromium, with third-party cookies blocked or allowed:
- LTI Platform Storage (``lti.put_data``/``lti.get_data`` postMessages to the course page) carries the login
  state when the browser refuses the tool's cookies inside the frame;
- without platform storage the tool offers "Continue in a new window", and the launch completes there;
- the sandbox's browser-side dynamic registration ends when the tool posts ``org.imsglobal.lti.close``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.e2e.conftest import Servers

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
expect.set_options(timeout=15_000)

COURSE = "Digital Skills 101"
PROBE = "bridge_e2e_probe"


def tool_frame(page: Page) -> FrameLocator:
    return page.frame_locator("iframe[name=tool-frame]")


def live_tool_frame(page: Page) -> Frame:
    frame = page.frame(name="tool-frame")
    assert frame is not None, "the course page has no frame named tool-frame"
    return frame


def third_party_cookie_kept(page: Page, tool_url: str) -> bool:
    """Set a ``SameSite=None; Secure`` cookie from the tool's frame; is it sent back to the tool?

    http://localhost is a secure context, so only the third-party-cookie setting can refuse this cookie.
    """
    frame = live_tool_frame(page)
    assert frame.url.startswith(tool_url + "/"), f"the frame shows {frame.url}, not the tool"
    frame.evaluate(f"document.cookie = '{PROBE}=1; SameSite=None; Secure; Path=/'")
    with page.expect_request(f"{tool_url}/healthz") as probe:
        frame.evaluate("fetch('/healthz', {credentials: 'include'}).then((answer) => answer.status)")
    return f"{PROBE}=1" in (probe.value.header_value("cookie") or "")


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_instructor_launch_with_platform_storage_when_third_party_cookies_are_blocked(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    page = browser_with("blocked").new_page()
    verified: list[str] = []
    page.on("request", lambda sent: verified.append(sent.url) if sent.url.endswith("/lti/launch/verify") else None)
    page.goto(lms.play_url("instructor-1"))

    tool = tool_frame(page)
    expect(tool.get_by_role("heading", name=f"{COURSE}: credentials")).to_be_visible()
    expect(tool.get_by_text("Instructor", exact=True)).to_be_visible()
    expect(tool.get_by_role("heading", name="This launch")).to_be_visible()
    screenshot(page, "instructor-home")
    assert path_of(live_tool_frame(page).url) == "/instructor/"
    assert page.url.startswith(lms.sandbox_url), "the launch must stay inside the course page"
    assert not third_party_cookie_kept(page, lms.tool_url), "the browser kept a third-party cookie"
    # The login state went through the course page (lti.put_data / lti.get_data), not a cookie.
    assert verified == [f"{lms.tool_url}/lti/launch/verify"]
    stored = page.evaluate("Object.keys(sessionStorage)")
    assert any(key.startswith(f"lti-storage::{lms.tool_url}::state_") for key in stored), stored


def test_new_window_fallback_without_platform_storage_when_third_party_cookies_are_blocked(
    lms_behind_tls_proxy: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    """The tool's cookie check fails in the frame, so it offers a window of its own, where the launch works.

    Over plain HTTP the tool's cookies are SameSite=Lax and never survive the platform's cross-site form_post,
    so the tool runs as deployed, behind TLS (``SameSite=None; Secure; Partitioned``).
    """
    lms = lms_behind_tls_proxy
    page = browser_with("blocked").new_page()
    page.goto(lms.play_url("learner-1", storage="0"))

    tool = tool_frame(page)
    expect(tool.get_by_role("heading", name="Continue in a new window")).to_be_visible()
    expect(tool.get_by_text("Your browser does not allow the tool to keep its login cookie")).to_be_visible()
    screenshot(page, "continue-in-new-window")
    assert not third_party_cookie_kept(page, lms.tool_url), "the browser kept a third-party cookie"
    with page.expect_popup() as opened:
        tool.get_by_role("link", name="Open the tool in a new window").click()
    popup = opened.value

    expect(popup.get_by_role("heading", name=f"{COURSE}: my credentials")).to_be_visible()
    expect(popup.get_by_text("Learner", exact=True)).to_be_visible()
    screenshot(popup, "learner-progress-in-popup")
    assert popup.url.startswith(lms.tool_url + "/learner/")


def test_learner_launch_in_the_course_page_when_third_party_cookies_are_allowed(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    page = browser_with("allowed").new_page()
    page.goto(lms.play_url("learner-2"))

    tool = tool_frame(page)
    expect(tool.get_by_role("heading", name=f"{COURSE}: my credentials")).to_be_visible()
    expect(tool.get_by_text("Learner", exact=True)).to_be_visible()
    expect(tool.get_by_role("heading", name="Progress")).to_be_visible()
    screenshot(page, "learner-progress")
    assert path_of(live_tool_frame(page).url) == "/learner/"
    assert third_party_cookie_kept(page, lms.tool_url), "third-party cookies should be allowed in this profile"


def test_dynamic_registration_in_the_browser_ends_with_the_tool_registered(
    servers: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    page = browser_with("blocked").new_page()
    page.goto(f"{servers.sandbox_url}/tools/register?url={servers.tool_url}/lti/register")

    status = page.get_by_role("status")
    expect(status).to_contain_text("Tool registered.")
    expect(page.locator("#registration-frame")).to_have_count(0)
    screenshot(page, "sandbox-registered")
    page.get_by_role("link", name="Back to the home page").click()
    tools = list(servers.platform.tools.values())
    assert len(tools) == 1
    expect(page.get_by_text(tools[0].client_id)).to_be_visible()
