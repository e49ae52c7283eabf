"""AGS connector against line item, result and score payloads as Canvas, Moodle and Brightspace document them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses
from connectors_support import FakeClock, grant_tokens

from connectors import errors
from connectors.lti_ags import (
    LINEITEM,
    LINEITEM_CONTAINER,
    RESULT_CONTAINER,
    SCORE,
    ActivityProgress,
    AgsConnector,
    CanvasSubmission,
    GradingProgress,
    InvalidScore,
    LineItem,
    Platform,
    Score,
)
from connectors.lti_token import AccessTokenClient

CANVAS_ITEMS = "https://canvas.example.edu/api/lti/courses/5/line_items"
# Canvas "Line Items API": a LineItem object, with Canvas's own extension keys alongside.
CANVAS_ITEM = {
    "id": f"{CANVAS_ITEMS}/2",
    "scoreMaximum": 50,
    "label": "Chapter 1 quiz",
    "tag": "quiz",
    "resourceId": "chapter-1",
    "resourceLinkId": "7b7b6e2b-link",
    "https://canvas.instructure.com/lti/submission_type": {"type": "external_tool"},
}
# Brightspace "Assignments and grades services extension with LTI 1.3": line item sample.
BRIGHTSPACE_ITEM = {
    "id": "https://lms.example.com/context/2923/lineitems/1",
    "scoreMaximum": 60,
    "label": "Math 202 Quiz",
    "resourceId": "a-9334df-33",
    "tag": "grade",
    "resourceLinkId": "1g3k4dlk49fk",
    "startDateTime": "2019-03-06T20:05:02Z",
    "endDateTime": "2019-04-06T22:05:03Z",
}
MOODLE_ITEMS = "https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=3"
MOODLE_ITEM = {
    "id": "https://moodle.example.edu/mod/lti/services.php/2/lineitems/15/lineitem?type_id=3",
    "label": "SCORM module",
    "scoreMaximum": 100,
    "resourceId": "",
    "tag": "",
    "resourceLinkId": "4",
}
CONTAINER = {"Content-Type": LINEITEM_CONTAINER}


def sent_json(request: requests.PreparedRequest) -> Any:
    return json.loads(request.body or b"")


def ags(client: AccessTokenClient, clock: FakeClock, platform: Platform = Platform.GENERIC) -> AgsConnector:
    return AgsConnector(client, platform=platform, sleep=clock.sleep, now=clock.utc)


def a_score(**changes: object) -> Score:
    values: dict[str, object] = {
        "user_id": "5323497",
        "score_given": 42.0,
        "score_maximum": 50.0,
        "activity_progress": ActivityProgress.COMPLETED,
        "grading_progress": GradingProgress.FULLY_GRADED,
        "timestamp": datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
    }
    values.update(changes)
    return Score(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _tokens(mocked: responses.RequestsMock) -> None:
    grant_tokens(mocked, "service-token")


def test_canvas_line_items_are_listed_across_pages(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    page2 = f"{CANVAS_ITEMS}?page=bookmark:WyJJZCIsMl0&resource_link_id=7b7b6e2b-link"
    mocked.get(CANVAS_ITEMS, json=[CANVAS_ITEM], headers={**CONTAINER, "Link": f'<{page2}>; rel="next"'})
    mocked.get(page2, json=[{**CANVAS_ITEM, "id": f"{CANVAS_ITEMS}/3"}], headers=CONTAINER)
    items = ags(token_client, clock).list_line_items(CANVAS_ITEMS, resource_link_id="7b7b6e2b-link")
    assert [item.id for item in items] == [f"{CANVAS_ITEMS}/2", f"{CANVAS_ITEMS}/3"]
    assert items[0] == LineItem(f"{CANVAS_ITEMS}/2", 50.0, "Chapter 1 quiz", "chapter-1", "7b7b6e2b-link", "quiz")
    first = mocked.calls[1].request
    assert first.headers["Accept"] == LINEITEM_CONTAINER
    assert first.headers["Authorization"] == "Bearer service-token"
    assert first.url == f"{CANVAS_ITEMS}?resource_link_id=7b7b6e2b-link"
    assert mocked.calls[2].request.url == page2


def test_brightspace_line_item_dates_are_parsed(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    mocked.get(BRIGHTSPACE_ITEM["id"], json=BRIGHTSPACE_ITEM, headers={"Content-Type": LINEITEM})
    item = ags(token_client, clock).get_line_item(str(BRIGHTSPACE_ITEM["id"]))
    assert item.end_date_time == datetime(2019, 4, 6, 22, 5, 3, tzinfo=UTC)
    assert item.resource_id == "a-9334df-33"


def test_moodle_paging_with_typographic_quotes_and_escaped_query(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    base = MOODLE_ITEMS.split("?")[0]
    link = f"<{base}?type_id=3&amp;limit=1&amp;from=1>; rel=\u201cnext\u201d"
    mocked.get(MOODLE_ITEMS, json=[MOODLE_ITEM], headers={**CONTAINER, "Link": link})
    mocked.get(f"{base}?type_id=3&limit=1&from=1", json=[{**MOODLE_ITEM, "id": f"{MOODLE_ITEM['id']}&x=2"}])
    items = ags(token_client, clock).list_line_items(MOODLE_ITEMS)
    assert len(items) == 2
    assert items[0].resource_id is None and items[0].resource_link_id == "4"


def test_moodle_scores_go_under_the_line_item_path_keeping_type_id(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    scores = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/15/lineitem/scores?type_id=3"
    mocked.post(scores, status=200)
    ags(token_client, clock, Platform.MOODLE).post_score(str(MOODLE_ITEM["id"]), a_score())
    sent = mocked.calls[1].request
    assert sent.url == scores
    assert sent.headers["Content-Type"] == SCORE
    body = sent_json(sent)
    assert body == {
        "userId": "5323497",
        "scoreGiven": 42.0,
        "scoreMaximum": 50.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2024-05-01T12:00:00.123+00:00",
    }


def test_canvas_submission_extension_is_sent_to_canvas_only(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    mocked.post(f"{CANVAS_ITEMS}/2/scores", json={"resultUrl": f"{CANVAS_ITEMS}/2/results/1"})
    submitted = datetime(2024, 4, 30, 9, 0, tzinfo=UTC)
    score = a_score(submission=CanvasSubmission(submission_type="basic_lti_launch", submitted_at=submitted))
    ags(token_client, clock, Platform.CANVAS).post_score(f"{CANVAS_ITEMS}/2", score)
    ags(token_client, clock, Platform.BRIGHTSPACE).post_score(f"{CANVAS_ITEMS}/2", score)
    to_canvas, to_other = (sent_json(call.request) for call in mocked.calls[1:])
    assert to_canvas["https://canvas.instructure.com/lti/submission"] == {
        "new_submission": True,
        "submission_type": "basic_lti_launch",
        "submitted_at": "2024-04-30T09:00:00.000+00:00",
    }
    assert "https://canvas.instructure.com/lti/submission" not in to_other


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"score_given": None}, "FullyGraded"),
        ({"score_maximum": None}, "scoreMaximum"),
        ({"score_given": -1.0}, "negative"),
        ({"user_id": ""}, "user"),
        ({"timestamp": datetime(2024, 5, 1, 12, 0)}, "time zone"),
    ],
)
def test_invalid_scores_are_refused_before_any_request(
    mocked: responses.RequestsMock, changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(InvalidScore, match=reason):
        a_score(**changes)
    assert len(mocked.calls) == 0


def test_progress_without_a_grade_is_allowed() -> None:
    score = a_score(score_given=None, score_maximum=None, grading_progress=GradingProgress.PENDING)
    assert "scoreGiven" not in score.to_json()


def test_find_or_create_returns_the_existing_match(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    mocked.get(CANVAS_ITEMS, json=[CANVAS_ITEM], headers=CONTAINER)
    wanted = LineItem(None, 50, "Chapter 1 quiz", resource_id="chapter-1", tag="quiz")
    found = ags(token_client, clock).find_or_create_line_item(CANVAS_ITEMS, wanted)
    assert found.id == f"{CANVAS_ITEMS}/2"
    assert [call.request.method for call in mocked.calls[1:]] == ["GET"]


def test_find_or_create_creates_when_the_platform_ignored_the_filter(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    mocked.get(CANVAS_ITEMS, json=[CANVAS_ITEM], headers=CONTAINER)
    created = {**CANVAS_ITEM, "id": f"{CANVAS_ITEMS}/9", "resourceId": "chapter-2", "label": "Chapter 2"}
    mocked.post(CANVAS_ITEMS, json=created, status=201, headers={"Content-Type": LINEITEM})
    wanted = LineItem(None, 50, "Chapter 2", resource_id="chapter-2")
    item = ags(token_client, clock).find_or_create_line_item(CANVAS_ITEMS, wanted)
    assert item.id == f"{CANVAS_ITEMS}/9"
    post = mocked.calls[2].request
    assert post.headers["Content-Type"] == LINEITEM and post.headers["Accept"] == LINEITEM
    assert sent_json(post) == {"scoreMaximum": 50, "label": "Chapter 2", "resourceId": "chapter-2"}


def test_find_or_create_without_criteria_is_refused(token_client: AccessTokenClient, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="match on"):
        ags(token_client, clock).find_or_create_line_item(CANVAS_ITEMS, LineItem(None, 10, "x"))


def test_update_and_delete(mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock) -> None:
    url = f"{CANVAS_ITEMS}/2"
    mocked.put(url, json={**CANVAS_ITEM, "label": "Renamed"}, headers={"Content-Type": LINEITEM})
    mocked.delete(url, status=204)
    connector = ags(token_client, clock)
    updated = connector.update_line_item(LineItem(url, 50, "Renamed"))
    connector.delete_line_item(url)
    assert updated.label == "Renamed"
    assert mocked.calls[1].request.headers["Content-Type"] == LINEITEM
    assert [call.request.method for call in mocked.calls[1:]] == ["PUT", "DELETE"]


def test_results_for_one_user(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    result = {
        "id": f"{CANVAS_ITEMS}/2/results/1",
        "scoreOf": f"{CANVAS_ITEMS}/2",
        "userId": "5323497",
        "resultScore": 13,
        "resultMaximum": 20,
        "comment": "Good",
    }
    mocked.get(f"{CANVAS_ITEMS}/2/results", json=[result], headers={"Content-Type": RESULT_CONTAINER})
    (only,) = ags(token_client, clock).list_results(f"{CANVAS_ITEMS}/2", user_id="5323497")
    assert (only.user_id, only.result_score, only.result_maximum) == ("5323497", 13.0, 20.0)
    assert str(mocked.calls[1].request.url).endswith("/results?user_id=5323497")
    assert mocked.calls[1].request.headers["Accept"] == RESULT_CONTAINER


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "x", "label": "no maximum"},
        [{"label": "no id", "scoreMaximum": 5}],
        [{"id": "x", "label": "zero", "scoreMaximum": 0}],
        [{"id": "x", "label": "text", "scoreMaximum": "10"}],
        [{"id": "x", "label": "bad date", "scoreMaximum": 1, "endDateTime": "tomorrow"}],
    ],
)
def test_malformed_containers_are_bad_responses(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock, payload: object
) -> None:
    mocked.get(CANVAS_ITEMS, json=payload, headers=CONTAINER)
    with pytest.raises(errors.ConnectorBadResponse) as caught:
        ags(token_client, clock).list_line_items(CANVAS_ITEMS)
    assert caught.value.connector == "lti-ags" and caught.value.url == CANVAS_ITEMS


def test_a_401_refreshes_the_token_once_and_succeeds(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    grant_tokens(mocked, "second-token")
    mocked.get(f"{CANVAS_ITEMS}/2", status=401)
    mocked.get(f"{CANVAS_ITEMS}/2", json=CANVAS_ITEM, headers={"Content-Type": LINEITEM})
    item = ags(token_client, clock).get_line_item(f"{CANVAS_ITEMS}/2")
    assert item.label == "Chapter 1 quiz"
    auth = [c.request.headers.get("Authorization") for c in mocked.calls if c.request.method == "GET"]
    assert auth == ["Bearer service-token", "Bearer second-token"]
