"""NRPS 2.0: paging with case-sensitive next links, differences, role and rlid filters."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sandbox_support import BASE, NRPS_SCOPE, FakeTool, bearer, links

from sandbox import create_app
from sandbox.models import ROLE_LEARNER, Tool
from sandbox.platform import Platform

pytestmark = pytest.mark.usefixtures("mocked")
URL = "/api/lti/courses/demo-course/memberships"
MEDIA = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


@pytest.fixture
def auth(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> dict[str, str]:
    return {**bearer(client, fake_tool, tool.client_id, NRPS_SCOPE), "Accept": MEDIA}


def all_pages(client: FlaskClient, auth: dict[str, str], url: str) -> list[str]:
    ids: list[str] = []
    while url:
        page = client.get(url.removeprefix(BASE), headers=auth)
        assert page.status_code == 200, page.json
        ids += [m["user_id"] for m in page.json["members"]]
        url = links(page).get("next")
    return ids


def test_members_are_paged_with_mixed_case_next_links(client: FlaskClient, auth: dict[str, str]) -> None:
    first = client.get(URL, headers=auth)
    assert first.mimetype == MEDIA and first.json["context"]["title"] == "Digital Skills 101"
    next_url = links(first)["next"]
    assert "Page=" in next_url and next_url != next_url.lower()
    assert all_pages(client, auth, URL) == ["instructor-1", "learner-1", "learner-2"]
    member = first.json["members"][1]
    assert member == {
        "status": "Active",
        "user_id": "learner-1",
        "roles": [ROLE_LEARNER],
        "lis_person_sourcedid": "learner-1",
        "name": "Grace Hopper",
        "given_name": "Grace",
        "family_name": "Hopper",
        "email": "grace@example.edu",
    }


def test_lower_cased_next_link_fails_loudly(client: FlaskClient, auth: dict[str, str]) -> None:
    next_url = links(client.get(URL, headers=auth))["next"]
    answer = client.get(next_url.removeprefix(BASE).lower(), headers=auth)
    assert answer.status_code == 400 and "lower-casing" in answer.json["error_description"]


def test_differences_link_reports_changes(client: FlaskClient, platform: Platform, auth: dict[str, str]) -> None:
    differences = links(client.get(URL, headers=auth))["differences"]
    platform.add_user("learner-3", "Katherine", "Johnson")
    platform.enroll("demo-course", "learner-3", [ROLE_LEARNER])
    platform.set_member_status("demo-course", "learner-2", "Deleted")
    platform.set_member_status("demo-course", "learner-1", "Inactive")
    changes = client.get(differences.removeprefix(BASE) + "&limit=10", headers=auth).json["members"]
    assert {m["user_id"]: m["status"] for m in changes} == {
        "learner-1": "Inactive",
        "learner-2": "Deleted",
        "learner-3": "Active",
    }
    assert "learner-2" not in all_pages(client, auth, URL)


def test_role_and_rlid_filters(client: FlaskClient, auth: dict[str, str]) -> None:
    assert all_pages(client, auth, f"{URL}?role=Instructor") == ["instructor-1"]
    assert all_pages(client, auth, f"{URL}?role={quote(ROLE_LEARNER)}") == ["learner-1", "learner-2"]
    assert len(all_pages(client, auth, f"{URL}?rlid=rl-quiz")) == 3
    assert client.get(f"{URL}?rlid=nope", headers=auth).status_code == 400


def test_wrong_accept_and_unknown_course(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get(URL, headers={**auth, "Accept": "application/xml"}).status_code == 406
    assert client.get("/api/lti/courses/nope/memberships", headers=auth).status_code == 404


def test_seeded_members_and_limit(fake_tool: FakeTool) -> None:
    app = create_app({"SANDBOX_BASE_URL": BASE, "SANDBOX_SEED_MEMBERS": 25})
    client = app.test_client()
    tool = app.extensions["sandbox"].add_tool_manually(
        "t",
        jwks_uri=fake_tool.jwks_uri,
        initiate_login_uri="https://tool.example/login",
        redirect_uris=["https://tool.example/launch"],
        target_link_uri="https://tool.example/launch",
    )
    auth = {**bearer(client, fake_tool, tool.client_id, NRPS_SCOPE), "Accept": MEDIA}
    first = client.get(f"{URL}?limit=10", headers=auth)
    assert len(first.json["members"]) == 10
    assert len(all_pages(client, auth, f"{URL}?limit=10")) == 28
