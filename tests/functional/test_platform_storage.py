"""Launches without third-party cookies: LTI Platform Storage, and the new-window fallback."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from bridge.models import LaunchSession
from tests.support.launch_actions import LaunchActions


def _attr(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def test_login_with_storage_target_puts_state_into_platform_storage(registered: LaunchActions) -> None:
    fields = registered.initiation(storage=True)
    assert fields["lti_storage_target"] == "_parent"
    response = registered.client.post("/lti/login", data=fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _attr(page, "data-lti-storage") == "put"
    assert _attr(page, "data-target") == "_parent"
    assert _attr(page, "data-origin") == registered.sandbox_url  # origin of the platform's OIDC endpoint
    assert _attr(page, "data-state") in _attr(page, "data-auth-url")
    assert "lti-storage.js" in page


def test_cookieless_launch_completes_through_platform_storage(app: Any, registered: LaunchActions) -> None:
    step = registered.login(storage=True)
    fields = registered.authorize(step)
    registered.client.delete_cookie(f"lti1p3-{step.state}")  # the browser blocked the third-party cookie
    response = registered.client.post("/lti/launch", data=fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _attr(page, "data-lti-storage") == "get" and _attr(page, "data-state") == step.state
    launch_id = _attr(page, 'name="launch" value')
    # Until the browser returns the state from platform storage, the launch grants nothing.
    assert registered.client.get(f"/learner/?launch={launch_id}").status_code == 401
    verified = registered.client.post("/lti/launch/verify", data={"launch": launch_id, "state": step.state})
    assert verified.status_code == 303 and verified.headers["Location"].startswith("/learner/")
    assert registered.client.get(verified.headers["Location"]).status_code == 200
    again = registered.client.post("/lti/launch/verify", data={"launch": launch_id, "state": step.state})
    assert again.status_code == 401


def test_platform_storage_with_wrong_state_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login(storage=True)
    fields = registered.authorize(step)
    registered.client.delete_cookie(f"lti1p3-{step.state}")
    page = registered.client.post("/lti/launch", data=fields).get_data(as_text=True)
    launch_id = _attr(page, 'name="launch" value')
    response = registered.client.post("/lti/launch/verify", data={"launch": launch_id, "state": "state-other"})
    assert response.status_code == 401
    with app.extensions["bridge"].db.session() as session:
        assert session.get(LaunchSession, launch_id).browser_verified is False


def test_blocked_cookie_without_platform_storage_offers_new_window(app: Any, registered: LaunchActions) -> None:
    step = registered.login(storage=False)
    fields = registered.authorize(step)
    registered.client.delete_cookie(f"lti1p3-{step.state}")
    response = registered.client.post("/lti/launch", data=fields)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Open the tool in a new window" in page
    relaunch = _attr(page, "class=.button. href")
    assert relaunch.startswith("http://localhost/lti/login?") and "lti1p3_new_window=1" in relaunch
    assert 'target="_blank"' in page
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(LaunchSession)).all() == []
    # The relaunch in a top-level window (cookies work there) completes.
    top = registered.client.get(relaunch.removeprefix("http://localhost"))
    assert top.status_code == 302


def test_login_inside_an_iframe_checks_cookies_first(registered: LaunchActions) -> None:
    fields = registered.initiation(storage=False)
    response = registered.client.post("/lti/login", data=fields, headers={"Sec-Fetch-Dest": "iframe"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "cookie-check.js" in page and "lti1p3_new_window=1" in page
    link = html.unescape(re.search(r'href="(/lti/login\?[^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert "iss=" in link and "login_hint=learner-1" in link


def test_cookies_are_samesite_none_secure_over_tls(app: Any, registered: LaunchActions) -> None:
    fields = registered.initiation(storage=False)
    response = registered.client.post("/lti/login", data=fields, base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie
