"""Admin screens: access control, CSRF without cookies, validation that stores nothing on bad input."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bridge.models import Registration
from tests.conftest import tool_config
from tests.support.launch_actions import LaunchActions

AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret-admin").decode()}


@pytest.fixture
def admin_app(tmp_path: Any, database_url: str) -> Any:
    from bridge import create_app

    application: Flask = create_app(tool_config(tmp_path, DATABASE_URL=database_url, ADMIN_PASSWORD="s3cret-admin"))
    yield application
    application.extensions["bridge"].db.dispose()


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


FORM = {"issuer": "https://lms.example.edu", "client_id": "client-9", "auth_login_url": "https://lms.example.edu/auth",
        "auth_token_url": "https://lms.example.edu/token", "key_set_url": "https://lms.example.edu/jwks",
        "deployment_ids": "d1, d2", "deployment_policy": "reject"}


def test_admin_requires_password(admin_app: Any) -> None:
    client = admin_app.test_client()
    assert client.get("/admin/").status_code == 401
    assert client.get("/admin/", headers={"Authorization": "Basic " + base64.b64encode(b"admin:x").decode()}
                      ).status_code == 401
    page = client.get("/admin/", headers=AUTH)
    assert page.status_code == 200 and "Platform registrations" in page.get_data(as_text=True)


def test_admin_off_without_password(client: Any) -> None:
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "BRIDGE_ADMIN_PASSWORD" in response.get_data(as_text=True)


def test_add_platform_through_form(admin_app: Any) -> None:
    client = admin_app.test_client()
    token = _csrf(client.get("/admin/", headers=AUTH).get_data(as_text=True))
    response = client.post("/admin/platforms", data={**FORM, "csrf_token": token}, headers=AUTH)
    assert response.status_code == 303
    with admin_app.extensions["bridge"].db.session() as session:
        reg = session.scalars(select(Registration)).one()
        assert reg.deployment_policy == "reject" and [d.deployment_id for d in reg.deployments] == ["d1", "d2"]
    assert "client-9" in client.get("/admin/", headers=AUTH).get_data(as_text=True)


def test_form_without_csrf_token_changes_nothing(admin_app: Any) -> None:
    response = admin_app.test_client().post("/admin/platforms", data=FORM, headers=AUTH)
    assert response.status_code == 400
    assert "CSRF" in html.unescape(response.get_data(as_text=True))
    with admin_app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(Registration)).all() == []


def test_invalid_platform_is_explained_and_not_stored(admin_app: Any) -> None:
    client = admin_app.test_client()
    token = _csrf(client.get("/admin/", headers=AUTH).get_data(as_text=True))
    bad = {**FORM, "key_set_url": "javascript:alert(1)", "csrf_token": token}
    response = client.post("/admin/platforms", data=bad, headers=AUTH, follow_redirects=True)
    assert "Not saved: key set URL must be an http(s) URL" in html.unescape(response.get_data(as_text=True))
    with admin_app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(Registration)).all() == []


def test_lms_administrator_launch_reaches_admin(registered: LaunchActions) -> None:
    response = registered.launch("admin-1")
    launch_id = response.headers["Location"].split("launch=")[1]
    assert registered.client.get(f"/admin/?launch={launch_id}").status_code == 200


def test_learner_launch_cannot_reach_admin(registered: LaunchActions) -> None:
    response = registered.launch("learner-1")
    launch_id = response.headers["Location"].split("launch=")[1]
    assert registered.client.get(f"/admin/?launch={launch_id}").status_code == 403


def test_a_learner_launch_cookie_does_not_hide_the_password_prompt(admin_app: Any) -> None:
    client = admin_app.test_client()
    client.set_cookie("bridge_launch", "some-learner-or-expired-launch")
    response = client.get("/admin/")
    assert response.status_code == 401 and "Basic" in response.headers["WWW-Authenticate"]
    assert client.get("/admin/", headers=AUTH).status_code == 200


def test_only_the_admin_flash_uses_a_session_cookie(admin_app: Any) -> None:
    """LTI and public pages never set a cookie session; the admin's flash message survives its redirect."""
    client = admin_app.test_client()
    for path in ("/healthz", "/.well-known/jwks.json", "/lti/canvas.json"):
        assert "Set-Cookie" not in client.get(path).headers, path
    token = _csrf(client.get("/admin/", headers=AUTH).get_data(as_text=True))
    saved = client.post("/admin/platforms", data={**FORM, "csrf_token": token}, headers=AUTH)
    assert saved.status_code == 303 and "session=" in saved.headers["Set-Cookie"]
    page = client.get(saved.headers["Location"], headers=AUTH).get_data(as_text=True)
    assert "Saved the registration for https://lms.example.edu" in page
    again = client.get("/admin/", headers=AUTH).get_data(as_text=True)
    assert "Saved the registration" not in again  # shown once
    # A forged session cookie is ignored, not trusted.
    client.set_cookie("session", "eyJfZmxhc2hlcyI6W119.forged.signature")
    assert "Saved the registration" not in client.get("/admin/", headers=AUTH).get_data(as_text=True)
