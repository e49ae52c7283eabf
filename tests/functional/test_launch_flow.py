"""End-to-end launches sandbox → tool: dynamic registration, then instructor and learner launches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bridge.models import Course, LaunchSession, LmsUser, Registration
from tests.support.launch_actions import LaunchActions


def _db(app: Any) -> Any:
    return app.extensions["bridge"].db


def test_dynamic_registration_creates_registration_and_deployment(app: Any, registered: LaunchActions) -> None:
    with _db(app).session() as session:
        reg = session.scalars(select(Registration)).one()
        assert reg.issuer == registered.sandbox_url
        assert reg.client_id == registered.client_id
        assert reg.created_via == "dynamic"
        assert [d.deployment_id for d in reg.deployments] == [registered.platform.tools[reg.client_id].deployment_id]
        assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in reg.scopes
    tool = registered.platform.tools[registered.client_id]
    assert "LtiDeepLinkingRequest" in {m if isinstance(m, str) else m.get("type") for m in tool.messages}


def test_learner_launch_lands_on_progress_page(app: Any, registered: LaunchActions) -> None:
    response = registered.launch("learner-1")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/learner/")
    page = registered.client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Digital Skills 101" in page.get_data(as_text=True)


def test_instructor_launch_lands_on_instructor_home(app: Any, registered: LaunchActions) -> None:
    response = registered.launch("instructor-1")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/instructor/")
    assert registered.client.get(response.headers["Location"]).status_code == 200


def test_learner_cannot_open_instructor_home(app: Any, registered: LaunchActions) -> None:
    response = registered.launch("learner-1")
    launch_id = response.headers["Location"].split("launch=")[1]
    page = registered.client.get(f"/instructor/?launch={launch_id}")
    assert page.status_code == 403
    assert "instructors" in page.get_data(as_text=True)


def test_launch_records_course_user_and_service_endpoints(app: Any, registered: LaunchActions) -> None:
    registered.launch("learner-1")
    with _db(app).session() as session:
        course = session.scalars(select(Course)).one()
        assert course.context_id == "demo-course"
        assert course.lineitems_url and course.lineitems_url.endswith("/lineitems")
        assert course.memberships_url and course.memberships_url.endswith("/memberships")
        user = session.scalars(select(LmsUser)).one()
        assert user.sub == "learner-1" and user.email == "grace@example.edu"


def test_personal_data_only_stored_when_sent(app: Any, registered: LaunchActions) -> None:
    registered.launch("learner-2")  # Alan Turing has no e-mail in the sandbox
    with _db(app).session() as session:
        user = session.scalars(select(LmsUser).where(LmsUser.sub == "learner-2")).one()
        assert user.email is None and user.name


def test_replayed_launch_is_refused_and_creates_no_session(app: Any, registered: LaunchActions) -> None:
    step = registered.login("learner-1")
    fields = registered.authorize(step)
    assert registered.client.post("/lti/launch", data=fields).status_code == 303
    again = registered.client.post("/lti/launch", data=fields)
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    with _db(app).session() as session:
        assert len(session.scalars(select(LaunchSession)).all()) == 1


def test_launch_session_works_without_cookies_via_launch_parameter(app: Any, registered: LaunchActions) -> None:
    response = registered.launch("learner-1")
    location = response.headers["Location"]
    fresh = app.test_client()  # no cookie jar: the launch id in the URL is enough
    assert fresh.get(location).status_code == 200


def test_oidc_login_by_get(app: Any, registered: LaunchActions) -> None:
    fields = registered.initiation("learner-1")
    response = registered.client.get("/lti/login", query_string=fields)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(registered.sandbox_url + "/lti/auth?")


def test_login_for_a_foreign_target_link_uri_is_refused(app: Any, registered: LaunchActions) -> None:
    fields = registered.initiation("learner-1")
    fields["target_link_uri"] = "https://evil.example/phish"
    response = registered.client.post("/lti/login", data=fields)
    assert response.status_code == 400
    assert "not an address of this tool" in response.get_data(as_text=True)


def test_launch_expires_the_spent_state_cookie(app: Any, registered: LaunchActions) -> None:
    step = registered.login("learner-1")
    assert registered.client.get_cookie(f"lti1p3-{step.state}") is not None
    registered.client.post("/lti/launch", data=registered.authorize(step))
    assert registered.client.get_cookie(f"lti1p3-{step.state}") is None
