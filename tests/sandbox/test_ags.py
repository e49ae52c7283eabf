"""AGS 2.0: line items (paging, filters, CRUD), scores and results, media types."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sandbox_support import AGS, BASE, FakeTool, bearer, links

from sandbox.models import Tool
from sandbox.platform import Platform

pytestmark = pytest.mark.usefixtures("mocked")
ITEMS = "/api/lti/courses/demo-course/lineitems"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"


@pytest.fixture
def auth(client: FlaskClient, tool: Tool, fake_tool: FakeTool) -> dict[str, str]:
    scopes = " ".join(AGS + x for x in ("lineitem", "score", "result.readonly"))
    return bearer(client, fake_tool, tool.client_id, scopes)


def create(client: FlaskClient, auth: dict[str, str], **body: Any) -> Any:
    payload = {"label": "Item", "scoreMaximum": 10, **body}
    return client.post(ITEMS, data=json.dumps(payload), headers={**auth, "Content-Type": LINEITEM})


def score(client: FlaskClient, auth: dict[str, str], item_url: str, **body: Any) -> Any:
    payload = {
        "userId": "learner-1",
        "scoreGiven": 8,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-01-01T10:00:00.000Z",
        **body,
    }
    path = item_url.removeprefix(BASE) + "/scores"
    return client.post(path, data=json.dumps(payload), headers={**auth, "Content-Type": SCORE})


def test_create_and_page_line_items_with_link_headers(client: FlaskClient, auth: dict[str, str]) -> None:
    for n in range(4):
        assert create(client, auth, label=f"Item {n}", tag="quiz" if n % 2 else "essay").status_code == 201
    first = client.get(ITEMS, headers={**auth, "Accept": CONTAINER})
    assert first.mimetype == CONTAINER and len(first.json) == 2  # the seeded item + 1 (page size 2)
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    seen = [i["label"] for i in first.json]
    url = links(first)["next"]
    while url:
        page = client.get(url.removeprefix(BASE), headers={**auth, "Accept": CONTAINER})
        seen += [i["label"] for i in page.json]
        url = links(page).get("next")
    assert seen == ["Final quiz", "Item 0", "Item 1", "Item 2", "Item 3"]


def test_line_item_filters(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth, label="Tagged", tag="badge", resourceId="res-1")
    assert [i["label"] for i in client.get(f"{ITEMS}?tag=badge", headers=auth).json] == ["Tagged"]
    assert [i["label"] for i in client.get(f"{ITEMS}?resource_id=res-1", headers=auth).json] == ["Tagged"]
    by_link = client.get(f"{ITEMS}?resource_link_id=rl-quiz", headers=auth).json
    assert [i["resourceLinkId"] for i in by_link] == ["rl-quiz"]


def test_get_put_delete_line_item(client: FlaskClient, auth: dict[str, str]) -> None:
    item = create(client, auth, label="Draft").json
    path = item["id"].removeprefix(BASE)
    assert client.get(path, headers={**auth, "Accept": LINEITEM}).json["label"] == "Draft"
    body = json.dumps({"label": "Final", "scoreMaximum": 20})
    updated = client.put(path, data=body, headers={**auth, "Content-Type": LINEITEM})
    assert updated.json["label"] == "Final" and updated.json["scoreMaximum"] == 20
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404


def test_media_types_are_enforced(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get(ITEMS, headers={**auth, "Accept": "text/html"}).status_code == 406
    wrong = client.post(
        ITEMS, data=json.dumps({"label": "x", "scoreMaximum": 1}), headers={**auth, "Content-Type": "application/json"}
    )
    assert wrong.status_code == 415
    assert create(client, auth, scoreMaximum=0).status_code == 400
    assert create(client, auth, label="").status_code == 400
    assert create(client, auth, resourceLinkId="nope").status_code == 400


def test_scores_update_results_and_stale_scores_are_ignored(
    client: FlaskClient, platform: Platform, auth: dict[str, str]
) -> None:
    item = create(client, auth, scoreMaximum=100).json
    assert score(client, auth, item["id"]).status_code == 200
    assert score(client, auth, item["id"], scoreGiven=2, timestamp="2025-12-31T10:00:00Z").status_code == 200
    assert [r.applied for r in platform.scores] == [True, False]
    results = client.get(item["id"].removeprefix(BASE) + "/results", headers={**auth, "Accept": RESULTS})
    assert results.mimetype == RESULTS
    assert results.json == [
        {
            "id": item["id"] + "/results/learner-1",
            "scoreOf": item["id"],
            "userId": "learner-1",
            "resultScore": 80.0,
            "resultMaximum": 100.0,
        }
    ]


def test_results_filter_by_user(client: FlaskClient, auth: dict[str, str]) -> None:
    item = create(client, auth).json
    score(client, auth, item["id"])
    score(client, auth, item["id"], userId="learner-2")
    path = item["id"].removeprefix(BASE) + "/results"
    assert [r["userId"] for r in client.get(path, headers=auth).json] == ["learner-1", "learner-2"]
    assert [r["userId"] for r in client.get(f"{path}?user_id=learner-2", headers=auth).json] == ["learner-2"]


@pytest.mark.parametrize(
    "bad",
    [
        {"userId": "stranger"},
        {"activityProgress": "Done"},
        {"gradingProgress": "Graded"},
        {"timestamp": "yesterday"},
        {"timestamp": "2026-01-01T10:00:00"},
        {"scoreGiven": 11},
        {"scoreGiven": -1},
        {"scoreMaximum": None},
    ],
)
def test_invalid_scores_are_refused(client: FlaskClient, auth: dict[str, str], bad: dict[str, Any]) -> None:
    item = create(client, auth).json
    answer = score(client, auth, item["id"], **bad)
    assert answer.status_code == 400 and answer.json["error_description"]


def test_score_needs_its_media_type_and_scope(
    client: FlaskClient, tool: Tool, fake_tool: FakeTool, auth: dict[str, str]
) -> None:
    item = create(client, auth).json
    path = item["id"].removeprefix(BASE) + "/scores"
    assert client.post(path, json={"userId": "learner-1"}, headers=auth).status_code == 415
    readonly = bearer(client, fake_tool, tool.client_id, AGS + "lineitem")
    assert score(client, readonly, item["id"]).status_code == 403
